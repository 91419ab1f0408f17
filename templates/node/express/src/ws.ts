// The WebSocket room at /v1/ws: every text message a client sends goes,
// unchanged, to every connected client, the sender included. The room lives
// in this process: more than one instance needs sticky sessions or a shared
// pub/sub (see the README).
import { type IncomingMessage, ServerResponse, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";

import type { Logger } from "pino";
import { WebSocket, WebSocketServer } from "ws";

import { accessLogLevel, PROBLEM_CONTENT_TYPE, problem, requestId } from "./http.js";
import type { Lifecycle } from "./lifecycle.js";
import { originAllowed } from "./origins.js";

export const WS_PATH = "/v1/ws";
/** The largest message a client may send (64 KiB); a larger one closes its connection with 1009. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** What may wait to be sent to one client (1 MiB); a client with more is too slow and is closed with 1008. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** How often each client is pinged; one that has not answered the previous ping by the next is cut off. */
export const HEARTBEAT_MS = 30_000;

export interface RoomOptions {
  logger: Logger;
  lifecycle: Lifecycle;
  /** The origins allowed besides the service's own, canonical (config.wsAllowedOrigins). */
  allowedOrigins: readonly string[];
  /** Answers an upgrade request that is not a WebSocket handshake for /v1/ws as any other request. */
  fallback: (req: IncomingMessage, res: ServerResponse) => void;
  /** How often clients are pinged (HEARTBEAT_MS); tests shorten it. */
  heartbeatMs?: number | undefined;
  /** What may wait to be sent to one client before it is closed as too slow (MAX_BUFFERED_BYTES). */
  maxBufferedBytes?: number | undefined;
}

export interface Room {
  /** The http server's 'upgrade' listener. */
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Sends every client a close frame 1001 now, and stops the heartbeat. */
  goAway(): void;
  /** Resolves once every client's connection is closed. */
  closed(): Promise<void>;
  /** Cuts every client's connection. */
  terminate(): void;
}

interface Member {
  alive: boolean;
  log: Logger;
}

interface Handshake {
  id: string;
  log: Logger;
  start: number;
}

function logRequest(handshake: Handshake, status: number): void {
  handshake.log[accessLogLevel(WS_PATH, status)](
    { method: "GET", route: WS_PATH, status, duration_ms: performance.now() - handshake.start },
    "request",
  );
}

/** Answers a handshake with a problem, as the routes answer their errors, and closes the connection. */
function refuse(socket: Duplex, handshake: Handshake, status: number, detail: string, header = ""): void {
  const body = JSON.stringify(problem(status, handshake.id, detail));
  // Destroyed once written, as ws does: a client that keeps its end open must not hold up shutdown.
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${handshake.id}\r\n${header}Connection: close\r\n\r\n${body}`,
  );
  logRequest(handshake, status);
}

export function createRoom(opts: RoomOptions): Room {
  const { logger, lifecycle, allowedOrigins, fallback } = opts;
  const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
  const maxBufferedBytes = opts.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  const members = new Map<WebSocket, Member>();
  const handshakes = new WeakMap<IncomingMessage, Handshake>();
  let onEmpty: (() => void) | undefined;

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, clientTracking: false });
  wss.on("headers", (headers, req) => {
    const handshake = handshakes.get(req);
    if (handshake) headers.push(`X-Request-Id: ${handshake.id}`);
  });
  // A malformed handshake (no Sec-WebSocket-Key, an unknown version): a problem, not ws's text/html.
  wss.on("wsClientError", (err, socket, req) => {
    const handshake = handshakes.get(req);
    if (!handshake) {
      socket.destroy();
      return;
    }
    const version = err.message.includes("Sec-WebSocket-Version") ? "Sec-WebSocket-Version: 13, 8\r\n" : "";
    refuse(socket, handshake, 400, err.message, version);
  });

  function broadcast(data: Buffer): void {
    for (const [client, member] of members) {
      if (client.readyState !== WebSocket.OPEN) continue;
      // A client that does not read would make this buffer grow without end: it is dropped instead.
      if (client.bufferedAmount + data.length > maxBufferedBytes) {
        member.log.warn({ buffered_bytes: client.bufferedAmount }, "websocket client too slow, closing");
        client.close(1008, "too slow: messages were not read fast enough");
        continue;
      }
      client.send(data, { binary: false });
    }
  }

  function join(ws: WebSocket, log: Logger): void {
    const member: Member = { alive: true, log };
    members.set(ws, member);
    log.debug({ clients: members.size }, "websocket connected");
    ws.on("pong", () => {
      member.alive = true;
    });
    ws.on("message", (data, isBinary) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (isBinary) {
        ws.close(1003, "binary messages are not supported");
        return;
      }
      // binaryType "nodebuffer": a text message is one Buffer, its bytes as received.
      broadcast(data as Buffer);
    });
    // A message over MAX_MESSAGE_BYTES, invalid UTF-8 or a protocol error: ws closes with the code (1009...).
    ws.on("error", (err) => log.debug({ error: err.message }, "websocket error"));
    ws.on("close", (code) => {
      members.delete(ws);
      log.debug({ code, clients: members.size }, "websocket disconnected");
      if (members.size === 0) onEmpty?.();
    });
  }

  const heartbeat = setInterval(() => {
    for (const [ws, member] of members) {
      if (!member.alive) {
        member.log.debug("websocket missed a heartbeat, terminating");
        ws.terminate();
        continue;
      }
      member.alive = false;
      ws.ping();
    }
  }, heartbeatMs);
  heartbeat.unref();

  return {
    upgrade(req, socket, head) {
      // Node's own socket error listener is gone once a request asks to upgrade.
      socket.on("error", () => socket.destroy());
      const path = (req.url ?? "").split("?", 1)[0];
      if (path !== WS_PATH || req.method !== "GET" || req.headers.upgrade?.toLowerCase() !== "websocket") {
        // With an 'upgrade' listener Node hands over every request with an Upgrade header
        // (curl --http2 sends Upgrade: h2c): answer it as any request, then close the connection.
        const res = new ServerResponse(req);
        res.shouldKeepAlive = false;
        res.assignSocket(socket as Socket);
        // Ending the socket closes the response too, which the access log waits for.
        res.on("finish", () => socket.end());
        fallback(req, res);
        return;
      }
      const id = requestId(req.headers["x-request-id"]);
      const handshake: Handshake = { id, log: logger.child({ request_id: id }), start: performance.now() };
      if (lifecycle.draining) return refuse(socket, handshake, 503, "the server is shutting down");
      const origin = req.headers.origin;
      if (!originAllowed(origin, req.headers.host, allowedOrigins)) {
        return refuse(socket, handshake, 403, `the origin ${JSON.stringify(origin)} may not connect`);
      }
      handshakes.set(req, handshake);
      wss.handleUpgrade(req, socket, head, (ws) => {
        logRequest(handshake, 101);
        join(ws, handshake.log);
      });
    },
    goAway() {
      clearInterval(heartbeat);
      for (const ws of members.keys()) ws.close(1001, "server shutting down");
    },
    closed() {
      if (members.size === 0) return Promise.resolve();
      return new Promise((resolve) => {
        onEmpty = resolve;
      });
    },
    terminate() {
      for (const ws of members.keys()) ws.terminate();
    },
  };
}
