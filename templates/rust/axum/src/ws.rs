//! The WebSocket room at `GET /v1/ws`: every text message a client sends goes,
//! unchanged, to every connected client, the sender included, in the order
//! the room received them.
//!
//! Each client has a bounded queue, and one that falls behind is closed
//! (1008) instead of holding up the others. The server pings every client
//! each [`PING_INTERVAL`] and drops one that has not answered the previous
//! ping. When shutdown starts, every client gets a close frame (1001).
//! Connections and their ends are logged at debug level, with the request
//! ID of the handshake; messages never are.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::close_code;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Extension, State};
use axum::http::header::{ALLOW, HOST, ORIGIN, SEC_WEBSOCKET_VERSION, UPGRADE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::Notify;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite;
use tracing::Instrument;

use crate::app::AppState;
use crate::problem::Problem;

/// The largest text message accepted, in bytes (64 KiB); a larger one closes
/// its sender's connection with 1009.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// The largest frame read to its end. A frame over [`MAX_MESSAGE_BYTES`] but
/// within this is read whole, so the connection stays readable and its 1009
/// close can wait for the client's answer. A larger frame is refused from its
/// header: its payload is never read, so after the close frame the
/// connection is dropped.
const MAX_FRAME_BYTES: usize = 1024 * 1024;
/// How often the server pings each client. A client that has not answered
/// the previous ping (a pong) when the next one is due is dropped.
pub const PING_INTERVAL: Duration = Duration::from_secs(30);
/// Messages waiting to go out to one client; a client that has this many
/// is too slow, and is closed (1008).
const QUEUE_MESSAGES: usize = 32;
/// How long a closing handshake may take before the connection is dropped.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

const TOO_BIG: &str = "message too big: the limit is 65536 bytes";
const TOO_SLOW: &str = "too slow: messages were piling up";
const GOING_AWAY: &str = "server shutting down";

/// Who is connected, and how far the server's shutdown is.
#[derive(Debug, Clone)]
pub struct Room {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    ping_interval: Duration,
    next_id: AtomicU64,
    clients: Mutex<HashMap<u64, Client>>,
    phase: watch::Sender<Phase>,
    /// Connections not yet ended: from the handshake's answer until the
    /// closing handshake is over, which is after they left `clients`.
    open: watch::Sender<usize>,
}

/// What the room keeps of one client.
#[derive(Debug)]
struct Client {
    queue: mpsc::Sender<Utf8Bytes>,
    /// Woken when the queue overflowed.
    too_slow: Arc<Notify>,
}

/// Where the server's shutdown is, as every connection sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Open,
    /// The drain began: send a close frame (1001) and wait for the answer.
    Closing,
    /// The shutdown budget is spent: drop the connection now.
    Terminate,
}

impl Default for Room {
    fn default() -> Self {
        Self::new(PING_INTERVAL)
    }
}

