//! The sample resource, `/v1/items`: its handlers, its validation and the
//! small interface they store items through ([`ItemStore`]). The database
//! implements it in `db.rs`; [`MemoryStore`] is the fake the tests use.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::{AppState, JsonBody};
use crate::problem::{Problem, ProblemBody};

/// Longest item name, in characters (Unicode code points), as the table's
/// CHECK constraint says.
pub const MAX_NAME_CHARS: usize = 100;
/// Items `GET /v1/items` lists when no `limit` is given.
pub const DEFAULT_LIMIT: u32 = 20;
/// The largest `limit` accepted.
pub const MAX_LIMIT: u32 = 100;

/// One stored item, as the API answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Item {
    /// Made by the database (`gen_random_uuid()`), in lower case.
    pub id: Uuid,
    pub name: String,
    /// When the database stored it, RFC 3339.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// The body of `POST /v1/items`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    /// 1-100 characters once trimmed; stored trimmed.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
}

/// The answer of `GET /v1/items`: the newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ItemList {
    pub items: Vec<Item>,
}

/// The query of `GET /v1/items`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// How many items, 1-100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
}

/// Why the store could not answer.
#[derive(Debug)]
pub enum StoreError {
    /// The database cannot be reached, or did not answer in time: a 503.
    Unavailable(Box<dyn Error + Send + Sync>),
    /// Anything else the database refused: a 500.
    Failed(Box<dyn Error + Send + Sync>),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable(err) => write!(f, "the database is unavailable: {err}"),
            Self::Failed(err) => write!(f, "the database failed: {err}"),
        }
    }
}

impl Error for StoreError {}

/// What a store's methods return: a boxed future, so the store can be a
/// trait object in [`AppState`].
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Where items live: PostgreSQL in the service, memory in tests.
pub trait ItemStore: fmt::Debug + Send + Sync {
    /// Stores a new item with a checked name.
    fn create<'a>(&'a self, name: &'a str) -> StoreFuture<'a, Item>;
    /// The item with this id, if there is one.
    fn get(&self, id: Uuid) -> StoreFuture<'_, Option<Item>>;
    /// Up to `limit` items, the newest first (`created_at`, then `id`, descending).
    fn list(&self, limit: u32) -> StoreFuture<'_, Vec<Item>>;
    /// Whether the store answers at all (`/readyz`).
    fn ping(&self) -> StoreFuture<'_, ()>;
}

/// The problem for a store that failed; the error itself goes to the log,
/// never to the client.
fn store_problem(err: &StoreError) -> Problem {
    tracing::error!(error = %err, "database error");
    match err {
        StoreError::Unavailable(_) => Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the database is unavailable; try again later",
        ),
        StoreError::Failed(_) => Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the database could not complete the request",
        ),
    }
}

/// The name as stored: trimmed, 1-100 characters.
fn check_name(name: &str) -> Result<&str, Problem> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Problem::bad_request("name must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(Problem::bad_request(format!(
            "name must be at most {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(name)
}

/// `limit` as given: absent means the default; anything but 1-100 is refused.
fn check_limit(limit: Option<&str>) -> Result<u32, Problem> {
    let Some(limit) = limit else {
        return Ok(DEFAULT_LIMIT);
    };
    match limit.parse::<u32>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(Problem::bad_request(format!(
            "limit must be an integer 1-{MAX_LIMIT}"
        ))),
    }
}

