import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ConfigError, loadConfig, parseDuration } from "../src/config.js";

describe("loadConfig", () => {
  it("has a default for every variable", () => {
    assert.deepEqual(loadConfig({}), {
      host: undefined,
      port: 8080,
      logLevel: "info",
      shutdownDrainMs: 1000,
      shutdownTimeoutMs: 15_000,
      requestTimeoutMs: 10_000,
      headersTimeoutMs: 5000,
    });
  });

  it("reads every variable", () => {
    const config = loadConfig({
      HOST: "::1",
      PORT: "3000",
      LOG_LEVEL: "debug",
      SHUTDOWN_DRAIN: "0s",
      SHUTDOWN_TIMEOUT: "2m",
      REQUEST_TIMEOUT: "500ms",
    });
    assert.equal(config.host, "::1");
    assert.equal(config.port, 3000);
    assert.equal(config.logLevel, "debug");
    assert.equal(config.shutdownDrainMs, 0);
    assert.equal(config.shutdownTimeoutMs, 120_000);
    assert.equal(config.requestTimeoutMs, 500);
    assert.equal(config.headersTimeoutMs, 500);
  });

  const bad: [Record<string, string>, string][] = [
    [{ PORT: "abc" }, 'PORT="abc": not a port number (1-65535)'],
    [{ PORT: "" }, 'PORT="": not a port number (1-65535)'],
    [{ PORT: "0" }, 'PORT="0": not a port number (1-65535)'],
    [{ PORT: "65536" }, 'PORT="65536": not a port number (1-65535)'],
    [{ PORT: "80.5" }, 'PORT="80.5": not a port number (1-65535)'],
    [{ PORT: " 80" }, 'PORT=" 80": not a port number (1-65535)'],
    [{ HOST: "" }, 'HOST="": empty (unset it to listen on every interface)'],
    [{ LOG_LEVEL: "verbose" }, 'LOG_LEVEL="verbose": not a log level (debug, info, warn, error)'],
    [{ SHUTDOWN_DRAIN: "1" }, 'SHUTDOWN_DRAIN="1": not a duration (an integer with ms, s or m, e.g. 500ms, 10s)'],
    [{ SHUTDOWN_DRAIN: "1h" }, 'SHUTDOWN_DRAIN="1h": not a duration (an integer with ms, s or m, e.g. 500ms, 10s)'],
    [{ REQUEST_TIMEOUT: "-1s" }, 'REQUEST_TIMEOUT="-1s": not a duration (an integer with ms, s or m, e.g. 500ms, 10s)'],
    [{ REQUEST_TIMEOUT: "0s" }, 'REQUEST_TIMEOUT="0s": must be more than 0'],
    [
      { SHUTDOWN_TIMEOUT: "5s" },
      'SHUTDOWN_TIMEOUT="5s": shorter than REQUEST_TIMEOUT (10000ms): in-flight requests would be cut off',
    ],
  ];
  for (const [env, message] of bad) {
    it(`refuses ${JSON.stringify(env)}`, () => {
      assert.throws(
        () => loadConfig(env),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.equal(err.message, message);
          return true;
        },
      );
    });
  }
});

describe("parseDuration", () => {
  it("takes an integer and ms, s or m", () => {
    assert.equal(parseDuration("250ms"), 250);
    assert.equal(parseDuration("3s"), 3000);
    assert.equal(parseDuration("1m"), 60_000);
    assert.equal(parseDuration("0s"), 0);
  });

  it("refuses anything else", () => {
    for (const text of ["", "1", "1.5s", "1m30s", "s", "1S", " 1s", "1e3ms"]) {
      assert.equal(parseDuration(text), undefined, text);
    }
  });
});
