// The service contract over a real socket: endpoints, the problem shape,
// request IDs, access logs, slow clients and shutdown.
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";

import type { Service } from "../src/lifecycle.js";
import { type LogLine, startService } from "./serve.js";

async function eventually<T>(find: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) assert.fail("not found within 5 s");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const HEX_ID = /^[0-9a-f]{32}$/;

async function assertProblem(res: Response, status: number): Promise<Record<string, unknown>> {
  assert.equal(res.status, status);
  assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(body.type, "about:blank");
  assert.equal(body.status, status);
  assert.equal(typeof body.title, "string");
  assert.equal(body.request_id, res.headers.get("x-request-id"));
  return body;
}

describe("service", () => {
  let service: Service;
  let url: string;
  let lines: LogLine[];
  let raw: string[];

  before(async () => {
    ({ service, url, lines, raw } = await startService());
  });
  after(() => service.shutdown("test"));

  const post = (path: string, body: string, contentType = "application/json") =>
    fetch(url + path, { method: "POST", headers: { "content-type": contentType }, body });

  it("GET /healthz reports ok", async () => {
    const res = await fetch(`${url}/healthz`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal(await res.text(), '{"status":"ok"}');
  });

  it("HEAD /healthz answers 200 with no body", async () => {
    const res = await fetch(`${url}/healthz`, { method: "HEAD" });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "");
  });

  it("GET /readyz reports ready", async () => {
    const res = await fetch(`${url}/readyz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "ready" });
  });

  it("POST /v1/echo returns the message", async () => {
    const res = await post("/v1/echo", '{"message":"hello"}');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { message: "hello" });
  });

  it("answers an unknown route with a 404 problem", async () => {
    const res = await fetch(`${url}/nope`);
    const body = await assertProblem(res, 404);
    assert.equal(body.title, "Not Found");
    assert.equal(body.detail, "no route for GET /nope");
  });

  it("answers a wrong method with a 405 problem and Allow", async () => {
    const res = await fetch(`${url}/v1/echo`);
    await assertProblem(res, 405);
    assert.equal(res.headers.get("allow"), "POST");

    const del = await fetch(`${url}/healthz`, { method: "DELETE" });
    await assertProblem(del, 405);
    assert.match(del.headers.get("allow") ?? "", /GET/);
  });

  it("refuses a body that is not application/json with 415", async () => {
    await assertProblem(await post("/v1/echo", '{"message":"hi"}', "text/plain"), 415);
    await assertProblem(await post("/v1/echo", "message=hi", "application/x-www-form-urlencoded"), 415);
  });

  const invalid: [string, string][] = [
    ["invalid JSON", '{"message":'],
    ["trailing data", '{"message":"a"} {"message":"b"}'],
    ["an unknown field", '{"message":"a","admin":true}'],
    ["a number for a string", '{"message":123}'],
    ["a missing message", "{}"],
    ["an empty message", '{"message":""}'],
    ["an array", '["a"]'],
  ];
  for (const [what, body] of invalid) {
    it(`refuses ${what} with a 400 problem`, async () => {
      await assertProblem(await post("/v1/echo", body), 400);
    });
  }

  it("refuses a body over 1 MiB with a 413 problem", async () => {
    const res = await post("/v1/echo", JSON.stringify({ message: "x".repeat(1024 * 1024) }));
    await assertProblem(res, 413);
  });

  it("echoes a valid X-Request-Id", async () => {
    const res = await fetch(`${url}/nope`, { headers: { "x-request-id": "abc-123:x.y_z" } });
    assert.equal(res.headers.get("x-request-id"), "abc-123:x.y_z");
    assert.equal(((await res.json()) as { request_id: string }).request_id, "abc-123:x.y_z");
  });

  it("generates an X-Request-Id when there is none, or it is invalid or too long", async () => {
    for (const header of [undefined, "has space", "semi;colon", "x".repeat(129)]) {
      const res = await fetch(`${url}/healthz`, { headers: header === undefined ? {} : { "x-request-id": header } });
      assert.match(res.headers.get("x-request-id") ?? "", HEX_ID, String(header));
    }
    const a = await fetch(`${url}/healthz`);
    const b = await fetch(`${url}/healthz`);
    assert.notEqual(a.headers.get("x-request-id"), b.headers.get("x-request-id"));
  });

  it("logs each request once with its route pattern, never the query", async () => {
    const res = await post("/v1/echo?token=secret", '{"message":"hi"}');
    const id = res.headers.get("x-request-id") ?? "";
    const line = await eventually(() => lines.find((l) => l.msg === "request" && l.request_id === id));
    assert.equal(line.level, 30);
    assert.equal(line.method, "POST");
    assert.equal(line.route, "/v1/echo");
    assert.equal(line.status, 200);
    assert.equal(typeof line.duration_ms, "number");
    assert.equal(lines.filter((l) => l.msg === "request" && l.request_id === id).length, 1);
    assert.ok(!raw.some((l) => l.includes("secret")));
  });

  it("logs probes at debug, client errors at warn, unmatched routes as unmatched", async () => {
    const probe = (await fetch(`${url}/readyz`)).headers.get("x-request-id");
    const missing = (await fetch(`${url}/nope?key=1`)).headers.get("x-request-id");
    const probeLine = await eventually(() => lines.find((l) => l.msg === "request" && l.request_id === probe));
    assert.equal(probeLine.level, 20);
    const missingLine = await eventually(() => lines.find((l) => l.msg === "request" && l.request_id === missing));
    assert.equal(missingLine.level, 40);
    assert.equal(missingLine.route, "unmatched");
    assert.equal(missingLine.status, 404);
  });

  it("logs a method the route lacks under the route's pattern", async () => {
    const denied = (await fetch(`${url}/healthz`, { method: "DELETE" })).headers.get("x-request-id");
    const line = await eventually(() => lines.find((l) => l.msg === "request" && l.request_id === denied));
    assert.equal(line.route, "/healthz");
    assert.equal(line.status, 405);
  });
});

describe("malformed requests", () => {
  it("answers what the HTTP parser refuses with a 400 problem", async () => {
    const { service } = await startService();
    try {
      const socket = connect(service.address.port, "127.0.0.1");
      socket.on("error", () => {});
      await once(socket, "connect");
      let answer = "";
      socket.setEncoding("utf8").on("data", (chunk: string) => (answer += chunk));
      socket.write("NOT HTTP\r\n\r\n");
      await once(socket, "close");
      assert.match(answer, /^HTTP\/1\.1 400 /);
      assert.match(answer, /"type":"about:blank","title":"Bad Request","status":400/);
    } finally {
      await service.shutdown("test");
    }
  });
});

describe("slow clients", () => {
  it("closes a connection that never finishes its headers", async () => {
    const { service } = await startService({ headersTimeoutMs: 200 });
    try {
      const socket = connect(service.address.port, "127.0.0.1");
      socket.on("error", () => {});
      await once(socket, "connect");
      socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
      let answer = "";
      socket.setEncoding("utf8").on("data", (chunk: string) => (answer += chunk));
      const closed = once(socket, "close");
      const bound = new Promise((_, reject) =>
        setTimeout(() => reject(new Error("still open after 5 s")), 5000).unref(),
      );
      await Promise.race([closed, bound]);
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.match(answer, /\r\nContent-Type: application\/problem\+json\r\n/);
      assert.match(
        answer,
        /\r\n\r\n\{"type":"about:blank","title":"Request Timeout","status":408,"request_id":"[0-9a-f]{32}"\}$/,
      );
    } finally {
      await service.shutdown("test");
    }
  });
});

describe("large bodies", () => {
  it("refuses a declared body over 1 MiB at once, without waiting for it", async () => {
    const { service } = await startService();
    try {
      const socket = connect(service.address.port, "127.0.0.1");
      socket.on("error", () => {});
      await once(socket, "connect");
      // Headers for 2 MiB, then only the start of the body: the answer must not wait for the rest.
      socket.write(
        `POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n{"message":"`,
      );
      let answer = "";
      socket.setEncoding("utf8").on("data", (chunk: string) => (answer += chunk));
      const answered = eventually(() => (answer.includes("\r\n\r\n{") ? answer : undefined));
      assert.match(await answered, /^HTTP\/1\.1 413 /);
      assert.match(answer, /\r\ncontent-type: application\/problem\+json/i);
      socket.destroy();
    } finally {
      await service.shutdown("test");
    }
  });
});

