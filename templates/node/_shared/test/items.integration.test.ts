// /v1/items through the real HTTP handler and a real pool, against the
// PostgreSQL that DATABASE_URL names. Skipped when it is unset; when it is
// set, the database must answer: these tests fail rather than skip.
// Each run works in a schema of its own (test_<random hex>), with the
// migrations applied there, and drops it at the end, so runs at once
// against one database do not interfere.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";

import { Client } from "pg";
import { pino } from "pino";

import { type DatabaseConfig, loadDatabaseConfig } from "../src/config.js";
import { createDatabase, type Database } from "../src/database.js";
import type { Service } from "../src/lifecycle.js";
import { migrate } from "../src/migrate.js";
import { startService } from "./serve.js";

const skip = process.env.DATABASE_URL === undefined && "DATABASE_URL is not set: no PostgreSQL to test against";

describe("items against PostgreSQL", { skip }, () => {
  const schema = `test_${randomBytes(6).toString("hex")}`;
  let config: DatabaseConfig;
  let database: Database;
  let service: Service;
  let url: string;

  before(async () => {
    config = loadDatabaseConfig(process.env);
    const applied = await migrate(config, { schema });
    assert.ok(applied.length > 0, "no migration applied");
    database = createDatabase(config, pino({ level: "silent" }), { searchPath: schema });
    ({ service, url } = await startService({}, { database }));
  });

  after(async () => {
    // service.shutdown closes the pool too; the schema goes on its own connection.
    await service?.shutdown("test");
    if (config === undefined) return;
    const client = new Client({ connectionString: config.url, connectionTimeoutMillis: config.connectTimeoutMs });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await client.end();
    }
  });

  const create = (name: string) =>
    fetch(`${url}/v1/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name }),
    });

  it("applies the migrations once", async () => {
    assert.deepEqual(await migrate(config, { schema }), []);
  });

  it("creates and gets an item", async () => {
    const res = await create("integration");
    assert.equal(res.status, 201);
    const item = (await res.json()) as { id: string; name: string; created_at: string };
    assert.equal(res.headers.get("location"), `/v1/items/${item.id}`);
    assert.equal(item.name, "integration");
    assert.ok(!Number.isNaN(Date.parse(item.created_at)));
    const got = await fetch(`${url}/v1/items/${item.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(await got.json(), item);
  });

  it("answers 404 for an item that does not exist", async () => {
    const res = await fetch(`${url}/v1/items/00000000-0000-4000-8000-000000000000`);
    assert.equal(res.status, 404);
    await res.body?.cancel();
  });

  it("lists the newest first, at most limit of them", async () => {
    for (const name of ["one", "two", "three"]) assert.equal((await create(name)).status, 201);
    const res = await fetch(`${url}/v1/items?limit=2`);
    assert.equal(res.status, 200);
    const { items } = (await res.json()) as { items: { name: string }[] };
    assert.deepEqual(
      items.map((i) => i.name),
      ["three", "two"],
    );
    const all = (await (await fetch(`${url}/v1/items?limit=100`)).json()) as { items: unknown[] };
    assert.equal(all.items.length, 4);
  });

  it("reports ready while the database answers", async () => {
    const res = await fetch(`${url}/readyz`);
    assert.equal(res.status, 200);
    await res.body?.cancel();
  });
});
