//! The HTTP routes, kept out of `main` so tests can call them without a socket.

use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Longest accepted echo message, in characters.
const MAX_MESSAGE_CHARS: usize = 280;

const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The service's router: `main` serves it, the tests call it directly.
pub fn app() -> Router {
    // Each layer wraps the ones above it, so tracing sees timeouts too.
    Router::new()
        .route("/healthz", get(healthz))
        .route("/v1/echo", post(echo))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

#[derive(Debug, Deserialize)]
struct EchoRequest {
    message: String,
}

#[derive(Debug, Serialize)]
struct EchoResponse {
    message: String,
}

async fn echo(
    payload: Result<Json<EchoRequest>, JsonRejection>,
) -> Result<Json<EchoResponse>, ApiError> {
    let Json(request) = payload?;
    let message = request.message.trim();
    if message.is_empty() {
        return Err(ApiError::unprocessable("message must not be empty"));
    }
    if message.chars().count() > MAX_MESSAGE_CHARS {
        return Err(ApiError::unprocessable(format!(
            "message must be at most {MAX_MESSAGE_CHARS} characters"
        )));
    }
    Ok(Json(EchoResponse {
        message: message.to_owned(),
    }))
}

/// An error answered as `{"error": "..."}` with its status code.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn unprocessable(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: message.into(),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        Self {
            status: rejection.status(),
            message: rejection.body_text(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.message }))).into_response()
    }
}
