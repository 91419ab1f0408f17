//! The service as a library: `main` only reads the config, sets up logging and
//! calls [`serve`]; the tests drive the same code in-process.

mod app;
mod config;
mod problem;
mod request_id;
mod server;

pub use app::{app, routes, with_middleware};
pub use config::parse_duration;
pub use server::serve;

pub use app::{AppState, JsonBody, MAX_BODY_BYTES};
pub use config::{Config, ConfigError};
pub use problem::Problem;
pub use server::Shutdown;
