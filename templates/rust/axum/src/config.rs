//! Settings from the environment, read and checked in one place at start-up.

use std::ffi::OsString;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use tracing_subscriber::EnvFilter;

/// Everything the service reads from its environment, already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `HOST`: the address to listen on (default `0.0.0.0`; `::` for IPv6 too).
    pub host: IpAddr,
    /// `PORT`: 1-65535 (default 8080).
    pub port: u16,
    /// `RUST_LOG`: an `EnvFilter` directive (default `info`), known to parse.
    pub log_filter: String,
    /// `SHUTDOWN_DRAIN`: how long to keep serving, not ready, after a signal.
    pub shutdown_drain: Duration,
    /// `SHUTDOWN_TIMEOUT`: how long in-flight requests get once the drain is over.
    pub shutdown_timeout: Duration,
    /// `REQUEST_TIMEOUT`: a request still running after this gets a 408.
    pub request_timeout: Duration,
    /// A client that has not sent its request headers within this is disconnected.
    /// Not read from the environment; tests shorten it.
    pub header_read_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            port: 8080,
            log_filter: "info".to_owned(),
            shutdown_drain: Duration::from_secs(1),
            shutdown_timeout: Duration::from_secs(15),
            request_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(5),
        }
    }
}

/// A bad setting: which variable, its value, and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    name: &'static str,
    value: String,
    problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Debug quoting escapes quotes and control characters: the message stays one line.
        write!(
            f,
            "config: {}={:?}: {}",
            self.name, self.value, self.problem
        )
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::load(|name| std::env::var_os(name))
    }

    /// Reads the settings through `getenv`, so tests need not touch the process environment.
    pub fn load(getenv: impl Fn(&str) -> Option<OsString>) -> Result<Self, ConfigError> {
        let var = |name: &'static str| -> Result<Option<String>, ConfigError> {
            match getenv(name) {
                None => Ok(None),
                Some(value) => match value.into_string() {
                    Ok(value) => Ok(Some(value)),
                    Err(value) => Err(ConfigError {
                        name,
                        value: value.to_string_lossy().into_owned(),
                        problem: "not valid UTF-8".to_owned(),
                    }),
                },
            }
        };
        let defaults = Self::default();

        let host = match var("HOST")? {
            None => defaults.host,
            Some(value) => value.parse().map_err(|_| ConfigError {
                name: "HOST",
                problem: "not an IP address (e.g. 0.0.0.0, 127.0.0.1, ::, ::1)".to_owned(),
                value,
            })?,
        };
        let port = match var("PORT")? {
            None => defaults.port,
            Some(value) => match value.parse::<u16>() {
                Ok(port) if port != 0 => port,
                _ => {
                    return Err(ConfigError {
                        name: "PORT",
                        problem: "not a port number (1-65535)".to_owned(),
                        value,
                    });
                }
            },
        };
        let log_filter = match var("RUST_LOG")? {
            None => defaults.log_filter,
            Some(value) => match EnvFilter::builder().parse(&value) {
                Ok(_) if !value.trim().is_empty() => value,
                Ok(_) => {
                    return Err(ConfigError {
                        name: "RUST_LOG",
                        problem: "empty; unset it for the default (info)".to_owned(),
                        value,
                    });
                }
                Err(err) => {
                    return Err(ConfigError {
                        name: "RUST_LOG",
                        problem: format!(
                            "not a log filter ({err}); e.g. info, debug, warn,my_crate=debug"
                        ),
                        value,
                    });
                }
            },
        };
        let duration = |name: &'static str, default: Duration| -> Result<Duration, ConfigError> {
            match var(name)? {
                None => Ok(default),
                Some(value) => parse_duration(&value).ok_or_else(|| ConfigError {
                    name,
                    problem: "not a duration (an integer and ms, s or m, e.g. 500ms, 1s, 2m)"
                        .to_owned(),
                    value,
                }),
            }
        };
        let shutdown_drain = duration("SHUTDOWN_DRAIN", defaults.shutdown_drain)?;
        let shutdown_timeout = duration("SHUTDOWN_TIMEOUT", defaults.shutdown_timeout)?;
        let request_timeout = duration("REQUEST_TIMEOUT", defaults.request_timeout)?;

        if request_timeout.is_zero() {
            return Err(ConfigError {
                name: "REQUEST_TIMEOUT",
                value: var("REQUEST_TIMEOUT")?.unwrap_or_default(),
                problem: "must be more than 0".to_owned(),
            });
        }
        // A shorter budget would cut off requests the timeout still allows.
        if shutdown_timeout < request_timeout {
            return Err(ConfigError {
                name: "SHUTDOWN_TIMEOUT",
                value: var("SHUTDOWN_TIMEOUT")?
                    .unwrap_or_else(|| format_duration(shutdown_timeout)),
                problem: format!(
                    "must be at least REQUEST_TIMEOUT ({})",
                    format_duration(request_timeout)
                ),
            });
        }

        Ok(Self {
            host,
            port,
            log_filter,
            shutdown_drain,
            shutdown_timeout,
            request_timeout,
            header_read_timeout: defaults.header_read_timeout,
        })
    }

    /// The socket address to listen on.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.port)
    }
}

