//! Media: a real PNG uploaded (directly and to a reserved MXC URI),
//! downloaded under its own and another name, thumbnailed, through both
//! the authenticated and the deprecated unauthenticated endpoints.

use matrix_csapi::authed_content_repo::{
    GetConfigAuthedRequest, GetContentAuthedRequest, GetContentAuthedResponse,
    GetContentOverrideNameAuthedRequest, GetContentOverrideNameAuthedResponse,
    GetContentThumbnailAuthedRequest, GetContentThumbnailAuthedResponse,
    GetUrlPreviewAuthedRequest,
};
use matrix_csapi::content_repo::{
    CreateContentRequest, GetConfigRequest, GetContentOverrideNameRequest,
    GetContentOverrideNameResponse, GetContentRequest, GetContentResponse,
    GetContentThumbnailRequest, GetContentThumbnailResponse, GetUrlPreviewRequest,
    UploadContentRequest, UploadContentToMxcRequest,
};
use matrix_csapi::types::ThumbnailMethod;
use matrix_csapi_runtime::Bytes;

use super::account::Users;
use super::harness::Harness;

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// A `width` x `height` RGB gradient as a valid PNG (zlib stored blocks,
/// so no compressor is needed).
pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    let mut pixels = Vec::new();
    for y in 0..height {
        pixels.push(0); // filter: none
        for x in 0..width {
            pixels.extend([(x * 255 / width) as u8, (y * 255 / height) as u8, 160]);
        }
    }
    let mut zlib = vec![0x78, 0x01];
    let mut blocks = pixels.chunks(65_535).peekable();
    while let Some(block) = blocks.next() {
        let len = block.len() as u16;
        zlib.push(u8::from(blocks.peek().is_none()));
        zlib.extend(len.to_le_bytes());
        zlib.extend((!len).to_le_bytes());
        zlib.extend(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in &pixels {
        a = (a + u32::from(*byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend(((b << 16) | a).to_be_bytes());

    let mut header = Vec::new();
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    header.extend([8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter method, not interlaced
    let mut out = PNG_MAGIC.to_vec();
    for (kind, data) in [(b"IHDR", header), (b"IDAT", zlib), (b"IEND", Vec::new())] {
        out.extend((data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend(kind);
        out.extend(&data);
        out.extend(crc32(&out[start..]).to_be_bytes());
    }
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn is_image(content_type: Option<&str>, body: &[u8]) -> bool {
    content_type.is_some_and(|t| t.starts_with("image/"))
        && (body.starts_with(PNG_MAGIC) || body.starts_with(b"\xff\xd8\xff"))
}

pub async fn run(h: &mut Harness, users: &Users) {
    let (alice, bob) = (&users.alice, &users.bob);
    let image = Bytes::from(png(64, 48));

    let config = h
        .call(
            Some(alice),
            GetConfigRequest::new(),
            "an upload size limit is given",
        )
        .await;
    assert!(
        config
            .and_then(|config| config.size)
            .is_some_and(|size| size > 0)
    );
    let config = h
        .call(
            Some(alice),
            GetConfigAuthedRequest::new(),
            "an upload size limit is given",
        )
        .await;
    assert!(
        config
            .and_then(|config| config.size)
            .is_some_and(|size| size > 0)
    );

    let mut upload = UploadContentRequest::new(image.clone());
    upload.content_type = Some("image/png".to_owned());
    upload.filename = Some("gradient.png".to_owned());
    let Some(uploaded) = h
        .call(
            Some(alice),
            upload,
            "a 64x48 PNG; its mxc:// URI downloads the same bytes",
        )
        .await
    else {
        return;
    };
    // The URI the server gave follows the grammar, and the media requests
    // are built from it (`from_mxc`), not from its parts split by hand.
    let mxc = &uploaded.content_uri;
    mxc.validate().unwrap();
    assert_eq!(mxc.server_name(), Some(h.server_name.as_str()));

    let download = h
        .call(
            Some(bob),
            GetContentRequest::from_mxc(mxc).unwrap(),
            "the uploaded bytes, as image/png",
        )
        .await;
    match download {
        Some(GetContentResponse::Ok(file)) => {
            assert_eq!(file.body, image);
            assert_eq!(file.content_type.as_deref(), Some("image/png"));
        }
        Some(other) => panic!("the file itself was expected: {other:?}"),
        None => {}
    }
    let download = h
        .call(
            Some(bob),
            GetContentAuthedRequest::from_mxc(mxc).unwrap(),
            "the uploaded bytes, as image/png",
        )
        .await;
    match download {
        Some(GetContentAuthedResponse::Ok(file)) => {
            assert_eq!(file.body, image);
            assert_eq!(file.content_type.as_deref(), Some("image/png"));
        }
        Some(other) => panic!("the file itself was expected: {other:?}"),
        None => {}
    }
    let renamed = h
        .call(
            Some(bob),
            GetContentOverrideNameRequest::from_mxc(mxc, "renamed.png".to_owned()).unwrap(),
            "the same bytes, disposed as renamed.png",
        )
        .await;
    match renamed {
        Some(GetContentOverrideNameResponse::Ok(file)) => {
            assert_eq!(file.body, image);
            assert!(
                file.content_disposition
                    .is_some_and(|d| d.contains("renamed.png"))
            );
        }
        Some(other) => panic!("the file itself was expected: {other:?}"),
        None => {}
    }
    let renamed = h
        .call(
            Some(bob),
            GetContentOverrideNameAuthedRequest::from_mxc(mxc, "renamed.png".to_owned()).unwrap(),
            "the same bytes, disposed as renamed.png",
        )
        .await;
    match renamed {
        Some(GetContentOverrideNameAuthedResponse::Ok(file)) => {
            assert_eq!(file.body, image);
            assert!(
                file.content_disposition
                    .is_some_and(|d| d.contains("renamed.png"))
            );
        }
        Some(other) => panic!("the file itself was expected: {other:?}"),
        None => {}
    }
    let mut request = GetContentThumbnailRequest::from_mxc(mxc, 32, 32).unwrap();
    request.method = Some(ThumbnailMethod::Crop);
    let thumbnail = h
        .call(Some(bob), request, "a smaller image (PNG or JPEG)")
        .await;
    match thumbnail {
        Some(GetContentThumbnailResponse::Ok(file)) => {
            assert!(is_image(file.content_type.as_deref(), &file.body));
            assert_ne!(file.body, image);
        }
        Some(other) => panic!("the thumbnail itself was expected: {other:?}"),
        None => {}
    }
    let mut request = GetContentThumbnailAuthedRequest::from_mxc(mxc, 32, 32).unwrap();
    request.method = Some(ThumbnailMethod::Scale);
    let thumbnail = h
        .call(Some(bob), request, "a smaller image (PNG or JPEG)")
        .await;
    match thumbnail {
        Some(GetContentThumbnailAuthedResponse::Ok(file)) => {
            assert!(is_image(file.content_type.as_deref(), &file.body));
            assert_ne!(file.body, image);
        }
        Some(other) => panic!("the thumbnail itself was expected: {other:?}"),
        None => {}
    }

    let reserved = h
        .call(
            Some(alice),
            CreateContentRequest::new(),
            "an mxc:// URI reserved for a later upload, with its expiry",
        )
        .await;
    if let Some(reserved) = reserved {
        assert!(reserved.unused_expires_at.is_some());
        let mxc = &reserved.content_uri;
        let mut upload = UploadContentToMxcRequest::from_mxc(mxc, image.clone()).unwrap();
        upload.content_type = Some("image/png".to_owned());
        upload.filename = Some("later.png".to_owned());
        h.call(
            Some(alice),
            upload,
            "the reserved URI then downloads the uploaded bytes",
        )
        .await;
        let download = h
            .call(
                Some(bob),
                GetContentAuthedRequest::from_mxc(mxc).unwrap(),
                "",
            )
            .await;
        if let Some(GetContentAuthedResponse::Ok(file)) = download {
            assert_eq!(file.body, image);
        } else {
            panic!(
                "the reserved URI downloads nothing: {:?}",
                h.records.get("getContentAuthed")
            );
        }
    }

    h.call(
        Some(alice),
        GetUrlPreviewRequest::new("http://127.0.0.1:9/".to_owned()),
        "",
    )
    .await;
    h.call(
        Some(alice),
        GetUrlPreviewAuthedRequest::new("http://127.0.0.1:9/".to_owned()),
        "",
    )
    .await;
}
