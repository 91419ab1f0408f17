// The entry point as a process: config errors, signals and exit codes.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const entry = fileURLToPath(new URL("../src/server.ts", import.meta.url));

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(env: Record<string, string>): Run {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

/** Waits, within a generous bound, for the output to hold text. */
async function waitForOutput(read: () => string, text: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!read().includes(text)) {
    if (Date.now() > deadline) assert.fail(`no ${JSON.stringify(text)} in output:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("server entry point", () => {
  const badEnvs: [Record<string, string>, string][] = [
    [{ PORT: "abc" }, 'config: PORT="abc": not a port number (1-65535)\n'],
    [{ PORT: "" }, 'config: PORT="": not a port number (1-65535)\n'],
    [{ LOG_LEVEL: "loud" }, 'config: LOG_LEVEL="loud": not a log level (debug, info, warn, error)\n'],
  ];
  for (const [env, line] of badEnvs) {
    it(`exits 2 with one line on stderr for ${JSON.stringify(env)}`, async () => {
      const r = run(env);
      assert.equal(await r.exited, 2);
      assert.equal(r.stderr(), line);
      assert.equal(r.stdout(), "");
    });
  }

  it("drains and exits 0 on SIGTERM, logging start and end", async () => {
    const port = await freePort();
    const r = run({ HOST: "127.0.0.1", PORT: String(port), SHUTDOWN_DRAIN: "0s" });
    await waitForOutput(r.stdout, "listening");
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(res.status, 200);
    r.child.kill("SIGTERM");
    assert.equal(await r.exited, 0);
    const lines = r
      .stdout()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { msg: string; drained?: boolean });
    assert.ok(
      lines.some((l) => l.msg === "shutdown started"),
      r.stdout(),
    );
    assert.ok(
      lines.some((l) => l.msg === "shutdown finished" && l.drained === true),
      r.stdout(),
    );
    assert.equal(r.stderr(), "");
  });

  it("exits 1 at once on a second signal during shutdown", async () => {
    const port = await freePort();
    const r = run({ HOST: "127.0.0.1", PORT: String(port), SHUTDOWN_DRAIN: "1m", SHUTDOWN_TIMEOUT: "2m" });
    await waitForOutput(r.stdout, "listening");
    r.child.kill("SIGTERM");
    await waitForOutput(r.stdout, "shutdown started");
    r.child.kill("SIGINT");
    assert.equal(await r.exited, 1);
  });
});
