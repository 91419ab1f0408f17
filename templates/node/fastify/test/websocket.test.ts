// /v1/ws over a real socket: the room, its limits, the Origin check,
// heartbeats and shutdown. (@fastify/websocket's injectWS does not fit: its
// stand-in request has no .on(), which Fastify's handlerTimeout needs, so an
// injected upgrade fails and times out with 503.)
import assert from "node:assert/strict";
import { on, once } from "node:events";
import type { ClientRequest, IncomingMessage } from "node:http";
import { connect } from "node:net";
import { describe, it } from "node:test";

import WebSocket from "ws";

import { loadConfig } from "../src/config.js";
import { startService } from "./serve.js";

interface Opened {
  ws: WebSocket;
  /** The next text message, in the order they arrived. */
  next: () => Promise<string>;
  /** The close code and reason, once the connection has closed. */
  closed: Promise<{ code: number; reason: string }>;
  /** The response headers of the 101. */
  headers: Record<string, string | string[] | undefined>;
}

/** Opens a WebSocket; it rejects when the server answers anything but 101. */
async function open(url: string, headers: Record<string, string> = {}, options: WebSocket.ClientOptions = {}) {
  const ws = new WebSocket(url, { headers, ...options });
  const messages = on(ws, "message");
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  let upgradeHeaders: Opened["headers"] = {};
  ws.once("upgrade", (res) => {
    upgradeHeaders = res.headers;
  });
  await once(ws, "open");
  // A connection the server cuts may end with ECONNRESET; the close code says what happened.
  ws.on("error", () => {});
  const next = async () => {
    const { value, done } = await messages.next();
    assert.ok(!done, "no more messages");
    const [data, isBinary] = value as [Buffer, boolean];
    assert.equal(isBinary, false);
    return data.toString();
  };
  const opened: Opened = { ws, next, closed, headers: upgradeHeaders };
  return opened;
}

/** Tries to open a WebSocket that the server must refuse; resolves to its answer. */
async function refused(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  ws.on("error", () => {});
  const [, res] = (await once(ws, "unexpected-response")) as [ClientRequest, IncomingMessage];
  let text = "";
  for await (const chunk of res) text += chunk;
  return { status: res.statusCode, headers: res.headers, body: JSON.parse(text) as Record<string, unknown> };
}

async function eventually<T>(find: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) assert.fail("not found within 5 s");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function assertProblem(answer: Awaited<ReturnType<typeof refused>>, status: number) {
  assert.equal(answer.status, status);
  assert.match(answer.headers["content-type"] ?? "", /^application\/problem\+json/);
  assert.equal(answer.body.type, "about:blank");
  assert.equal(answer.body.status, status);
  assert.equal(answer.body.request_id, answer.headers["x-request-id"]);
}

