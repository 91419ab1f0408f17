// The items resource: what an item is, what a request may say about one,
// and the store behind the routes, in PostgreSQL or (for the tests) in memory.
import type { Pool } from "pg";

/** An item as the API answers it. */
export interface Item {
  /** A UUID, lower case. */
  id: string;
  name: string;
  /** When it was created, RFC 3339 in UTC. */
  created_at: string;
}

/** Where the items live; every method rejects with StoreError when the database does not answer. */
export interface ItemStore {
  create(name: string): Promise<Item>;
  /** The item, or undefined when there is none with this id. */
  get(id: string): Promise<Item | undefined>;
  /** The newest items first (created_at, then id, descending), at most limit of them. */
  list(limit: number): Promise<Item[]>;
}

/** The database failed (unreachable, a timeout, an error): the routes answer 503 and log the cause. */
export class StoreError extends Error {
  override name = "StoreError";
}

export const MAX_NAME_LENGTH = 100;
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** Why a name cannot be stored, or undefined when it can: 1 to 100 characters (code points), no NUL. */
export function whyNotAName(name: string): string | undefined {
  const length = [...name].length;
  if (length < 1 || length > MAX_NAME_LENGTH) return `name must be 1 to ${MAX_NAME_LENGTH} characters`;
  // PostgreSQL's text cannot hold U+0000: refused here, not as a database error.
  if (name.includes("\u0000")) return "name must not contain U+0000";
  return undefined;
}

/** The limit query parameter: absent is DEFAULT_LIMIT, otherwise an integer from 1 to MAX_LIMIT. */
export function parseLimit(value: unknown): number | { error: string } {
  if (value === undefined) return DEFAULT_LIMIT;
  const limit = typeof value === "string" && /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) return { error: `limit must be an integer from 1 to ${MAX_LIMIT}` };
  return limit;
}

interface ItemRow {
  id: string;
  name: string;
  created_at: Date;
}

function toItem(row: ItemRow): Item {
  return { id: row.id, name: row.name, created_at: row.created_at.toISOString() };
}

/** The items table, through the pool; a failed query is a StoreError with the driver's error as its cause. */
export class PgItemStore implements ItemStore {
  private readonly pool: Pool;

  constructor(pool: Pool) {
    this.pool = pool;
  }

  private async query(text: string, values: unknown[]): Promise<ItemRow[]> {
    try {
      return (await this.pool.query<ItemRow>(text, values)).rows;
    } catch (err) {
      throw new StoreError("the database did not answer", { cause: err });
    }
  }

  async create(name: string): Promise<Item> {
    const [row] = await this.query("INSERT INTO items (name) VALUES ($1) RETURNING id, name, created_at", [name]);
    if (row === undefined) throw new StoreError("INSERT returned no row");
    return toItem(row);
  }

  async get(id: string): Promise<Item | undefined> {
    const [row] = await this.query("SELECT id, name, created_at FROM items WHERE id = $1", [id]);
    return row === undefined ? undefined : toItem(row);
  }

  async list(limit: number): Promise<Item[]> {
    const rows = await this.query("SELECT id, name, created_at FROM items ORDER BY created_at DESC, id DESC LIMIT $1", [
      limit,
    ]);
    return rows.map(toItem);
  }
}
