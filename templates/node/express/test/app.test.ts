// What only routes added for the test can show: an unhandled error and a
// handler slower than REQUEST_TIMEOUT.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";

import { pino } from "pino";

import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";

describe("app", () => {
  const logged: string[] = [];
  const server = createServer(
    buildApp({
      config: { ...loadConfig({}), requestTimeoutMs: 1000 },
      logger: pino({ level: "info" }, { write: (line: string) => logged.push(line) }),
      lifecycle: { draining: false },
      routes: (app) => {
        app.get("/boom", () => {
          throw new Error("kaboom");
        });
        app.get("/boom-async", async () => {
          throw new Error("async kaboom");
        });
        app.get("/slow", () => {
          // Never answers.
        });
      },
    }),
  );
  let url: string;

  before(async () => {
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  for (const path of ["/boom", "/boom-async"]) {
    it(`answers an error thrown in ${path} with a 500 problem and keeps serving`, async () => {
      const res = await fetch(url + path);
      assert.equal(res.status, 500);
      assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
      const body = (await res.json()) as Record<string, unknown>;
      assert.deepEqual(body, {
        type: "about:blank",
        title: "Internal Server Error",
        status: 500,
        request_id: res.headers.get("x-request-id"),
      });
      assert.ok(logged.some((line) => line.includes("unhandled error") && line.includes("kaboom")));
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
    });
  }

  it("answers a handler slower than REQUEST_TIMEOUT with a 408 problem", async () => {
    const res = await fetch(`${url}/slow`);
    assert.equal(res.status, 408);
    assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.detail, "no response within 1000ms");
  });
});
