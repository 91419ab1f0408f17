// What only routes added for the test can show: an unhandled error and a
// handler slower than REQUEST_TIMEOUT.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";

import { pino } from "pino";

import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";

describe("app", () => {
  const logged: string[] = [];
  const app = buildApp({
    config: { ...loadConfig({}), requestTimeoutMs: 1000 },
    logger: pino({ level: "info" }, { write: (line: string) => logged.push(line) }),
    lifecycle: { draining: false },
  });
  app.get("/boom", async () => {
    throw new Error("kaboom");
  });
  app.get("/boom-sync", () => {
    throw new Error("sync kaboom");
  });
  app.get("/slow", () => new Promise(() => {}));
  after(() => app.close());

  for (const url of ["/boom", "/boom-sync"]) {
    it(`answers an error thrown in ${url} with a 500 problem and keeps serving`, async () => {
      const res = await app.inject({ method: "GET", url });
      assert.equal(res.statusCode, 500);
      assert.match(res.headers["content-type"] as string, /^application\/problem\+json/);
      assert.deepEqual(res.json(), {
        type: "about:blank",
        title: "Internal Server Error",
        status: 500,
        request_id: res.headers["x-request-id"],
      });
      assert.ok(logged.some((line) => line.includes("unhandled error") && line.includes("kaboom")));
      assert.equal((await app.inject({ method: "GET", url: "/healthz" })).statusCode, 200);
    });
  }

  it("answers a handler slower than REQUEST_TIMEOUT with a 503 problem", async () => {
    const res = await app.inject({ method: "GET", url: "/slow" });
    assert.equal(res.statusCode, 503);
    assert.match(res.headers["content-type"] as string, /^application\/problem\+json/);
    assert.equal(res.json().detail, "no response within 1000ms");
  });
});
