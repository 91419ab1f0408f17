//! PostgreSQL: its settings, the pool, the migrations in `migrations/` and
//! the [`ItemStore`] the items routes use.
//!
//! sqlx is built without TLS: `sslmode` `disable`, `allow` and `prefer` (the
//! default) connect in plain text; `require`, `verify-ca` and `verify-full`
//! are refused at start. Queries are checked at run time (`query_as`), so
//! building never needs a database.

use std::collections::HashSet;
use std::ffi::OsString;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{Migrate, MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgSslMode};
use uuid::Uuid;

use crate::config::ConfigError;
use crate::items::{Item, ItemStore, StoreError, StoreFuture};

/// The migrations in `migrations/`, embedded at build time (`build.rs`
/// rebuilds when the folder changes).
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// Every statement of every connection is cancelled after this.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(5);
/// Waiting for a connection, connecting included, gives up after this.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long `/readyz` waits for `SELECT 1`.
pub const PING_TIMEOUT: Duration = Duration::from_secs(1);
/// `DATABASE_MAX_CONNS` when it is not set.
pub const DEFAULT_MAX_CONNS: u32 = 10;
/// The largest `DATABASE_MAX_CONNS`.
pub const MAX_MAX_CONNS: u32 = 100;

const EXAMPLE_URL: &str = "e.g. postgres://user:password@localhost:5432/dbname?sslmode=disable";

/// A checked `DATABASE_URL`. Its `Debug` form hides the password.
#[derive(Clone)]
pub struct DatabaseUrl {
    url: String,
    options: PgConnectOptions,
}

impl DatabaseUrl {
    /// Checks a PostgreSQL URL; the error never holds the password.
    pub fn parse(url: &str) -> Result<Self, String> {
        if url.trim().is_empty() {
            return Err(format!("empty; {EXAMPLE_URL}"));
        }
        let scheme = url
            .split_once("://")
            .map(|(scheme, _)| scheme.to_ascii_lowercase());
        if !matches!(scheme.as_deref(), Some("postgres" | "postgresql")) {
            return Err(format!(
                "not a postgres:// or postgresql:// URL; {EXAMPLE_URL}"
            ));
        }
        let options = PgConnectOptions::from_str(url).map_err(|err| {
            // sqlx's reasons are short ("invalid port number"); the URL's
            // password is taken out should one ever quote it.
            let reason = err.to_string();
            let reason = match password_of(url) {
                Some(password) => reason.replace(password, "***"),
                None => reason,
            };
            format!("not a valid PostgreSQL URL ({reason})")
        })?;
        if matches!(
            options.get_ssl_mode(),
            PgSslMode::Require | PgSslMode::VerifyCa | PgSslMode::VerifyFull
        ) {
            return Err(
                "this build has no TLS for the database: use sslmode=disable or prefer (see the README)"
                    .to_owned(),
            );
        }
        Ok(Self {
            url: url.to_owned(),
            options,
        })
    }

    /// The options to connect with.
    pub fn connect_options(&self) -> PgConnectOptions {
        self.options.clone()
    }

    /// The URL as logs and errors may show it.
    pub fn redacted(&self) -> String {
        redact(&self.url)
    }
}

impl PartialEq for DatabaseUrl {
    fn eq(&self, other: &Self) -> bool {
        self.url == other.url
    }
}

impl Eq for DatabaseUrl {}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DatabaseUrl")
            .field(&self.redacted())
            .finish()
    }
}

/// The URL with its user information and any `password=` parameter
/// replaced by `***`. Everything up to the last `@` goes, so a password
/// holding `/`, `?` or `#` cannot leak either.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return if url.contains('@') {
            "***".to_owned()
        } else {
            url.to_owned()
        };
    };
    let rest = match rest.rfind('@') {
        Some(at) => format!("***{}", &rest[at..]),
        None => rest.to_owned(),
    };
    let Some((base, query)) = rest.split_once('?') else {
        return format!("{scheme}://{rest}");
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{scheme}://{base}?{}", query.join("&"))
}

/// The password in a URL's user information, if there is one.
fn password_of(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let userinfo = &rest[..rest.rfind('@')?];
    let (_, password) = userinfo.split_once(':')?;
    (!password.is_empty()).then_some(password)
}

/// The database's settings, read and checked like [`Config`](crate::Config).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseConfig {
    /// `DATABASE_URL`: required.
    pub url: DatabaseUrl,
    /// `DATABASE_MAX_CONNS`: the pool's size, 1-100 (default 10).
    pub max_connections: u32,
}

