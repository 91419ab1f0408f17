//! Request IDs: a caller's `X-Request-Id` is kept only when it is safe to
//! log and echo; otherwise tower-http's `SetRequestIdLayer` makes a new one.

use axum::extract::Request;
use axum::http::HeaderName;

/// The header that carries the request ID both ways.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest incoming ID kept.
const MAX_LEN: usize = 128;

/// Whether an incoming ID matches `^[A-Za-z0-9._:-]{1,128}$`.
pub fn is_valid(id: &[u8]) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Middleware: drops an incoming ID that is invalid, or sent more than once,
/// so the next layer generates one instead.
pub async fn drop_invalid(mut request: Request) -> Request {
    let headers = request.headers();
    let mut values = headers.get_all(&REQUEST_ID).iter();
    let keep = match (values.next(), values.next()) {
        (Some(value), None) => is_valid(value.as_bytes()),
        _ => false,
    };
    if !keep {
        request.headers_mut().remove(&REQUEST_ID);
    }
    request
}

#[cfg(test)]
mod tests {
    use super::is_valid;

    #[test]
    fn ids_follow_the_pattern() {
        for good in ["a", "req-1", "A.b_c:d-9", &"x".repeat(128)] {
            assert!(is_valid(good.as_bytes()), "{good:?}");
        }
        for bad in ["", "has space", "semi;colon", "é", "a/b", &"x".repeat(129)] {
            assert!(!is_valid(bad.as_bytes()), "{bad:?}");
        }
    }
}
