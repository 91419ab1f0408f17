// The WebSocket room at /v1/ws over a real socket, with ws as the client:
// the room, the limits, the Origin check, the heartbeat and shutdown.
import assert from "node:assert/strict";
import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";

import { type ClientOptions, WebSocket } from "ws";

import { loadConfig } from "../src/config.js";
import type { Service } from "../src/lifecycle.js";
import { type LogLine, startService } from "./serve.js";

/** A client whose messages and close are recorded from the start, so none is missed. */
interface Client {
  ws: WebSocket;
  /** The next message not yet taken, as text. */
  next(): Promise<string>;
  closed: Promise<{ code: number; reason: string }>;
}

function client(ws: WebSocket): Client {
  const queue: string[] = [];
  const waiting: ((text: string) => void)[] = [];
  ws.on("error", () => {}); // a write cut by the server's close; the close event tells the rest
  ws.on("message", (data, isBinary) => {
    assert.equal(isBinary, false);
    const text = (data as Buffer).toString("utf8");
    const wake = waiting.shift();
    if (wake) wake(text);
    else queue.push(text);
  });
  const closed = once(ws, "close").then(([code, reason]) => ({
    code: code as number,
    reason: (reason as Buffer).toString(),
  }));
  return {
    ws,
    next: () => {
      const text = queue.shift();
      if (text !== undefined) return Promise.resolve(text);
      return new Promise((resolve) => waiting.push(resolve));
    },
    closed,
  };
}

/** Connects, and fails if the server refuses the handshake. */
async function open(url: string, options: ClientOptions = {}): Promise<Client> {
  const ws = new WebSocket(url, options);
  const c = client(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`handshake answered ${res.statusCode}`)));
    ws.once("error", reject);
  });
  return c;
}

/** Connects, expecting the server to refuse the handshake; gives its answer. */
async function refused(url: string, options: ClientOptions = {}) {
  const ws = new WebSocket(url, options);
  ws.on("error", () => {}); // ws reports the refusal as an error too, after unexpected-response
  const [, res] = await new Promise<[unknown, IncomingMessage]>((resolve, reject) => {
    ws.once("unexpected-response", (req, res) => resolve([req, res]));
    ws.once("open", () => reject(new Error("the handshake was accepted")));
  });
  let body = "";
  res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
  await once(res, "end");
  return { status: res.statusCode, headers: res.headers, body: JSON.parse(body) as Record<string, unknown> };
}