impl Room {
    /// An empty room that pings its clients every `ping_interval`.
    pub fn new(ping_interval: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                ping_interval,
                next_id: AtomicU64::new(1),
                clients: Mutex::default(),
                phase: watch::Sender::new(Phase::Open),
                open: watch::Sender::new(0),
            }),
        }
    }

    fn clients(&self) -> MutexGuard<'_, HashMap<u64, Client>> {
        // Nothing panics while holding the lock, and the map would still be
        // whole if something did: go on with it.
        self.inner
            .clients
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// How many clients are in the room.
    pub fn client_count(&self) -> usize {
        self.clients().len()
    }

    /// How many connections have not ended yet, closing ones included.
    pub fn open(&self) -> usize {
        *self.inner.open.borrow()
    }

    /// The drain began: no new clients, and every connection sends its
    /// close frame (1001).
    pub fn close_all(&self) {
        self.inner.phase.send_if_modified(|phase| {
            let open = *phase == Phase::Open;
            if open {
                *phase = Phase::Closing;
            }
            open
        });
    }

    /// Drops every connection still open, closing handshake or not.
    pub fn terminate_all(&self) {
        self.inner.phase.send_replace(Phase::Terminate);
    }

    /// Resolves once every connection has ended.
    pub async fn closed(&self) {
        let mut open = self.inner.open.subscribe();
        // The room holds the sender: this fails only if the room is gone.
        let _ = open.wait_for(|open| *open == 0).await;
    }

    fn is_open(&self) -> bool {
        *self.inner.phase.borrow() == Phase::Open
    }

    /// A new client, in the room from now on: messages sent before its
    /// socket is ready wait in its queue.
    fn join(&self) -> (Member, Connection) {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let (sender, queue) = mpsc::channel(QUEUE_MESSAGES);
        let too_slow = Arc::new(Notify::new());
        let client = Client {
            queue: sender,
            too_slow: Arc::clone(&too_slow),
        };
        self.clients().insert(id, client);
        self.inner.open.send_modify(|open| *open += 1);
        let member = Member {
            room: self.clone(),
            id,
            queue,
            too_slow,
        };
        (member, Connection(self.clone()))
    }

    /// Queues `text` for every client. A client whose queue is full leaves
    /// the room and is told to close; nobody waits for it.
    fn broadcast(&self, text: &Utf8Bytes) {
        self.clients()
            .retain(|_, client| match client.queue.try_send(text.clone()) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    client.too_slow.notify_one();
                    false
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            });
    }
}

/// A client's place in the room; it leaves the room when dropped.
#[derive(Debug)]
struct Member {
    room: Room,
    id: u64,
    queue: mpsc::Receiver<Utf8Bytes>,
    too_slow: Arc<Notify>,
}

impl Drop for Member {
    fn drop(&mut self) {
        self.room.clients().remove(&self.id);
    }
}

/// Counts a connection as open until dropped.
#[derive(Debug)]
struct Connection(Room);

impl Drop for Connection {
    fn drop(&mut self) {
        self.0
            .inner
            .open
            .send_modify(|open| *open = open.saturating_sub(1));
    }
}

/// The origins besides the server's own that may open a socket, from
/// `WS_ALLOWED_ORIGINS`.
#[derive(Debug, Clone, Default)]
pub struct AllowedOrigins(Arc<[String]>);

impl AllowedOrigins {
    pub fn new(origins: &[String]) -> Self {
        Self(origins.into())
    }

    /// A request without `Origin` is not from a browser page: allowed. One
    /// with it is allowed when the origin's host (and port) is the request's
    /// `Host`, or the origin is listed. The error is the refused origin.
    fn check(&self, headers: &HeaderMap) -> Result<(), String> {
        let Some(origin) = headers.get(ORIGIN) else {
            return Ok(());
        };
        let origin = String::from_utf8_lossy(origin.as_bytes());
        let origin = origin.strip_suffix('/').unwrap_or(&origin);
        let host = headers.get(HOST).map(HeaderValue::as_bytes);
        let same_host = origin.split_once("://").is_some_and(|(_, authority)| {
            host.is_some_and(|host| host.eq_ignore_ascii_case(authority.as_bytes()))
        });
        if same_host || self.0.iter().any(|o| o.eq_ignore_ascii_case(origin)) {
            Ok(())
        } else {
            Err(origin.to_owned())
        }
    }
}

/// `GET /v1/ws`: refuses what must not become a socket (503 while shutting
/// down, 426 without a WebSocket handshake, 403 from a foreign page), then
/// upgrades. The handshake's access line says 101.
pub async fn upgrade(
    State(state): State<AppState>,
    Extension(origins): Extension<AllowedOrigins>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let room = state.room();
    if !room.is_open() {
        return Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting down: no new WebSocket connections",
        )
        .into_response();
    }
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return refuse(rejection),
    };
    if let Err(origin) = origins.check(&headers) {
        return Problem::new(
            StatusCode::FORBIDDEN,
            format!("origin {origin:?} may not open a WebSocket here"),
        )
        .into_response();
    }
    let (member, connection) = room.join();
    // The connection runs in a task of its own: it logs in the request's span.
    let span = tracing::Span::current();
    let failed = span.clone();
    upgrade
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_failed_upgrade(move |err| {
            failed.in_scope(|| tracing::debug!(error = %err, "websocket upgrade failed"));
        })
        .on_upgrade(move |socket| run(socket, member, connection).instrument(span))
}

