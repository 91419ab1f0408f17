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

export interface ShutdownOptions {
  config: Config;
  logger: Logger;
  lifecycle: Lifecycle;
  signal: string;
  /** Stops accepting connections, closes idle ones and resolves when the last one is gone. */
  close: () => Promise<void>;
  /** Cuts the connections still open once the budget is spent. */
  destroy: () => void;
}

/**
 * Readiness turns 503 at once, so load balancers stop sending traffic while
 * the server still answers for SHUTDOWN_DRAIN; then the server stops
 * accepting connections and in-flight requests get SHUTDOWN_TIMEOUT.
 */
export async function shutdown(opts: ShutdownOptions): Promise<boolean> {
  const { config, logger, lifecycle, signal } = opts;
  lifecycle.draining = true;
  logger.info(
    { signal, drain_ms: config.shutdownDrainMs, timeout_ms: config.shutdownTimeoutMs },
    "shutdown started",
  );
  await sleep(config.shutdownDrainMs);

  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), config.shutdownTimeoutMs);
  });
  const drained = await Promise.race([opts.close().then(() => true as const), budget]);
  clearTimeout(timer);
  if (!drained) opts.destroy();
  logger.info({ drained }, drained ? "shutdown finished" : "shutdown finished, requests cut off");
  return drained;
}