describe("shutdown", () => {
  it("turns /readyz to 503 at once and keeps serving during the drain", async () => {
    const { service, url, lines } = await startService({ shutdownDrainMs: 1000 });
    const stopped = service.shutdown("SIGTERM");
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: "draining" });
    assert.equal(ready.headers.get("connection"), "close");
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok" });
    assert.equal(await stopped, true);
    assert.ok(lines.some((l) => l.msg === "shutdown started"));
    assert.ok(lines.some((l) => l.msg === "shutdown finished"));
  });

  it("closes a keep-alive connection once the request in flight at shutdown is answered", async () => {
    const { service } = await startService();
    const socket = connect(service.address.port, "127.0.0.1");
    socket.on("error", () => {});
    await once(socket, "connect");
    let answer = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => (answer += chunk));
    const body = '{"message":"late"}';
    const head = `POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    // The body is held back, so the request is in flight when shutdown starts.
    socket.write(head + body.slice(0, 5));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stopped = service.shutdown("SIGTERM");
    socket.write(body.slice(5));
    await once(socket, "close");
    assert.match(answer, /^HTTP\/1\.1 200 /);
    assert.match(answer, /\r\nconnection: close\r\n/i);
    assert.match(answer, /\{"message":"late"\}$/);
    assert.equal(await stopped, true);
  });

  it("reports not drained when an in-flight request outlives SHUTDOWN_TIMEOUT", async () => {
    const { service } = await startService({ shutdownTimeoutMs: 300 });
    // A request whose body never arrives stays in flight.
    const socket = connect(service.address.port, "127.0.0.1");
    await once(socket, "connect");
    socket.on("error", () => {});
    socket.write("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await service.shutdown("SIGTERM"), false);
    socket.destroy();
  });
});
