// Every setting the service reads, checked once at start. A bad value is a
// ConfigError naming the variable, the value and what is allowed; the entry
// point prints it as one line and exits 2.

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Config {
  /** Address to listen on; undefined listens on every interface (IPv6 and IPv4). */
  host: string | undefined;
  port: number;
  logLevel: LogLevel;
  /** How long /readyz reports draining while requests are still served. */
  shutdownDrainMs: number;
  /** How long in-flight requests get to finish once the server stops accepting connections. */
  shutdownTimeoutMs: number;
  /** How long a request may take, from its first byte to the response. */
  requestTimeoutMs: number;
  /** How long a client may take to send its request headers. */
  headersTimeoutMs: number;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];
const UNITS = { ms: 1, s: 1000, m: 60_000 } as const;

/** Parses a duration the way the Go template does, limited to an integer and one unit: 500ms, 1s, 2m. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,9})(ms|s|m)$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * UNITS[m[2] as keyof typeof UNITS];
}

function bad(name: string, value: string, allowed: string): ConfigError {
  return new ConfigError(`${name}=${JSON.stringify(value)}: ${allowed}`);
}

function duration(env: NodeJS.ProcessEnv, name: string, fallback: string): number {
  const value = env[name] ?? fallback;
  const ms = parseDuration(value);
  if (ms === undefined) throw bad(name, value, "not a duration (an integer with ms, s or m, e.g. 500ms, 10s)");
  return ms;
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const host = env.HOST;
  if (host === "") throw bad("HOST", host, "empty (unset it to listen on every interface)");

  const portText = env.PORT ?? "8080";
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) throw bad("PORT", portText, "not a port number (1-65535)");

  const logLevel = env.LOG_LEVEL ?? "info";
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw bad("LOG_LEVEL", logLevel, `not a log level (${LOG_LEVELS.join(", ")})`);
  }

  const shutdownDrainMs = duration(env, "SHUTDOWN_DRAIN", "1s");
  const shutdownTimeoutMs = duration(env, "SHUTDOWN_TIMEOUT", "15s");
  const requestTimeoutMs = duration(env, "REQUEST_TIMEOUT", "10s");
  if (requestTimeoutMs === 0) throw bad("REQUEST_TIMEOUT", env.REQUEST_TIMEOUT ?? "", "must be more than 0");
  if (shutdownTimeoutMs < requestTimeoutMs) {
    throw bad(
      "SHUTDOWN_TIMEOUT",
      env.SHUTDOWN_TIMEOUT ?? "15s",
      `shorter than REQUEST_TIMEOUT (${requestTimeoutMs}ms): in-flight requests would be cut off`,
    );
  }

  return {
    host,
    port,
    logLevel: logLevel as LogLevel,
    shutdownDrainMs,
    shutdownTimeoutMs,
    requestTimeoutMs,
    headersTimeoutMs: Math.min(5000, requestTimeoutMs),
  };
}