describe("websocket room", { timeout: 60_000 }, () => {
  it("sends each text message, unchanged and in order, to every client, the sender too", async () => {
    const { service, wsUrl: url } = await startService();
    try {
      const a = await open(url);
      const b = await open(url);
      a.ws.send("hello");
      assert.equal(await a.next(), "hello");
      assert.equal(await b.next(), "hello");
      for (const text of ["1", '{"not":"parsed"}', "ünïcödé ✓"]) b.ws.send(text);
      for (const client of [a, b]) {
        assert.deepEqual(
          [await client.next(), await client.next(), await client.next()],
          ["1", '{"not":"parsed"}', "ünïcödé ✓"],
        );
      }
      a.ws.close();
      b.ws.close();
      await Promise.all([a.closed, b.closed]);
    } finally {
      await service.shutdown("test");
    }
  });

  it("delivers a message of 65536 bytes and closes the sender of 65537 with 1009", async () => {
    const { service, wsUrl: url } = await startService();
    try {
      const a = await open(url);
      const b = await open(url);
      const largest = "x".repeat(65536);
      a.ws.send(largest);
      assert.equal(await a.next(), largest);
      assert.equal(await b.next(), largest);

      a.ws.send("y".repeat(65537));
      assert.equal((await a.closed).code, 1009);
      // b never got the big one: its next message is the one it sends now.
      b.ws.send("still here");
      assert.equal(await b.next(), "still here");
      b.ws.close();
      await b.closed;
    } finally {
      await service.shutdown("test");
    }
  });

  it("closes the sender of a binary message with 1003", async () => {
    const { service, wsUrl: url } = await startService();
    try {
      const a = await open(url);
      a.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      assert.equal((await a.closed).code, 1003);
    } finally {
      await service.shutdown("test");
    }
  });

  it("logs the upgrade as a 101 and the connection with its request id, never a message", async () => {
    const { service, wsUrl: url, lines, raw } = await startService();
    try {
      const a = await open(url, { "x-request-id": "ws-test-1" });
      assert.equal(a.headers["x-request-id"], "ws-test-1");
      a.ws.send("secret words");
      assert.equal(await a.next(), "secret words");
      a.ws.close();
      await a.closed;
      const mine = (msg: string) => lines.find((l) => l.msg === msg && l.request_id === "ws-test-1");
      const access = mine("request");
      assert.equal(access?.status, 101);
      assert.equal(access?.route, "/v1/ws");
      assert.ok(mine("websocket connected"));
      assert.ok(!raw.some((l) => l.includes("secret words")));
      await eventually(() => mine("websocket disconnected"));
    } finally {
      await service.shutdown("test");
    }
  });

  it("answers a plain GET with 426 and Upgrade: websocket", async () => {
    const { service, port } = await startService();
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v1/ws`);
      assert.equal(res.status, 426);
      assert.equal(res.headers.get("upgrade"), "websocket");
      assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(body.status, 426);
      assert.equal(body.request_id, res.headers.get("x-request-id"));
    } finally {
      await service.shutdown("test");
    }
  });
  it("answers a handshake ws refuses with a 400 problem", async () => {
    const { service, port } = await startService();
    try {
      const socket = connect(port, "127.0.0.1");
      socket.on("error", () => {});
      await once(socket, "connect");
      let answer = "";
      socket.setEncoding("utf8").on("data", (chunk: string) => (answer += chunk));
      const closed = once(socket, "close");
      socket.write(
        "GET /v1/ws HTTP/1.1\r\nHost: x\r\nX-Request-Id: bad-key\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
      await closed;
      assert.match(answer, /^HTTP\/1\.1 400 /);
      assert.match(answer, /\r\nContent-Type: application\/problem\+json\r\n/);
      assert.match(answer, /\r\nX-Request-Id: bad-key\r\n/);
      assert.match(
        answer,
        /"status":400,"detail":"Missing or invalid Sec-WebSocket-Key header","request_id":"bad-key"\}$/,
      );
    } finally {
      await service.shutdown("test");
    }
  });
});

describe("websocket origin check", { timeout: 60_000 }, () => {
  it("refuses a foreign Origin with 403 and accepts its own, a listed one and none", async () => {
    const {
      service,
      wsUrl: url,
      port,
    } = await startService({
      wsAllowedOrigins: loadConfig({ WS_ALLOWED_ORIGINS: "https://app.example.com" }).wsAllowedOrigins,
    });
    try {
      for (const origin of ["https://evil.example", "http://127.0.0.1:1", "null", "https://app.example.com.evil"]) {
        const answer = await refused(url, { origin });
        assertProblem(answer, 403);
      }
      for (const headers of [{ origin: `http://127.0.0.1:${port}` }, { origin: "https://APP.example.com" }, {}]) {
        const client = await open(url, headers);
        client.ws.close();
        await client.closed;
      }
    } finally {
      await service.shutdown("test");
    }
  });

  it("compares the Origin with the Host header the request came with", async () => {
    const { service, wsUrl: url } = await startService();
    try {
      const own = await open(url, { host: "api.example.com", origin: "https://api.example.com" });
      own.ws.close();
      await own.closed;
      assertProblem(await refused(url, { host: "api.example.com", origin: "https://api.example.com:8443" }), 403);
    } finally {
      await service.shutdown("test");
    }
  });
});

