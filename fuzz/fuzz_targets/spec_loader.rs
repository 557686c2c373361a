//! The generator's front end on arbitrary input: spec files loaded through
//! `SpecFiles`, an overlay applied to one as `prepare` applies them, and
//! `$ref` resolution.
//!
//! The input is up to three texts separated by NUL bytes (YAML forbids NUL,
//! so no spec text needs one):
//!
//! 1. a spec file, loaded as `api/client-server/fuzz.yaml`;
//! 2. an overlay document, applied to that file (strict mode, as `prepare`
//!    does, and if that fails the standard's mode, to reach resolution
//!    with more overlaid documents);
//! 3. a second spec file, `api/client-server/other.yaml`, for `$ref`s to
//!    point into.
//!
//! Any error is fine; a panic, a stack overflow, a timeout or running out of
//! memory is a finding. The YAML loader and the overlay engine alone, with
//! the promises they make (every parsed node can be located; a failed
//! overlay leaves the document untouched), are fuzzed by the
//! `openapi-overlay` crate's own target (`overlay/fuzz`).

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use matrix_csapi_codegen::load::SpecFiles;
use matrix_csapi_codegen::resolve;
use openapi_overlay::{AddedFields, Overlay, Strictness};

const SPEC: &str = "api/client-server/fuzz.yaml";
const OTHER: &str = "api/client-server/other.yaml";
const OVERLAY: &str = "spec/overlays/fuzz.yaml";

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == 0);
    let spec_text = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let overlay_text = parts
        .next()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let other_text = parts
        .next()
        .map(|p| String::from_utf8_lossy(p).into_owned());

    let mut texts = vec![(SPEC.to_owned(), spec_text)];
    if let Some(other) = other_text {
        texts.push((OTHER.to_owned(), other));
    }
    let mut files = SpecFiles::in_memory(texts);
    let document = match files.load(SPEC) {
        Ok(file) => &mut file.value,
        Err(error) => {
            let _ = error.to_string();
            return;
        }
    };

    let overlay = overlay_text.as_deref().and_then(|text| {
        Overlay::parse(text, Path::new(OVERLAY))
            .map_err(|error| error.to_string())
            .ok()
    });
    if let Some(overlay) = &overlay {
        let strict = overlay.apply_tracked(
            document,
            Strictness::RequireMatch,
            &mut AddedFields::default(),
        );
        if let Err(error) = strict {
            let _ = error.to_string();
            if let Err(error) = overlay.apply(document, Strictness::Standard) {
                let _ = error.to_string();
            }
        }
    }

    if let Err(error) = resolve::resolve(files, &[SPEC.to_owned()]) {
        let _ = error.to_string();
    }
});
