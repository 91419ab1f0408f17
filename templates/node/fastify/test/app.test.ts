import assert from "node:assert/strict";
import { after, describe, it } from "node:test";

import { buildApp } from "../src/app.js";

describe("app", () => {
  const app = buildApp({ logger: false });
  after(() => app.close());

  it("GET /healthz reports ok", async () => {
    const res = await app.inject({ method: "GET", url: "/healthz" });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers["content-type"] as string, /^application\/json/);
    assert.equal(res.body, '{"status":"ok"}');
  });

  it("POST /v1/echo returns the message", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/echo", payload: { message: "hello" } });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { message: "hello" });
  });

  it("POST /v1/echo rejects a missing message", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/echo", payload: {} });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, "Bad Request");
  });

  it("POST /v1/echo rejects a body over 1 MiB", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/echo",
      payload: { message: "x".repeat(1024 * 1024) },
    });
    assert.equal(res.statusCode, 413);
  });
});
