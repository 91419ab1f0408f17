//! One error shape for every failure: RFC 9457 problem details.
//!
//! Handlers return a [`Problem`]; layers (timeout, body limit, panic, routing)
//! return bare status codes. The [`render`] middleware turns both into the
//! same `application/problem+json` body, with the request's ID, so no error
//! leaves the service in another shape. The one exception is an error a
//! handler answers as `application/json` on purpose: `/readyz`'s 503.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::request_id::REQUEST_ID;

/// The media type of a problem body.
const PROBLEM_JSON: &str = "application/problem+json";

/// An error answer: a status and, optionally, what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: StatusCode,
    pub detail: Option<String>,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: Some(detail.into()),
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }
}

impl IntoResponse for Problem {
    /// The body is written by [`render`], which knows the request ID.
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// The body of every error answer, as `/openapi.json` documents it (`Problem`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemBody {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    kind: &'static str,
    /// The status's reason phrase.
    title: &'static str,
    status: u16,
    /// What went wrong, when there is something to add.
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    /// The request's `X-Request-Id`.
    request_id: String,
}

/// Middleware: gives every 4xx and 5xx answer the problem shape. Headers the
/// inner layers set (such as `Allow` on a 405) are kept.
pub async fn render(request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let problem = response.extensions().get::<Problem>().cloned();
    // A JSON error body written on purpose (`/readyz` while draining) stays.
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if problem.is_none() && is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    // The old body is dropped: its length and type go with it.
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.remove(CONTENT_TYPE);
    let body = ProblemBody {
        kind: "about:blank",
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail: problem.and_then(|problem| problem.detail),
        request_id,
    };
    match serde_json::to_vec(&body) {
        Ok(bytes) => {
            parts
                .headers
                .insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
            Response::from_parts(parts, Body::from(bytes))
        }
        // Strings and a number always serialize; should that ever change,
        // the status still goes out, with no body.
        Err(err) => {
            tracing::error!(error = %err, "cannot serialize a problem body");
            Response::from_parts(parts, Body::empty())
        }
    }
}