impl DatabaseConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::load(|name| std::env::var_os(name))
    }

    /// Reads the settings through `getenv`, so tests need not touch the process environment.
    pub fn load(getenv: impl Fn(&str) -> Option<OsString>) -> Result<Self, ConfigError> {
        let var = |name: &'static str| -> Result<Option<String>, ConfigError> {
            match getenv(name).map(OsString::into_string) {
                None => Ok(None),
                Some(Ok(value)) => Ok(Some(value)),
                Some(Err(value)) => Err(ConfigError::new(
                    name,
                    Some(redact(&value.to_string_lossy())),
                    "not valid UTF-8",
                )),
            }
        };
        let url = match var("DATABASE_URL")? {
            None => {
                return Err(ConfigError::new(
                    "DATABASE_URL",
                    None,
                    format!("the PostgreSQL server to use, {EXAMPLE_URL}"),
                ));
            }
            Some(value) => DatabaseUrl::parse(&value).map_err(|problem| {
                ConfigError::new("DATABASE_URL", Some(redact(&value)), problem)
            })?,
        };
        let max_connections = match var("DATABASE_MAX_CONNS")? {
            None => DEFAULT_MAX_CONNS,
            Some(value) => match value.parse::<u32>() {
                Ok(n) if (1..=MAX_MAX_CONNS).contains(&n) => n,
                _ => {
                    return Err(ConfigError::new(
                        "DATABASE_MAX_CONNS",
                        Some(value),
                        format!("not a number of connections (1-{MAX_MAX_CONNS})"),
                    ));
                }
            },
        };
        Ok(Self {
            url,
            max_connections,
        })
    }

    /// The pool for these settings; see [`pool`].
    pub fn pool(&self) -> PgPool {
        pool(self.url.connect_options(), self.max_connections)
    }
}

/// A lazy pool: it connects on first use, so the service starts (and
/// `/healthz` answers) while the database is down. Each connection gets
/// `statement_timeout`; waiting for one, connecting included, is bounded
/// by [`CONNECT_TIMEOUT`].
pub fn pool(options: PgConnectOptions, max_connections: u32) -> PgPool {
    let statement_timeout = format!("{}ms", STATEMENT_TIMEOUT.as_millis());
    let options = options.options([("statement_timeout", statement_timeout.as_str())]);
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(CONNECT_TIMEOUT)
        .connect_lazy_with(options)
}

/// A migration that `migrate` applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub version: i64,
    pub description: String,
}

impl fmt::Display for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.version, self.description)
    }
}

/// Why `migrate` stopped: the migration it was at, if any, and sqlx's error.
#[derive(Debug)]
pub struct MigrationFailed {
    /// The migration that failed, when the error is about one.
    pub migration: Option<Applied>,
    /// Those applied before the failure.
    pub applied: Vec<Applied>,
    pub error: MigrateError,
}

impl fmt::Display for MigrationFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.migration {
            Some(migration) => write!(f, "migration {migration} failed: {}", self.error),
            None => write!(f, "migrating failed: {}", self.error),
        }
    }
}

impl std::error::Error for MigrationFailed {}

/// Applies every pending migration with sqlx's [`Migrator`] (which takes
/// an advisory lock, runs each migration in a transaction and keeps its
/// bookkeeping in `_sqlx_migrations`), and says which ones it applied.
pub async fn migrate(pool: &PgPool) -> Result<Vec<Applied>, MigrationFailed> {
    let failed = |error: MigrateError, applied: Vec<Applied>| {
        let version = match &error {
            MigrateError::ExecuteMigration(_, version)
            | MigrateError::VersionMismatch(version)
            | MigrateError::VersionMissing(version)
            | MigrateError::Dirty(version) => Some(*version),
            _ => None,
        };
        MigrationFailed {
            migration: version.map(describe),
            applied,
            error,
        }
    };
    let before = match applied_versions(pool).await {
        Ok(versions) => versions,
        Err(error) => return Err(failed(error, Vec::new())),
    };
    let outcome = MIGRATOR.run(pool).await;
    // What is applied now that was not before: this run's work.
    let after = applied_versions(pool).await.unwrap_or_default();
    let mut versions: Vec<i64> = after.difference(&before).copied().collect();
    versions.sort_unstable();
    let applied = versions.into_iter().map(describe).collect();
    match outcome {
        Ok(()) => Ok(applied),
        Err(error) => Err(failed(error, applied)),
    }
}

/// The versions `_sqlx_migrations` records (the table is made if needed).
async fn applied_versions(pool: &PgPool) -> Result<HashSet<i64>, MigrateError> {
    let mut conn = pool.acquire().await?;
    conn.ensure_migrations_table(&MIGRATOR.table_name).await?;
    let applied = conn.list_applied_migrations(&MIGRATOR.table_name).await?;
    Ok(applied.into_iter().map(|m| m.version).collect())
}

/// A version with its description from `migrations/`.
fn describe(version: i64) -> Applied {
    let description = MIGRATOR
        .iter()
        .find(|m| m.version == version && !m.migration_type.is_down_migration())
        .map_or_else(String::new, |m| m.description.to_string());
    Applied {
        version,
        description,
    }
}

/// The items table through the pool.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