describe("websocket heartbeat", { timeout: 60_000 }, () => {
  it("keeps a client that answers pings, past REQUEST_TIMEOUT, and cuts one that does not", async () => {
    const { service, wsUrl: url } = await startService(
      { requestTimeoutMs: 300, headersTimeoutMs: 300 },
      // Client and server share this process: a stall longer than the interval would
      // make a pong late, so the interval is far above one.
      { room: { heartbeatMs: 500 } },
    );
    try {
      const answering = await open(url);
      const pings = on(answering.ws, "ping");
      const silent = await open(url, {}, { autoPong: false });
      // Terminated, not closed: no close frame, so the code is 1006.
      assert.equal((await silent.closed).code, 1006);
      // Three pings are 1.5 s, well past the 300 ms the HTTP server gives a request.
      for (let i = 0; i < 3; i++) await pings.next();
      answering.ws.send("alive");
      assert.equal(await answering.next(), "alive");
      answering.ws.close();
      await answering.closed;
    } finally {
      await service.shutdown("test");
    }
  });
});

describe("websocket slow clients", { timeout: 120_000 }, () => {
  it("closes a client that does not read with 1008, and the room goes on", async () => {
    const { service, wsUrl: url, lines } = await startService({}, { room: { maxBufferedBytes: 64 * 1024 } });
    try {
      const slow = await open(url);
      slow.ws.pause();
      const fast = await open(url);
      const message = "z".repeat(64 * 1024);
      // What the slow client does not read fills the kernel's buffers first, then the server's.
      for (let sent = 0; !lines.some((l) => l.msg === "websocket client too slow, closing"); sent++) {
        assert.ok(sent < 4000, "the slow client was never closed");
        fast.ws.send(message);
        assert.equal((await fast.next()).length, message.length);
      }
      slow.ws.resume();
      const { code, reason } = await slow.closed;
      assert.equal(code, 1008);
      assert.match(reason, /too slow/);
      fast.ws.send("still here");
      assert.equal(await fast.next(), "still here");
      fast.ws.close();
      await fast.closed;
    } finally {
      await service.shutdown("test");
    }
  });
});

describe("websocket shutdown", { timeout: 60_000 }, () => {
  it("sends every client 1001 when the drain starts, refuses new ones with 503 and drains", async () => {
    const { service, wsUrl: url } = await startService({ shutdownDrainMs: 2000 });
    const a = await open(url);
    const b = await open(url);
    const stopped = service.shutdown("SIGTERM");
    for (const client of [a, b]) assert.deepEqual(await client.closed, { code: 1001, reason: "server shutting down" });
    // Still in the drain: the server listens, and refuses upgrades.
    assertProblem(await refused(url), 503);
    // The clients answered the close: nothing waited for SHUTDOWN_TIMEOUT.
    assert.equal(await stopped, true);
  });

  it("cuts a client that never answers the close once SHUTDOWN_TIMEOUT runs out", async () => {
    const { service, port } = await startService({ shutdownTimeoutMs: 300 });
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => {});
    await once(socket, "connect");
    const closed = once(socket, "close");
    let answer = "";
    socket.setEncoding("latin1").on("data", (chunk: string) => (answer += chunk));
    socket.write(
      "GET /v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    // Reads what arrives, answers nothing.
    for await (const _ of on(socket, "data")) if (answer.includes("\r\n\r\n")) break;
    assert.match(answer, /^HTTP\/1\.1 101 /);
    assert.equal(await service.shutdown("SIGTERM"), false);
    await closed;
    // The close frame went out first: 0x88, then the length, then 1001 (0x03 0xe9).
    assert.ok(answer.includes("\x88\x16\x03\xe9server shutting down"));
  });
});