/// Create an item.
#[utoipa::path(
    post,
    path = "/v1/items",
    tag = "items",
    request_body = NewItem,
    responses(
        (status = 201, description = "The item stored; `Location` names it", body = Item,
            headers(("Location" = String, description = "/v1/items/{id}"))),
        (status = 400, description = "Invalid JSON, an unknown field, a wrong type, an empty or too long name", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "A body over 1 MiB", body = ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "Not `Content-Type: application/json`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = ProblemBody, content_type = "application/problem+json"),
        (status = "default", description = "Any other error", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    JsonBody(new): JsonBody<NewItem>,
) -> Result<Response, Problem> {
    let name = check_name(&new.name)?;
    let item = state
        .items()
        .create(name)
        .await
        .map_err(|err| store_problem(&err))?;
    let location = [(
        axum::http::header::LOCATION,
        format!("/v1/items/{}", item.id),
    )];
    Ok((StatusCode::CREATED, location, Json(item)).into_response())
}

/// Read one item.
#[utoipa::path(
    get,
    path = "/v1/items/{id}",
    tag = "items",
    params(("id" = Uuid, Path, description = "The item's id")),
    responses(
        (status = 200, description = "The item", body = Item),
        (status = 400, description = "The id is not a UUID", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No item has this id", body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = ProblemBody, content_type = "application/problem+json"),
        (status = "default", description = "Any other error", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Item>, Problem> {
    let id = Uuid::try_parse(&id).map_err(|_| Problem::bad_request("id must be a UUID"))?;
    match state.items().get(id).await {
        Ok(Some(item)) => Ok(Json(item)),
        Ok(None) => Err(Problem::new(
            StatusCode::NOT_FOUND,
            format!("no item has the id {id}"),
        )),
        Err(err) => Err(store_problem(&err)),
    }
}

/// List items, the newest first.
#[utoipa::path(
    get,
    path = "/v1/items",
    tag = "items",
    params(ListQuery),
    responses(
        (status = 200, description = "Up to `limit` items, the newest first", body = ItemList),
        (status = 400, description = "`limit` is not an integer 1-100", body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = ProblemBody, content_type = "application/problem+json"),
        (status = "default", description = "Any other error", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Json<ItemList>, Problem> {
    let limit = check_limit(query.limit.as_deref())?;
    match state.items().list(limit).await {
        Ok(items) => Ok(Json(ItemList { items })),
        Err(err) => Err(store_problem(&err)),
    }
}

/// An [`ItemStore`] in memory: the fake behind the handlers' tests, and
/// what [`AppState::new`] starts with. It can be switched off, to see how
/// the service answers when its database is down.
#[derive(Debug, Default)]
pub struct MemoryStore {
    items: std::sync::Mutex<Vec<Item>>,
    down: AtomicBool,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes every call fail as an unreachable database does (`true`), or
    /// answer again (`false`).
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    fn check(&self) -> Result<(), StoreError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("the memory store is down".into()));
        }
        Ok(())
    }

    fn with_items<T>(&self, f: impl FnOnce(&mut Vec<Item>) -> T) -> Result<T, StoreError> {
        self.check()?;
        let mut items = self
            .items
            .lock()
            .map_err(|_| StoreError::Failed("a test panicked while holding the store".into()))?;
        Ok(f(&mut items))
    }
}

impl ItemStore for MemoryStore {
    fn create<'a>(&'a self, name: &'a str) -> StoreFuture<'a, Item> {
        let item = Item {
            id: Uuid::new_v4(),
            name: name.to_owned(),
            created_at: OffsetDateTime::now_utc(),
        };
        let stored = self.with_items(|items| {
            items.push(item.clone());
            item
        });
        Box::pin(async move { stored })
    }

    fn get(&self, id: Uuid) -> StoreFuture<'_, Option<Item>> {
        let found = self.with_items(|items| items.iter().find(|item| item.id == id).cloned());
        Box::pin(async move { found })
    }

    fn list(&self, limit: u32) -> StoreFuture<'_, Vec<Item>> {
        let listed = self.with_items(|items| {
            let mut newest = items.clone();
            newest.sort_by_key(|item| std::cmp::Reverse((item.created_at, item.id)));
            newest.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            newest
        });
        Box::pin(async move { listed })
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        let up = self.check();
        Box::pin(async move { up })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_1_to_100_characters() {
        assert_eq!(check_name("  shelf  "), Ok("shelf"));
        let longest = "é".repeat(MAX_NAME_CHARS);
        assert_eq!(check_name(&longest), Ok(longest.as_str()));
        for bad in ["", "   ", &"x".repeat(MAX_NAME_CHARS + 1)] {
            let problem = check_name(bad).unwrap_err();
            assert_eq!(problem.status, StatusCode::BAD_REQUEST, "{bad:?}");
        }
    }

    #[test]
    fn limits_are_1_to_100_with_a_default() {
        assert_eq!(check_limit(None), Ok(DEFAULT_LIMIT));
        assert_eq!(check_limit(Some("1")), Ok(1));
        assert_eq!(check_limit(Some("100")), Ok(100));
        for bad in ["0", "101", "x", "", "-1", "1.5", " 5", "99999999999"] {
            let problem = check_limit(Some(bad)).unwrap_err();
            assert_eq!(problem.status, StatusCode::BAD_REQUEST, "{bad:?}");
        }
    }
}
