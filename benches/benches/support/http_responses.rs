//! The HTTP responses both sides of a codec benchmark take: ours owns its
//! body, ruma borrows it.

use bytes::Bytes;

/// A JSON response with `status` and `body`.
pub fn response(status: u16, body: &str) -> http::Response<Bytes> {
    http::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Bytes::copy_from_slice(body.as_bytes()))
        .unwrap_or_else(|e| panic!("building a response: {e}"))
}

/// The same response as ruma takes it (a borrowed body).
pub fn ruma_response(response: &http::Response<Bytes>) -> http::Response<&[u8]> {
    let mut builder = http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    builder
        .body(response.body().as_ref())
        .unwrap_or_else(|e| panic!("building a response: {e}"))
}
