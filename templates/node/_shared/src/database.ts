// The PostgreSQL pool: lazy (nothing connects until a query needs it, so the
// service starts and serves /healthz while the database is down), bounded
// (DATABASE_MAX_CONNS), and with every statement cut off after 5 s.
import { Pool } from "pg";
import type { Logger } from "pino";

import type { DatabaseConfig } from "./config.js";
import { type ItemStore, PgItemStore } from "./items.js";
import type { Lifecycle } from "./lifecycle.js";

/** What the service needs of its database: the store, a readiness ping and a close for shutdown. */
export interface Database {
  items: ItemStore;
  /** Whether the database answers SELECT 1 within the ping timeout; never rejects. */
  ping(): Promise<boolean>;
  /** Closes the pool: waits for the connections in use to be released, then ends them all. */
  close(): Promise<void>;
}

export interface PoolOptions {
  /** The schemas unqualified names resolve in (the integration tests' own); the server's default otherwise. */
  searchPath?: string;
}

export function createPool(config: DatabaseConfig, options: PoolOptions = {}): Pool {
  return new Pool({
    connectionString: config.url,
    max: config.maxConnections,
    connectionTimeoutMillis: config.connectTimeoutMs,
    // Sent as a startup parameter: the server cancels any statement that runs longer.
    statement_timeout: config.statementTimeoutMs,
    // A connection that stays idle this long is closed; the pool opens a new one when it needs it.
    idleTimeoutMillis: 30_000,
    ...(options.searchPath === undefined ? {} : { options: `-c search_path=${options.searchPath}` }),
  });
}

export function createDatabase(config: DatabaseConfig, logger: Logger, options: PoolOptions = {}): Database {
  const pool = createPool(config, options);
  // An idle connection that the server drops (a restart, a failover) is an error on the pool: without
  // a listener it would crash the process. The next query opens a new connection.
  pool.on("error", (err) => logger.warn({ err }, "idle database connection lost"));
  return {
    items: new PgItemStore(pool),
    ping: () => ping(pool, config.pingTimeoutMs),
    close: () => pool.end(),
  };
}

async function ping(pool: Pool, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const answer = pool.query("SELECT 1").then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Readiness {
  status: 200 | 503;
  body: { status: string; [key: string]: string };
}

/**
 * GET /readyz with a database: draining first, then whether the database
 * answers SELECT 1 within 1 s and, when given, the other check (the next
 * part of a workspace), run at the same time; all must hold.
 */
export async function readiness(
  lifecycle: Lifecycle,
  database: Pick<Database, "ping">,
  other?: () => Promise<Readiness>,
): Promise<Readiness> {
  const draining: Readiness = { status: 503, body: { status: "draining" } };
  if (lifecycle.draining) return draining;
  const [up, next] = await Promise.all([database.ping(), other?.()]);
  // Shutdown may have started while the ping was out: draining still wins.
  if (lifecycle.draining) return draining;
  if (!up) return { status: 503, body: { status: "unavailable", database: "unreachable" } };
  return next ?? { status: 200, body: { status: "ready" } };
}
