// The healthcheck command, as a process: what compose runs in the image.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import { healthcheck } from "../src/healthcheck.js";
import { startService } from "./serve.js";

const entry = fileURLToPath(new URL("../src/server.ts", import.meta.url));

async function runHealthcheck(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", entry, "healthcheck"], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const [code] = await once(child, "exit");
  return { code: code as number | null, stdout, stderr };
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}

describe("healthcheck command", () => {
  it("exits 0 against a running server, even with the rest of the config bad", async () => {
    const { service, port } = await startService();
    try {
      const r = await runHealthcheck({ PORT: String(port), LOG_LEVEL: "loud", SHUTDOWN_DRAIN: "soon" });
      assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    } finally {
      await service.shutdown("test");
    }
  });

  it("exits 1 with one line on stderr when nothing listens", async () => {
    const port = await freePort();
    const r = await runHealthcheck({ PORT: String(port) });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, `healthcheck: http://127.0.0.1:${port}/healthz did not answer: connection refused\n`);
  });

  it("exits 2 on a bad PORT, as the server does", async () => {
    const r = await runHealthcheck({ PORT: "abc" });
    assert.deepEqual(r, { code: 2, stdout: "", stderr: 'config: PORT="abc": not a port number (1-65535)\n' });
  });
});

describe("healthcheck", () => {
  it("reports an answer other than 200, and one that does not come in time", async () => {
    const server = createServer((_req, res) => res.writeHead(503).end());
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    try {
      assert.equal(await healthcheck(port), `http://127.0.0.1:${port}/healthz answered 503`);
    } finally {
      server.closeAllConnections();
      server.close();
    }
    const silent = createServer(() => {});
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    const silentPort = (silent.address() as AddressInfo).port;
    try {
      assert.equal(
        await healthcheck(silentPort, 100),
        `http://127.0.0.1:${silentPort}/healthz did not answer within 100ms`,
      );
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