/// Unreachable, closed or too slow is a 503; anything else a 500.
fn store_error(err: sqlx::Error) -> StoreError {
    let unavailable = match &err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        // 08: connection exception; 57014: statement_timeout cancelled the
        // query; 57P01-57P03: the server is shutting down or starting.
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || code == "57014" || code.starts_with("57P")
        }),
        _ => false,
    };
    if unavailable {
        StoreError::Unavailable(Box::new(err))
    } else {
        StoreError::Failed(Box::new(err))
    }
}

impl ItemStore for PgStore {
    fn create<'a>(&'a self, name: &'a str) -> StoreFuture<'a, Item> {
        Box::pin(async move {
            sqlx::query_as::<_, Item>(
                "INSERT INTO items (name) VALUES ($1) RETURNING id, name, created_at",
            )
            .bind(name)
            .fetch_one(&self.pool)
            .await
            .map_err(store_error)
        })
    }

    fn get(&self, id: Uuid) -> StoreFuture<'_, Option<Item>> {
        Box::pin(async move {
            sqlx::query_as::<_, Item>("SELECT id, name, created_at FROM items WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(store_error)
        })
    }

    fn list(&self, limit: u32) -> StoreFuture<'_, Vec<Item>> {
        Box::pin(async move {
            sqlx::query_as::<_, Item>(
                "SELECT id, name, created_at FROM items ORDER BY created_at DESC, id DESC LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)
        })
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            sqlx::query("SELECT 1")
                .execute(&self.pool)
                .await
                .map(|_| ())
                .map_err(store_error)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(vars: &[(&str, &str)]) -> Result<DatabaseConfig, ConfigError> {
        DatabaseConfig::load(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| OsString::from(value))
        })
    }

    const URL: &str = "postgres://app:s3cret@localhost:5432/app?sslmode=disable";

    #[test]
    fn the_url_and_the_pool_size_are_read() {
        let config = load(&[("DATABASE_URL", URL)]).unwrap();
        assert_eq!(config.max_connections, DEFAULT_MAX_CONNS);
        let options = config.url.connect_options();
        assert_eq!(options.get_host(), "localhost");
        assert_eq!(options.get_database(), Some("app"));
        let config = load(&[
            ("DATABASE_URL", "postgresql://db.internal/app"),
            ("DATABASE_MAX_CONNS", "100"),
        ])
        .unwrap();
        assert_eq!(config.max_connections, 100);
    }

    #[test]
    fn a_bad_url_is_named_without_its_password() {
        let cases = [
            (None, "config: DATABASE_URL is not set"),
            (Some(""), r#"config: DATABASE_URL="": empty"#),
            (Some("  "), r#"config: DATABASE_URL="  ": empty"#),
            (
                Some("mysql://u@h/db"),
                r#"config: DATABASE_URL="mysql://***@h/db": not a postgres:// or postgresql:// URL"#,
            ),
            (
                Some("localhost:5432"),
                r#"config: DATABASE_URL="localhost:5432": not a postgres://"#,
            ),
            (
                Some("postgres://u:hunter2-secret@host:notaport/db"),
                r#"config: DATABASE_URL="postgres://***@host:notaport/db": not a valid PostgreSQL URL"#,
            ),
            (
                Some("postgres://u:hunter2@host/db?sslmode=require"),
                r#"config: DATABASE_URL="postgres://***@host/db?sslmode=require": this build has no TLS"#,
            ),
            (
                Some("postgres://u:p/w?d#x@host/db"),
                r#"config: DATABASE_URL="postgres://***@host/db": not a valid PostgreSQL URL"#,
            ),
            (
                Some("postgres://host/db?user=u&password=hunter2&sslmode=nope"),
                r#"config: DATABASE_URL="postgres://host/db?user=u&password=***&sslmode=nope": not a valid PostgreSQL URL"#,
            ),
        ];
        for (value, want) in cases {
            let vars: Vec<(&str, &str)> = value.map(|v| ("DATABASE_URL", v)).into_iter().collect();
            let err = load(&vars).unwrap_err().to_string();
            assert!(err.starts_with(want), "{value:?}: got {err:?}");
            assert!(!err.contains('\n'), "{err:?} is more than one line");
            for secret in ["hunter2", "s3cret", "p/w"] {
                assert!(!err.contains(secret), "{err:?} shows a password");
            }
        }
    }

    #[test]
    fn a_bad_pool_size_is_named() {
        for value in ["0", "101", "x", "", "-1"] {
            let err = load(&[("DATABASE_URL", URL), ("DATABASE_MAX_CONNS", value)])
                .unwrap_err()
                .to_string();
            let want = format!(
                "config: DATABASE_MAX_CONNS={value:?}: not a number of connections (1-100)"
            );
            assert_eq!(err, want);
        }
    }

    #[test]
    fn debug_hides_the_password() {
        let config = load(&[("DATABASE_URL", URL)]).unwrap();
        let shown = format!("{config:?}");
        assert!(
            shown.contains("postgres://***@localhost:5432/app"),
            "{shown}"
        );
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