/// Parses an integer followed by `ms`, `s` or `m`, the subset of Go's
/// `time.ParseDuration` syntax the other templates accept too.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let digits = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(digits);
    if number.is_empty() {
        return None;
    }
    let number: u64 = number.parse().ok()?;
    match unit {
        "ms" => Some(Duration::from_millis(number)),
        "s" => Some(Duration::from_secs(number)),
        "m" => Some(Duration::from_secs(number.checked_mul(60)?)),
        _ => None,
    }
}

fn format_duration(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{}s", duration.as_secs())
    } else {
        format!("{}ms", duration.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::load(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| OsString::from(value))
        })
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        assert_eq!(load(&[]), Ok(Config::default()));
    }

    #[test]
    fn every_variable_is_read() {
        let config = load(&[
            ("HOST", "::1"),
            ("PORT", "9000"),
            ("RUST_LOG", "warn,tower_http=debug"),
            ("SHUTDOWN_DRAIN", "0s"),
            ("SHUTDOWN_TIMEOUT", "2m"),
            ("REQUEST_TIMEOUT", "500ms"),
        ])
        .unwrap();
        assert_eq!(config.addr(), "[::1]:9000".parse().unwrap());
        assert_eq!(config.log_filter, "warn,tower_http=debug");
        assert_eq!(config.shutdown_drain, Duration::ZERO);
        assert_eq!(config.shutdown_timeout, Duration::from_secs(120));
        assert_eq!(config.request_timeout, Duration::from_millis(500));
    }

    #[test]
    fn bad_values_name_the_variable_the_value_and_the_rule() {
        let cases = [
            (
                ("PORT", "abc"),
                r#"config: PORT="abc": not a port number (1-65535)"#,
            ),
            (
                ("PORT", ""),
                r#"config: PORT="": not a port number (1-65535)"#,
            ),
            (
                ("PORT", "0"),
                r#"config: PORT="0": not a port number (1-65535)"#,
            ),
            (
                ("PORT", "65536"),
                r#"config: PORT="65536": not a port number (1-65535)"#,
            ),
            (
                ("HOST", "example.com"),
                r#"config: HOST="example.com": not an IP address"#,
            ),
            (
                ("SHUTDOWN_DRAIN", "1h"),
                r#"config: SHUTDOWN_DRAIN="1h": not a duration"#,
            ),
            (
                ("REQUEST_TIMEOUT", "5"),
                r#"config: REQUEST_TIMEOUT="5": not a duration"#,
            ),
            (
                ("REQUEST_TIMEOUT", "0s"),
                r#"config: REQUEST_TIMEOUT="0s": must be more than 0"#,
            ),
            (
                ("SHUTDOWN_TIMEOUT", "5s"),
                r#"config: SHUTDOWN_TIMEOUT="5s": must be at least REQUEST_TIMEOUT (10s)"#,
            ),
            (
                ("RUST_LOG", "app=loud"),
                r#"config: RUST_LOG="app=loud": not a log filter"#,
            ),
            (("RUST_LOG", ""), r#"config: RUST_LOG="": empty"#),
            (
                ("PORT", "8080\nX"),
                r#"config: PORT="8080\nX": not a port number"#,
            ),
        ];
        for ((name, value), want) in cases {
            let err = load(&[(name, value)]).unwrap_err().to_string();
            assert!(err.starts_with(want), "{name}={value:?}: got {err:?}");
            assert!(!err.contains('\n'), "{err:?} is more than one line");
        }
    }

    #[test]
    fn durations_take_ms_s_and_m() {
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("0s"), Some(Duration::ZERO));
        assert_eq!(parse_duration("3m"), Some(Duration::from_secs(180)));
        for bad in [
            "",
            "s",
            "1",
            "-1s",
            "1.5s",
            "1 s",
            "1S",
            "1h",
            "99999999999999999999s",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }
}
