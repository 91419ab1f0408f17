// Applies the SQL migrations in migrations/ with node-pg-migrate, which
// records them in its pgmigrations table and holds an advisory lock, so that
// two instances migrating at once apply each migration once.
import { fileURLToPath } from "node:url";

import { runner } from "node-pg-migrate";

import type { DatabaseConfig } from "./config.js";

/** migrations/ at the project root, beside src/ and dist/ alike. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../migrations", import.meta.url));

/** A migration failed, or the migrations could not start (migration is then undefined). */
export class MigrationError extends Error {
  override name = "MigrationError";
  readonly migration: string | undefined;

  constructor(migration: string | undefined, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(migration === undefined ? `migrations did not run: ${why}` : `migration ${migration} failed: ${why}`, {
      cause,
    });
    this.migration = migration;
  }
}

export interface MigrateOptions {
  /** The schema to migrate, created when missing; its own pgmigrations table goes there too. */
  schema?: string;
}

/** Applies every pending migration, each in its own transaction; resolves to the names applied, in order. */
export async function migrate(config: DatabaseConfig, options: MigrateOptions = {}): Promise<string[]> {
  // node-pg-migrate announces each migration before it runs it: the last one announced is the one that failed.
  let current: string | undefined;
  const quiet = () => {};
  try {
    const applied = await runner({
      // No statement_timeout here: a migration may rightly take longer than a request's query.
      databaseUrl: { connectionString: config.url, connectionTimeoutMillis: config.connectTimeoutMs },
      dir: MIGRATIONS_DIR,
      direction: "up",
      migrationsTable: "pgmigrations",
      ...(options.schema === undefined ? {} : { schema: options.schema, createSchema: true }),
      singleTransaction: false,
      checkOrder: true,
      // Another instance migrating holds the lock: wait for it, then find nothing left to do.
      advisoryLockMode: "wait",
      logger: {
        debug: quiet,
        info: (message: string) => {
          const announced = /^### MIGRATION (.+) \(UP\) ###$/.exec(message);
          if (announced) current = announced[1];
        },
        warn: quiet,
        error: quiet,
      },
    });
    return applied.map((m) => m.name);
  } catch (err) {
    throw new MigrationError(current, err);
  }
}