/// The answer to a request that is not a WebSocket handshake, as a problem.
fn refuse(rejection: WebSocketUpgradeRejection) -> Response {
    let upgrade_required = |detail: &str| {
        let mut response = Problem::new(StatusCode::UPGRADE_REQUIRED, detail).into_response();
        response
            .headers_mut()
            .insert(UPGRADE, HeaderValue::from_static("websocket"));
        response
    };
    match rejection {
        WebSocketUpgradeRejection::InvalidConnectionHeader(_)
        | WebSocketUpgradeRejection::InvalidUpgradeHeader(_)
        | WebSocketUpgradeRejection::ConnectionNotUpgradable(_) => upgrade_required(
            "this is a WebSocket endpoint: send Connection: Upgrade and Upgrade: websocket",
        ),
        WebSocketUpgradeRejection::InvalidWebSocketVersionHeader(_) => {
            let mut response = upgrade_required("Sec-WebSocket-Version must be 13");
            response
                .headers_mut()
                .insert(SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
            response
        }
        WebSocketUpgradeRejection::MethodNotGet(_) => {
            let mut response = Problem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "a WebSocket handshake is a GET",
            )
            .into_response();
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET"));
            response
        }
        other => Problem::new(other.status(), other.body_text()).into_response(),
    }
}

