//! Routes, handlers and the middleware stack every route runs through.

use std::any::Any;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, MatchedPath, Request, State};
use axum::http::header::{CONNECTION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Version};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::problem::{self, Problem};
use crate::request_id::{self, REQUEST_ID};

/// Largest request body accepted, in bytes (1 MiB).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Longest accepted echo message, in characters.
const MAX_MESSAGE_CHARS: usize = 280;

/// What the handlers share: for now, whether shutdown has begun.
#[derive(Debug, Clone, Default)]
pub struct AppState {
    draining: std::sync::Arc<AtomicBool>,
}

impl AppState {
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks the service as shutting down: `/readyz` answers 503 from now on.
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }
}

/// The service's router: `main` serves it, the tests call it directly.
pub fn app(state: AppState, config: &Config) -> Router {
    with_middleware(routes(), state, config)
}

/// The service's own routes, without middleware.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/v1/echo", post(echo))
}

/// Wraps `routes` in the fallback and the middleware every request gets, so
/// tests can add routes (one that panics, one that is slow) to the real stack.
pub fn with_middleware(routes: Router<AppState>, state: AppState, config: &Config) -> Router {
    // The last layer added runs first: read this list from the bottom up.
    routes
        .fallback(not_found)
        // axum's extractors would allow 2 MB; the layer also refuses a large
        // Content-Length before any handler runs.
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(CatchPanicLayer::custom(on_panic))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            close_while_draining,
        ))
        .layer(middleware::from_fn(problem::render))
        .layer(middleware::from_fn(access_log))
        // Every log line of the request, the access line included, carries the span's ID.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<Body>| {
                    tracing::info_span!("request", request_id = header_str(request.headers()))
                })
                .on_request(())
                .on_response(())
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .layer(middleware::map_request(request_id::drop_invalid))
        .with_state(state)
}

fn header_str(headers: &HeaderMap) -> &str {
    headers
        .get(&REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.is_draining() {
        let body = Json(json!({ "status": "draining" }));
        (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
    } else {
        Json(json!({ "status": "ready" })).into_response()
    }
}

async fn not_found(request: Request) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        format!("no route for {} {}", request.method(), request.uri().path()),
    )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EchoRequest {
    message: String,
}

#[derive(Debug, Serialize)]
struct EchoResponse {
    message: String,
}

async fn echo(JsonBody(request): JsonBody<EchoRequest>) -> Result<Json<EchoResponse>, Problem> {
    let message = request.message.trim();
    if message.is_empty() {
        return Err(Problem::bad_request("message must not be empty"));
    }
    if message.chars().count() > MAX_MESSAGE_CHARS {
        return Err(Problem::bad_request(format!(
            "message must be at most {MAX_MESSAGE_CHARS} characters"
        )));
    }
    Ok(Json(EchoResponse {
        message: message.to_owned(),
    }))
}

/// A JSON request body, strictly: `Content-Type: application/json` (415
/// otherwise), no trailing data, and, with `#[serde(deny_unknown_fields)]` on
/// the type, no unknown fields and no type coercion (400).
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        if !is_json(request.headers()) {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Content-Type must be application/json",
            ));
        }
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => Problem::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!("the body is larger than {MAX_BODY_BYTES} bytes"),
                    ),
                    status => Problem::new(status, rejection.body_text()),
                })?;
        // from_slice refuses anything but whitespace after the value.
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|err| Problem::bad_request(format!("invalid JSON body: {err}")))
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// The panic itself is logged here, inside the request's span; the client
/// gets a plain 500 problem and the process keeps serving.
fn on_panic(payload: Box<dyn Any + Send + 'static>) -> Response {
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "handler panicked");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// While draining, HTTP/1 answers say `Connection: close`, so keep-alive
/// clients move to another instance instead of reusing this connection.
async fn close_while_draining(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let http1 = request.version() <= Version::HTTP_11;
    let mut response = next.run(request).await;
    if http1 && state.is_draining() {
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// One line per request: the route pattern, never the raw URI, whose path
/// and query may carry IDs or secrets.
async fn access_log(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let request_id = header_str(request.headers()).to_owned();
    let start = Instant::now();
    let response = next.run(request).await;
    let duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    let status = response.status().as_u16();

    macro_rules! access {
        ($level:expr) => {
            tracing::event!(
                $level,
                method = %method,
                route = %route,
                status,
                duration_ms,
                request_id = %request_id,
                "request"
            )
        };
    }
    if route == "/healthz" || route == "/readyz" {
        access!(tracing::Level::DEBUG);
    } else if response.status().is_server_error() {
        access!(tracing::Level::ERROR);
    } else if response.status().is_client_error() {
        access!(tracing::Level::WARN);
    } else {
        access!(tracing::Level::INFO);
    }
    response
}
