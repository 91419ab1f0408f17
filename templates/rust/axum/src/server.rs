//! Serving connections, and the order of a graceful shutdown.

use std::future::Future;
use std::io;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

use crate::app::AppState;
use crate::config::Config;

/// How a shutdown ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shutdown {
    /// Every in-flight request finished.
    Drained,
    /// `SHUTDOWN_TIMEOUT` ran out and requests were cut off.
    CutOff,
}

/// Serves `app` on `listener` until `signal` resolves, then:
/// `/readyz` turns 503 at once, serving goes on for `shutdown_drain`, the
/// listener closes, idle connections close, and in-flight requests get up to
/// `shutdown_timeout` to finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    config: &Config,
    state: &AppState,
    signal: impl Future<Output = ()>,
) -> Shutdown {
    // HTTP/1 only: the auto builder's HTTP/2 sniffing reads the first bytes
    // before the header read timeout starts, so a silent client would never
    // time out. Once hyper reads a request head, this timeout bounds it (and
    // the wait for the next request on an idle keep-alive connection).
    let mut builder = auto::Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout);
    let service = TowerToHyperService::new(app);
    let graceful = GracefulShutdown::new();

    let accept = |accepted: io::Result<(tokio::net::TcpStream, std::net::SocketAddr)>| {
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(err) => {
                // Usually out of file descriptors: go on with the connections there are.
                tracing::warn!(error = %err, "accept failed");
                return false;
            }
        };
        let connection = builder
            .serve_connection(TokioIo::new(stream), service.clone())
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, "connection ended with an error");
            }
        });
        true
    };

    tokio::pin!(signal);
    loop {
        tokio::select! {
            biased;
            () = &mut signal => break,
            accepted = listener.accept() => {
                if !accept(accepted) {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    state.start_draining();
    tracing::info!(
        drain_ms = millis(config.shutdown_drain),
        timeout_ms = millis(config.shutdown_timeout),
        "shutdown started: not ready, still serving"
    );
    // Load balancers need a moment to see /readyz fail and stop sending.
    let drain = tokio::time::sleep(config.shutdown_drain);
    tokio::pin!(drain);
    loop {
        tokio::select! {
            biased;
            () = &mut drain => break,
            accepted = listener.accept() => {
                if !accept(accepted) {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
    drop(listener);

    let open = graceful.count();
    let outcome = match tokio::time::timeout(config.shutdown_timeout, graceful.shutdown()).await {
        Ok(()) => Shutdown::Drained,
        Err(_) => Shutdown::CutOff,
    };
    tracing::info!(
        drained = outcome == Shutdown::Drained,
        connections = open,
        "shutdown finished"
    );
    outcome
}

/// A duration in whole milliseconds for a log field; `u64::MAX` for one too
/// long to count (half a billion years).
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