async function eventually<T>(find: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) assert.fail("not found within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("websocket room", () => {
  let service: Service;
  let url: string;
  let wsUrl: string;
  let lines: LogLine[];
  let raw: string[];

  before(async () => {
    ({ service, url, wsUrl, lines, raw } = await startService({
      wsAllowedOrigins: loadConfig({ WS_ALLOWED_ORIGINS: "https://app.example.com, http://localhost:5173" })
        .wsAllowedOrigins,
    }));
  });
  after(() => service.shutdown("test"));

  it("sends a message to every client, the sender included, and logs nothing of it", async () => {
    const a = await open(wsUrl);
    const b = await open(wsUrl);
    a.ws.send("hello, room");
    assert.equal(await a.next(), "hello, room");
    assert.equal(await b.next(), "hello, room");
    b.ws.send("two");
    b.ws.send("three");
    assert.deepEqual([await a.next(), await a.next()], ["two", "three"]);
    assert.deepEqual([await b.next(), await b.next()], ["two", "three"]);
    a.ws.close();
    b.ws.close();
    await Promise.all([a.closed, b.closed]);
    assert.ok(!raw.some((line) => line.includes("hello, room")));
  });

  it("delivers a message of 64 KiB and closes a sender of more with 1009", async () => {
    const a = await open(wsUrl);
    const b = await open(wsUrl);
    const largest = "é".repeat(32 * 1024); // 65536 bytes of UTF-8
    a.ws.send(largest);
    assert.equal(await b.next(), largest);
    assert.equal(await a.next(), largest);
    a.ws.send(`${largest}x`);
    assert.equal((await a.closed).code, 1009);
    b.ws.send("still here");
    assert.equal(await b.next(), "still here");
    b.ws.close();
    await b.closed;
  });

  it("closes a sender of a binary message with 1003", async () => {
    const a = await open(wsUrl);
    a.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.equal((await a.closed).code, 1003);
  });

  it("answers the handshake with X-Request-Id and logs it with status 101", async () => {
    const ws = new WebSocket(wsUrl, { headers: { "x-request-id": "ws-handshake-1" } });
    const c = client(ws);
    const upgraded = once(ws, "upgrade") as Promise<[IncomingMessage]>;
    await once(ws, "open");
    const [res] = await upgraded;
    assert.equal(res.headers["x-request-id"], "ws-handshake-1");
    const line = await eventually(() => lines.find((l) => l.msg === "request" && l.request_id === "ws-handshake-1"));
    assert.equal(line.status, 101);
    assert.equal(line.route, "/v1/ws");
    ws.close();
    await c.closed;
    await eventually(() =>
      lines.find((l) => (l.msg === "websocket disconnected" && l.request_id === "ws-handshake-1" ? l : undefined)),
    );
  });

  it("refuses a foreign Origin with a 403 problem and no upgrade", async () => {
    const res = await refused(wsUrl, { origin: "https://evil.example" });
    assert.equal(res.status, 403);
    assert.match(res.headers["content-type"] ?? "", /^application\/problem\+json/);
    assert.equal(res.body.status, 403);
    assert.equal(res.body.title, "Forbidden");
    assert.equal(res.body.request_id, res.headers["x-request-id"]);
    assert.equal(res.headers.upgrade, undefined);
    for (const origin of [
      "null",
      "http://127.0.0.1.evil.example",
      "ftp://app.example.com",
      "https://app.example.com.evil",
    ]) {
      assert.equal((await refused(wsUrl, { origin })).status, 403, origin);
    }
  });

  it("accepts the same origin, a listed origin in any case, and no Origin", async () => {
    const origins = [new URL(url).origin, "https://APP.example.com", "http://localhost:5173", undefined];
    for (const origin of origins) {
      const c = await open(wsUrl, origin === undefined ? {} : { origin });
      c.ws.close();
      await c.closed;
    }
  });

  it("answers a malformed handshake with a 400 problem", async () => {
    const socket = connect(service.address.port, "127.0.0.1");
    socket.on("error", () => {});
    await once(socket, "connect");
    let answer = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => (answer += chunk));
    socket.write(
      "GET /v1/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    await once(socket, "close");
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /\r\nContent-Type: application\/problem\+json\r\n/);
    assert.match(answer, /"detail":"Missing or invalid Sec-WebSocket-Key header"/);
  });

  it("answers a plain GET with a 426 problem and Upgrade: websocket, other methods with 405", async () => {
    const res = await fetch(`${url}/v1/ws`);
    assert.equal(res.status, 426);
    assert.equal(res.headers.get("upgrade"), "websocket");
    assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.title, "Upgrade Required");
    assert.equal(body.request_id, res.headers.get("x-request-id"));
    const post = await fetch(`${url}/v1/ws`, { method: "POST" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET");
  });

  it("answers another Upgrade (h2c) as a plain request, and logs it", async () => {
    const socket = connect(service.address.port, "127.0.0.1");
    socket.on("error", () => {});
    await once(socket, "connect");
    let answer = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => (answer += chunk));
    socket.write(
      "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n" +
        "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nX-Request-Id: h2c-1\r\n\r\n",
    );
    await once(socket, "close");
    assert.match(answer, /^HTTP\/1\.1 200 /);
    assert.match(answer, /\r\nconnection: close\r\n/i);
    assert.match(answer, /\{"status":"ok"\}$/);
    const line = await eventually(() => lines.find((l) => l.msg === "request" && l.request_id === "h2c-1"));
    assert.equal(line.route, "/healthz");
    assert.equal(line.status, 200);
  });

  it("refuses new connections with a 503 problem while draining", async () => {
    service.lifecycle.draining = true;
    try {
      const res = await refused(wsUrl);
      assert.equal(res.status, 503);
      assert.equal(res.body.status, 503);
    } finally {
      service.lifecycle.draining = false;
    }
  });
});

