// /v1/items and /readyz against the in-memory database: validation, the
// answers and the 503 of a database that does not answer. No PostgreSQL needed.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { Service } from "../src/lifecycle.js";
import { type FakeDatabase, fakeDatabase } from "./fake-database.js";
import { type LogLine, startService } from "./serve.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

async function assertProblem(res: Response, status: number): Promise<Record<string, unknown>> {
  assert.equal(res.status, status, await res.clone().text());
  assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(body.status, status);
  assert.equal(body.request_id, res.headers.get("x-request-id"));
  return body;
}

describe("items", () => {
  let service: Service;
  let url: string;
  let lines: LogLine[];
  let database: FakeDatabase;

  before(async () => {
    database = fakeDatabase();
    ({ service, url, lines } = await startService({}, { database }));
  });
  after(() => service.shutdown("test"));

  const create = (body: string, contentType = "application/json") =>
    fetch(`${url}/v1/items`, { method: "POST", headers: { "content-type": contentType }, body });

  it("creates an item: 201, its Location and the item", async () => {
    const res = await create('{"name":"first"}');
    assert.equal(res.status, 201);
    const item = (await res.json()) as { id: string; name: string; created_at: string };
    assert.match(item.id, UUID);
    assert.equal(item.name, "first");
    assert.match(item.created_at, RFC3339);
    assert.equal(res.headers.get("location"), `/v1/items/${item.id}`);
    assert.deepEqual(Object.keys(item).sort(), ["created_at", "id", "name"]);

    const got = await fetch(`${url}/v1/items/${item.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(await got.json(), item);
  });

  it("counts a name's length in characters, not bytes or UTF-16 units", async () => {
    assert.equal((await create(JSON.stringify({ name: "😀".repeat(100) }))).status, 201);
    await assertProblem(await create(JSON.stringify({ name: "😀".repeat(101) })), 400);
  });

  const bad: [string, string][] = [
    ["a missing name", "{}"],
    ["an empty name", '{"name":""}'],
    ["a name of 101 characters", JSON.stringify({ name: "x".repeat(101) })],
    ["a name that is not a string", '{"name":5}'],
    ["an unknown field", '{"name":"a","extra":1}'],
    ["an array", '["a"]'],
    ["malformed JSON", '{"name":'],
    ["data after the JSON value", '{"name":"a"} {}'],
  ];
  for (const [what, body] of bad) {
    it(`refuses ${what} with a 400 problem`, async () => {
      await assertProblem(await create(body), 400);
    });
  }

  it("refuses a body that is not application/json with a 415 problem", async () => {
    await assertProblem(await create('{"name":"a"}', "text/plain"), 415);
  });

  it("lists the newest items first, at most limit of them", async () => {
    for (const name of ["a", "b", "c"]) assert.equal((await create(JSON.stringify({ name }))).status, 201);
    const res = await fetch(`${url}/v1/items?limit=2`);
    assert.equal(res.status, 200);
    const { items } = (await res.json()) as { items: { name: string }[] };
    assert.deepEqual(
      items.map((i) => i.name),
      ["c", "b"],
    );
    const all = (await (await fetch(`${url}/v1/items`)).json()) as { items: unknown[] };
    assert.equal(all.items.length, database.items.items.length);
  });

  for (const limit of ["0", "101", "x", "1.5", "-1", ""]) {
    it(`refuses limit=${limit} with a 400 problem`, async () => {
      await assertProblem(await fetch(`${url}/v1/items?limit=${limit}`), 400);
    });
  }

  it("answers 400 for an id that is not a UUID, 404 for no such item", async () => {
    await assertProblem(await fetch(`${url}/v1/items/not-a-uuid`), 400);
    await assertProblem(await fetch(`${url}/v1/items/00000000-0000-4000-8000-000000000000`), 404);
  });

  it("logs the route pattern, not the id", async () => {
    const res = await fetch(`${url}/v1/items/00000000-0000-4000-8000-000000000001`);
    const id = res.headers.get("x-request-id");
    await res.body?.cancel();
    const deadline = Date.now() + 5000;
    const find = () => lines.find((l) => l.msg === "request" && l.request_id === id);
    while (find() === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.match(find()?.route ?? "", /^\/v1\/items\/(:id|\{id\})$/);
  });

  it("answers 503 while the database fails, logs the cause and never sends it", async () => {
    database.items.failing = true;
    try {
      for (const res of [
        await create('{"name":"a"}'),
        await fetch(`${url}/v1/items`),
        await fetch(`${url}/v1/items/00000000-0000-4000-8000-000000000000`),
      ]) {
        const body = await assertProblem(res, 503);
        assert.doesNotMatch(JSON.stringify(body), /ECONNREFUSED/);
      }
      assert.ok(lines.some((l) => l.msg === "database error"));
    } finally {
      database.items.failing = false;
    }
  });

  it("/readyz answers 503 while the database does not answer, 200 again once it does", async () => {
    database.up = false;
    const down = await fetch(`${url}/readyz`);
    assert.equal(down.status, 503);
    assert.deepEqual(await down.json(), { status: "unavailable", database: "unreachable" });
    database.up = true;
    const up = await fetch(`${url}/readyz`);
    assert.equal(up.status, 200);
    assert.deepEqual(await up.json(), { status: "ready" });
  });
});

describe("items shutdown", () => {
  it("closes the database once the server has drained", async () => {
    const database = fakeDatabase();
    const { service } = await startService({}, { database });
    assert.equal(database.closed, false);
    assert.equal(await service.shutdown("test"), true);
    assert.equal(database.closed, true);
  });
});
