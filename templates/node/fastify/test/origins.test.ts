import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import { ConfigError } from "../src/config.js";
import { loadAllowedOrigins, originAllowed } from "../src/origins.js";

describe("loadAllowedOrigins", () => {
  it("allows none besides the service's own when WS_ALLOWED_ORIGINS is unset or empty", () => {
    assert.deepEqual(loadAllowedOrigins({}), []);
    assert.deepEqual(loadAllowedOrigins({ WS_ALLOWED_ORIGINS: "" }), []);
    assert.deepEqual(loadAllowedOrigins({ WS_ALLOWED_ORIGINS: "  " }), []);
  });

  it("reads comma-separated origins, spaces around commas allowed, in canonical form", () => {
    assert.deepEqual(
      loadAllowedOrigins({
        WS_ALLOWED_ORIGINS: "https://app.example.com, http://localhost:5173 ,HTTPS://Other.Example:443",
      }),
      ["https://app.example.com", "http://localhost:5173", "https://other.example"],
    );
    assert.deepEqual(loadAllowedOrigins({ WS_ALLOWED_ORIGINS: "http://[::1]:3000" }), ["http://[::1]:3000"]);
  });

  const bad: [string, string][] = [
    ["https://app.example.com/", "https://app.example.com/"],
    ["https://app.example.com/path", "https://app.example.com/path"],
    ["https://app.example.com?x=1", "https://app.example.com?x=1"],
    ["https://app.example.com#top", "https://app.example.com#top"],
    ["https://user@app.example.com", "https://user@app.example.com"],
    ["ftp://app.example.com", "ftp://app.example.com"],
    ["ws://app.example.com", "ws://app.example.com"],
    ["app.example.com", "app.example.com"],
    ["https://", "https://"],
    ["https://app.example.com:99999", "https://app.example.com:99999"],
    ["not an origin", "not an origin"],
    ["https://a.example,,https://b.example", ""],
    ["https://a.example, *", "*"],
  ];
  for (const [value, entry] of bad) {
    it(`refuses ${JSON.stringify(value)}`, () => {
      assert.throws(
        () => loadAllowedOrigins({ WS_ALLOWED_ORIGINS: value }),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.equal(
            err.message,
            `WS_ALLOWED_ORIGINS=${JSON.stringify(value)}: ${JSON.stringify(entry)} is not an origin ` +
              "(http:// or https://, a host and an optional port, no path)",
          );
          return true;
        },
      );
    });
  }
});

describe("originAllowed", () => {
  const allowed = ["https://app.example.com", "http://localhost:5173"];

  it("accepts the origin of the Host the request was sent to", () => {
    assert.ok(originAllowed("https://api.example.com", "api.example.com", []));
    assert.ok(originAllowed("http://api.example.com:8080", "API.example.com:8080", []));
    assert.ok(originAllowed("https://api.example.com", "api.example.com:443", []));
  });

  it("accepts a listed origin, in any case", () => {
    assert.ok(originAllowed("https://app.example.com", "api.example.com", allowed));
    assert.ok(originAllowed("HTTPS://APP.EXAMPLE.COM", "api.example.com", allowed));
    assert.ok(originAllowed("http://localhost:5173", undefined, allowed));
  });

  it("refuses any other origin", () => {
    for (const origin of [
      "https://api.example.com:8443",
      "https://evil.example",
      "https://app.example.com.evil.example",
      "http://app.example.com",
      "http://localhost:5174",
      "null",
      "",
      "https://app.example.com/",
    ]) {
      assert.ok(!originAllowed(origin, "api.example.com", allowed), origin);
    }
    assert.ok(!originAllowed("https://api.example.com", undefined, []));
  });
});

describe("the entry point", () => {
  it("exits 2 on a bad WS_ALLOWED_ORIGINS with one line on stderr", async () => {
    const entry = fileURLToPath(new URL("../src/server.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", entry], {
      env: { PATH: process.env.PATH, WS_ALLOWED_ORIGINS: "https://app.example.com/path" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const [code] = await once(child, "exit");
    assert.equal(code, 2);
    assert.equal(
      stderr,
      'config: WS_ALLOWED_ORIGINS="https://app.example.com/path": "https://app.example.com/path" is not an origin ' +
        "(http:// or https://, a host and an optional port, no path)\n",
    );
    assert.equal(stdout, "");
  });
});
