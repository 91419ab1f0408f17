// The WebSocket room behind /v1/ws: every text message a client sends goes
// to every connected client, the sender too, in the order they arrived. It
// lives in this process: several instances need sticky sessions or a shared
// pub/sub to be one room.
import type { FastifyBaseLogger } from "fastify";
import type { RawData, WebSocket } from "ws";

/** The largest message accepted, 64 KiB; ws closes a connection that sends a bigger one with 1009. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** How often every client is pinged; one that has not answered the previous ping by then is cut off. */
export const HEARTBEAT_MS = 30_000;
/** How much may wait to be sent to one client before it is too slow: 16 of the largest messages. */
export const MAX_BUFFERED_BYTES = 16 * MAX_MESSAGE_BYTES;

export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_UNSUPPORTED_DATA = 1003;
export const CLOSE_POLICY_VIOLATION = 1008;
export const SHUTTING_DOWN = "server shutting down";

export interface RoomOptions {
  /** The ping interval, HEARTBEAT_MS unless a test shortens it. */
  heartbeatMs?: number;
  /** The outgoing buffer over which a client is closed as too slow, MAX_BUFFERED_BYTES by default. */
  maxBufferedBytes?: number;
}

interface Client {
  socket: WebSocket;
  log: FastifyBaseLogger;
  /** Whether the client has answered the last ping. */
  alive: boolean;
}

export class Room {
  readonly #clients = new Set<Client>();
  readonly #heartbeatMs: number;
  readonly #maxBufferedBytes: number;
  #heartbeat: NodeJS.Timeout | undefined;
  #closing = false;

  constructor({ heartbeatMs = HEARTBEAT_MS, maxBufferedBytes = MAX_BUFFERED_BYTES }: RoomOptions = {}) {
    this.#heartbeatMs = heartbeatMs;
    this.#maxBufferedBytes = maxBufferedBytes;
  }

  /** The clients connected now, those being closed included. */
  get size(): number {
    return this.#clients.size;
  }

  /** Adds an open socket; log carries its request's request_id. */
  join(socket: WebSocket, log: FastifyBaseLogger): void {
    if (this.#closing) {
      socket.close(CLOSE_GOING_AWAY, SHUTTING_DOWN);
      return;
    }
    const client: Client = { socket, log, alive: true };
    this.#clients.add(client);
    log.debug({ clients: this.#clients.size }, "websocket connected");

    socket.on("pong", () => {
      client.alive = true;
    });
    socket.on("message", (data, isBinary) => {
      // What arrives after the room has closed the socket is dropped.
      if (socket.readyState !== socket.OPEN) return;
      if (isBinary) {
        socket.close(CLOSE_UNSUPPORTED_DATA, "only text messages are accepted");
        return;
      }
      this.#broadcast(data);
    });
    socket.on("close", (code) => {
      this.#clients.delete(client);
      if (this.#clients.size === 0) this.#stopHeartbeat();
      log.debug({ code, clients: this.#clients.size }, "websocket disconnected");
    });

    this.#heartbeat ??= setInterval(() => this.#ping(), this.#heartbeatMs);
  }

  /** Refuses new clients and sends every open one close 1001; each connection ends when its client answers. */
  close(): void {
    this.#closing = true;
    for (const { socket } of this.#clients) socket.close(CLOSE_GOING_AWAY, SHUTTING_DOWN);
  }

  /** Cuts every connection still open, answered or not. */
  terminate(): void {
    for (const { socket } of this.#clients) socket.terminate();
  }

  #broadcast(data: RawData): void {
    for (const { socket, log } of this.#clients) {
      if (socket.readyState !== socket.OPEN) continue;
      // A client that does not read its messages would make them pile up here:
      // it is closed instead, and the others never wait for it.
      if (socket.bufferedAmount > this.#maxBufferedBytes) {
        log.info({ buffered_bytes: socket.bufferedAmount }, "websocket client too slow, closing");
        socket.close(CLOSE_POLICY_VIOLATION, "too slow: messages were not read in time");
        continue;
      }
      socket.send(data, { binary: false });
    }
  }

  #ping(): void {
    for (const client of this.#clients) {
      if (client.socket.readyState !== client.socket.OPEN) continue;
      if (!client.alive) {
        client.log.info("websocket client missed a heartbeat, terminating");
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}