/// Why the live part of a connection ended, and what is left to do.
#[derive(Debug)]
enum End {
    /// The client sent a close frame (with this code): send the answer.
    ClosedByClient(Option<u16>),
    /// Send this close frame, then wait for the client's.
    Close(u16, &'static str),
    /// Send this close frame, then drop the connection: the rest of what
    /// the client sent cannot be read.
    CloseAndDrop(u16, &'static str),
    /// Drop the connection without a word: it is gone, broken or silent.
    Drop(&'static str),
}

/// One client's connection, from the upgrade until it is closed.
async fn run(mut socket: WebSocket, member: Member, connection: Connection) {
    let id = member.id;
    let mut phase = connection.0.inner.phase.subscribe();
    tracing::debug!(client = id, "websocket connected");
    let end = live(&mut socket, member, &mut phase).await;
    match &end {
        End::ClosedByClient(code) => {
            tracing::debug!(
                client = id,
                close_code = *code,
                "websocket closed by the client"
            );
        }
        End::Close(code, reason) | End::CloseAndDrop(code, reason) => {
            tracing::debug!(
                client = id,
                close_code = *code,
                reason = *reason,
                "websocket closed"
            );
        }
        End::Drop(reason) => {
            tracing::debug!(client = id, reason = *reason, "websocket dropped");
        }
    }
    finish(&mut socket, end, &mut phase).await;
    drop(connection);
}

/// Relays between the room and the client until one of them ends it. The
/// client leaves the room on return.
async fn live(
    socket: &mut WebSocket,
    mut member: Member,
    phase: &mut watch::Receiver<Phase>,
) -> End {
    let too_slow = End::Close(close_code::POLICY, TOO_SLOW);
    let going_away = End::Close(close_code::AWAY, GOING_AWAY);
    let period = member.room.inner.ping_interval;
    let mut heartbeat = tokio::time::interval_at(Instant::now() + period, period);
    heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut awaiting_pong = false;
    loop {
        let outgoing = tokio::select! {
            biased;
            () = member.too_slow.notified() => return too_slow,
            _ = phase.wait_for(|phase| *phase != Phase::Open) => return going_away,
            _ = heartbeat.tick() => {
                if awaiting_pong {
                    return End::Drop("no pong since the last ping");
                }
                awaiting_pong = true;
                Message::Ping(Bytes::new())
            }
            queued = member.queue.recv() => match queued {
                Some(text) => Message::Text(text),
                // The room let go of this client: its queue overflowed.
                None => return too_slow,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    member.room.broadcast(&text);
                    continue;
                }
                Some(Ok(Message::Binary(_))) => {
                    return End::Close(close_code::UNSUPPORTED, "binary messages are not supported");
                }
                Some(Ok(Message::Pong(_))) => {
                    awaiting_pong = false;
                    continue;
                }
                // tungstenite answers a ping with a pong by itself.
                Some(Ok(Message::Ping(_))) => continue,
                Some(Ok(Message::Close(frame))) => {
                    return End::ClosedByClient(frame.map(|frame| frame.code));
                }
                Some(Err(err)) => return read_error(err),
                None => return End::Drop("connection closed"),
            },
        };
        // A client that does not read blocks this send: the room's messages
        // pile up in its queue meanwhile, until it is closed as too slow.
        tokio::select! {
            biased;
            () = member.too_slow.notified() => return too_slow,
            _ = phase.wait_for(|phase| *phase != Phase::Open) => return going_away,
            sent = socket.send(outgoing) => {
                if sent.is_err() {
                    return End::Drop("write failed");
                }
            }
        }
    }
}

/// What to do after a read error: some deserve a close code.
fn read_error(err: axum::Error) -> End {
    use tungstenite::error::{CapacityError, ProtocolError};
    let Ok(err) = err.into_inner().downcast::<tungstenite::Error>() else {
        return End::Drop("read failed");
    };
    match *err {
        // The message limit is checked once a frame is read, the frame
        // limit from a frame's header: then the payload is still unread.
        tungstenite::Error::Capacity(CapacityError::MessageTooLong { max_size, .. }) => {
            if max_size == MAX_FRAME_BYTES {
                End::CloseAndDrop(close_code::SIZE, TOO_BIG)
            } else {
                End::Close(close_code::SIZE, TOO_BIG)
            }
        }
        tungstenite::Error::Utf8(_) => End::Close(close_code::INVALID, "text is not valid UTF-8"),
        tungstenite::Error::Protocol(ProtocolError::ResetWithoutClosingHandshake) => {
            End::Drop("connection closed without a close frame")
        }
        tungstenite::Error::Protocol(_) => {
            End::CloseAndDrop(close_code::PROTOCOL, "protocol error")
        }
        _ => End::Drop("read failed"),
    }
}

/// The closing handshake, if the end has one: at most `CLOSE_TIMEOUT`, and
/// cut short when shutdown terminates what is left.
async fn finish(socket: &mut WebSocket, end: End, phase: &mut watch::Receiver<Phase>) {
    let handshake = async {
        match end {
            End::ClosedByClient(_) => drain(socket).await,
            End::Close(code, reason) => {
                if send_close(socket, code, reason).await {
                    drain(socket).await;
                }
            }
            End::CloseAndDrop(code, reason) => {
                send_close(socket, code, reason).await;
            }
            End::Drop(_) => {}
        }
    };
    tokio::select! {
        biased;
        _ = phase.wait_for(|phase| *phase == Phase::Terminate) => {}
        () = tokio::time::sleep(CLOSE_TIMEOUT) => {}
        () = handshake => {}
    }
}

async fn send_close(socket: &mut WebSocket, code: u16, reason: &'static str) -> bool {
    let frame = CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    };
    socket.send(Message::Close(Some(frame))).await.is_ok()
}

/// Reads until the stream ends: after a close frame, tungstenite sends the
/// answer (if it is due) and ends the stream once both sides have closed.
/// What arrives meanwhile is not for the room.
async fn drain(socket: &mut WebSocket) {
    while let Some(Ok(_)) = socket.recv().await {}
}
