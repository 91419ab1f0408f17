import assert from "node:assert/strict";
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";

import { pino } from "pino";

import { buildApp } from "../src/app.js";

describe("app", () => {
  let server: Server;
  let baseUrl: string;

  before(async () => {
    server = buildApp({ logger: pino({ level: "silent" }) }).listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
  });
  after(() => {
    server.close();
  });

  const postJson = (path: string, body: unknown) =>
    fetch(baseUrl + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("GET /healthz reports ok", async () => {
    const res = await fetch(`${baseUrl}/healthz`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal(await res.text(), '{"status":"ok"}');
  });

  it("POST /v1/echo returns the message", async () => {
    const res = await postJson("/v1/echo", { message: "hello" });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { message: "hello" });
  });

  it("POST /v1/echo rejects a missing message", async () => {
    const res = await postJson("/v1/echo", {});
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: string };
    assert.equal(body.error, "Bad Request");
  });

  it("POST /v1/echo rejects a body over 1 MiB", async () => {
    const res = await postJson("/v1/echo", { message: "x".repeat(1024 * 1024) });
    assert.equal(res.status, 413);
  });
});
