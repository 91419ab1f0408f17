// An in-memory Database for the tests that need no PostgreSQL: the store
// keeps its items in an array, and either can be made to fail.
import { randomUUID } from "node:crypto";

import type { Database } from "../src/database.js";
import { type Item, type ItemStore, StoreError } from "../src/items.js";

export class MemoryItemStore implements ItemStore {
  readonly items: Item[] = [];
  /** When set, every call rejects as the real store does when the database does not answer. */
  failing = false;
  private last = 0;

  private check(): void {
    if (this.failing) throw new StoreError("the database did not answer", { cause: new Error("connect ECONNREFUSED") });
  }

  async create(name: string): Promise<Item> {
    this.check();
    // Strictly increasing, as the database's now() is across transactions, so "newest first" is well defined.
    this.last = Math.max(Date.now(), this.last + 1);
    const item = { id: randomUUID(), name, created_at: new Date(this.last).toISOString() };
    this.items.push(item);
    return item;
  }

  async get(id: string): Promise<Item | undefined> {
    this.check();
    return this.items.find((item) => item.id === id.toLowerCase());
  }

  async list(limit: number): Promise<Item[]> {
    this.check();
    return this.items.toReversed().slice(0, limit);
  }
}

export interface FakeDatabase extends Database {
  items: MemoryItemStore;
  /** What ping answers. */
  up: boolean;
  closed: boolean;
}

export function fakeDatabase(): FakeDatabase {
  const database: FakeDatabase = {
    items: new MemoryItemStore(),
    up: true,
    closed: false,
    ping: async () => database.up,
    close: async () => {
      database.closed = true;
    },
  };
  return database;
}
