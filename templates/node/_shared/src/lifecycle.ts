import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

import type { Logger } from "pino";

import type { Config } from "./config.js";

/** What the routes need to know about shutdown: /readyz and Connection: close read it. */
export interface Lifecycle {
  draining: boolean;
}

/** A listening service, as start() returns it. */
export interface Service {
  address: AddressInfo;
  lifecycle: Lifecycle;
  /** Drains and stops the server; resolves to whether every in-flight request finished. */
  shutdown(signal: string): Promise<boolean>;
}

/** A server's connections, as shutdown needs them. */
export interface Connections {
  /** Makes the responses being handled answer with Connection: close. */
  drain(): void;
  /** Closes idle connections now, and each busy one as soon as its response is sent. */
  closeIdle(): void;
  /** Cuts every connection, busy or not. */
  destroy(): void;
}

/**
 * Follows a server's responses from their start, so that a request already
 * in flight when shutdown starts does not leave its keep-alive connection
 * open for keepAliveTimeout once it is answered. Call it before listening.
 */
export function trackConnections(server: Server): Connections {
  const responses = new Set<ServerResponse>();
  let closing = false;
  server.prependListener("request", (_req: IncomingMessage, res: ServerResponse) => {
    responses.add(res);
    res.on("finish", () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
    res.on("close", () => responses.delete(res));
  });
  return {
    drain() {
      for (const res of responses) if (!res.headersSent) res.setHeader("Connection", "close");
    },
    closeIdle() {
      closing = true;
      server.closeIdleConnections();
    },
    destroy() {
      server.closeAllConnections();
    },
  };
}

export interface ShutdownOptions {
  config: Config;
  logger: Logger;
  lifecycle: Lifecycle;
  connections: Connections;
  signal: string;
  /** Stops accepting connections and resolves when the last one is gone (server.close). */
  close: () => Promise<void>;
}

/**
 * Readiness turns 503 at once, so load balancers stop sending traffic while
 * the server still answers for SHUTDOWN_DRAIN; then the server stops
 * accepting connections and in-flight requests get SHUTDOWN_TIMEOUT.
 */
export async function shutdown(opts: ShutdownOptions): Promise<boolean> {
  const { config, logger, lifecycle, connections, signal } = opts;
  lifecycle.draining = true;
  connections.drain();
  logger.info({ signal, drain_ms: config.shutdownDrainMs, timeout_ms: config.shutdownTimeoutMs }, "shutdown started");
  await sleep(config.shutdownDrainMs);

  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), config.shutdownTimeoutMs);
  });
  const closed = opts.close().then(() => true as const);
  connections.closeIdle();
  const drained = await Promise.race([closed, budget]);
  clearTimeout(timer);
  if (!drained) connections.destroy();
  logger[drained ? "info" : "warn"]({ drained }, "shutdown finished");
  return drained;
}