describe("websocket heartbeat", () => {
  it("pings clients and cuts off one that does not answer", async () => {
    // Generous against a busy machine: a pong has a second to come back.
    const { service, wsUrl } = await startService({}, { heartbeatMs: 1000 });
    try {
      const deaf = await open(wsUrl, { autoPong: false });
      const live = await open(wsUrl);
      // Terminated, not closed: no close frame, so 1006.
      assert.equal((await deaf.closed).code, 1006);
      let pings = 0;
      await new Promise<void>((resolve) => {
        live.ws.on("ping", () => {
          pings++;
          // The second ping comes from the tick that found the first one answered.
          if (pings === 2) resolve();
        });
        live.ws.on("close", () => resolve());
      });
      assert.equal(live.ws.readyState, WebSocket.OPEN);
      live.ws.close();
      await live.closed;
    } finally {
      await service.shutdown("test");
    }
  });
});

describe("websocket slow clients", () => {
  it("closes a client that does not read with 1008, and the room goes on", async () => {
    const { service, wsUrl, lines } = await startService();
    try {
      // A raw handshake whose socket is then never read: what the room sends it piles up.
      const slow = connect(service.address.port, "127.0.0.1");
      slow.on("error", () => {});
      await once(slow, "connect");
      slow.write(
        "GET /v1/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Request-Id: slow-1\r\n\r\n",
      );
      await once(slow, "data");
      slow.pause();
      const fast = await open(wsUrl);
      const message = "x".repeat(64 * 1024);
      let sent = 0;
      // Until the server gives up on the slow client; the kernel's buffers take some megabytes first.
      while (!lines.some((l) => l.msg === "websocket client too slow, closing")) {
        assert.ok(sent < 2000, "the slow client was never closed");
        fast.ws.send(message);
        sent++;
        assert.equal(await fast.next(), message);
      }
      assert.ok(lines.some((l) => l.request_id === "slow-1" && l.msg === "websocket client too slow, closing"));
      fast.ws.send("after");
      assert.equal(await fast.next(), "after");
      fast.ws.close();
      await fast.closed;
      slow.destroy();
    } finally {
      await service.shutdown("test");
    }
  });
});

describe("websocket shutdown", () => {
  it("sends connected clients 1001 at once and drains without waiting for the budget", async () => {
    const { service, wsUrl, lines } = await startService({ shutdownTimeoutMs: 60_000 });
    const idle = await open(wsUrl);
    const stopped = service.shutdown("SIGTERM");
    assert.deepEqual(await idle.closed, { code: 1001, reason: "server shutting down" });
    // Long before the 54 s at which a socket that never answered would be cut.
    const bound = new Promise((_, reject) =>
      setTimeout(() => reject(new Error("not stopped within 20 s")), 20_000).unref(),
    );
    assert.equal(await Promise.race([stopped, bound]), true);
    assert.ok(lines.some((l) => l.msg === "shutdown finished"));
  });
});

describe("websocket shutdown of a client that does not answer", () => {
  it("cuts it within SHUTDOWN_TIMEOUT and still counts as drained", async () => {
    const { service } = await startService({ shutdownTimeoutMs: 1000 });
    // A raw handshake that then never answers the close frame.
    const mute = connect(service.address.port, "127.0.0.1");
    mute.on("error", () => {});
    await once(mute, "connect");
    mute.write(
      "GET /v1/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    );
    await once(mute, "data");
    const gone = once(mute, "close");
    assert.equal(await service.shutdown("SIGTERM"), true);
    await gone;
  });
});
