import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { RunningGateway, startGateway } from "../../gateway/server";
import { HubConfig, SUBGRAPH_NAMES, SubgraphName } from "../../platform/config";
import { dropTestData, testConfig } from "../support/hub";

/*
 * The gateway's readiness gathered from its subgraphs' (gateway/readiness.ts), against stand-in subgraphs
 * that answer only the readiness routes, in the shape the subgraphs give them: GET /ready → 200
 * {"status":"ready","subgraph","writes":"ok"|"failing"} (503 when their database cannot be read), GET
 * /ready/writes → 200 {"subgraph","writes":"ok"} or 503 {"subgraph","writes":"failing","since"}.
 */

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** What a stand-in subgraph answers; `writes` unset: a subgraph from before write reporting (404). */
interface FakeState {
  ready: Answer;
  writes?: Answer;
}

const healthy = (name: string): FakeState => ({
  ready: { status: 200, body: { status: "ready", subgraph: name, writes: "ok" } },
  writes: { status: 200, body: { subgraph: name, writes: "ok" } },
});

interface FakeSubgraph {
  url: string;
  state: FakeState;
  close(): Promise<void>;
}

async function fakeSubgraph(name: string): Promise<FakeSubgraph> {
  const fake: FakeSubgraph = { url: "", state: healthy(name), close: async () => undefined };
  const server = http.createServer((req, res) => {
    const answer = req.url === "/ready" ? fake.state.ready : req.url === "/ready/writes" ? fake.state.writes : undefined;
    const { status, body } = answer ?? { status: 404, body: { errors: [{ message: `no such path: ${req.url}` }] } };
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  fake.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return fake;
}

interface Readiness {
  status: string;
  writes: string;
  subgraphs: Record<string, { status: string; writes: string }>;
}

interface WritesReadiness {
  writes: string;
  subgraphs: Record<string, { writes: string; since?: string }>;
}

describe("the gateway's readiness, from its subgraphs' reads and writes", () => {
  let config: HubConfig;
  let gateway: RunningGateway;
  const fakes = {} as Record<SubgraphName, FakeSubgraph>;
  const get = async <T>(path: string) => {
    const response = await fetch(new URL(path, gateway.url));
    return { status: response.status, body: (await response.json()) as T };
  };

  before(async () => {
    config = testConfig("sqlite");
    for (const name of SUBGRAPH_NAMES) fakes[name] = await fakeSubgraph(name);
    for (const name of SUBGRAPH_NAMES) config.subgraphUrls[name] = fakes[name].url;
    gateway = await startGateway(config, { port: 0, host: "127.0.0.1" });
  });
  after(async () => {
    await gateway.dispose();
    for (const name of SUBGRAPH_NAMES) await fakes[name].close();
    await dropTestData(config);
  });

  test("every subgraph reads and writes: /ready is 200 with writes ok for each, /ready/writes is 200", async () => {
    for (const name of SUBGRAPH_NAMES) fakes[name].state = healthy(name);
    const ready = await get<Readiness>("/ready");
    assert.equal(ready.status, 200);
    assert.deepEqual([ready.body.status, ready.body.writes], ["ready", "ok"]);
    assert.deepEqual(ready.body.subgraphs.incidents, { status: "ready", writes: "ok" });
    const writes = await get<WritesReadiness>("/ready/writes");
    assert.equal(writes.status, 200);
    assert.deepEqual(writes.body, { writes: "ok", subgraphs: Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, { writes: "ok" }])) });
  });

  test("the incidents database is full: /ready stays 200 as reads work, saying writes fail; /ready/writes is 503 naming incidents and since when", async () => {
    for (const name of SUBGRAPH_NAMES) fakes[name].state = healthy(name);
    const since = "2024-11-27T02:15:00.000Z";
    fakes.incidents.state = {
      ready: { status: 200, body: { status: "ready", subgraph: "incidents", writes: "failing" } },
      writes: { status: 503, body: { subgraph: "incidents", writes: "failing", since } },
    };
    const ready = await get<Readiness>("/ready");
    assert.equal(ready.status, 200, "a load balancer keeps the gateway: reads still work");
    assert.deepEqual([ready.body.status, ready.body.writes], ["ready", "failing"]);
    assert.deepEqual(ready.body.subgraphs.incidents, { status: "ready", writes: "failing" });
    assert.deepEqual(ready.body.subgraphs.events, { status: "ready", writes: "ok" });
    const writes = await get<WritesReadiness>("/ready/writes");
    assert.equal(writes.status, 503, "a monitor pages someone");
    assert.equal(writes.body.writes, "failing");
    assert.deepEqual(writes.body.subgraphs.incidents, { writes: "failing", since });
    assert.deepEqual(writes.body.subgraphs.organizations, { writes: "ok" });
  });

  test("subgraphs that do not report on their writes yet (no writes field, no /ready/writes) count as writing", async () => {
    for (const name of SUBGRAPH_NAMES) fakes[name].state = { ready: { status: 200, body: { status: "ready", subgraph: name } } };
    const ready = await get<Readiness>("/ready");
    assert.deepEqual([ready.status, ready.body.writes, ready.body.subgraphs.elections.writes], [200, "ok", "ok"]);
    const writes = await get<WritesReadiness>("/ready/writes");
    assert.deepEqual([writes.status, writes.body.writes], [200, "ok"]);
  });

  test("a subgraph that cannot be reached: /ready is 503 degraded, /ready/writes is 503 with it unreachable", async () => {
    for (const name of SUBGRAPH_NAMES) fakes[name].state = healthy(name);
    await fakes.declarations.close();
    const ready = await get<Readiness>("/ready");
    assert.equal(ready.status, 503);
    assert.deepEqual([ready.body.status, ready.body.writes], ["degraded", "failing"]);
    assert.equal(ready.body.subgraphs.declarations.status, "unreachable");
    const writes = await get<WritesReadiness>("/ready/writes");
    assert.equal(writes.status, 503);
    assert.deepEqual(writes.body.subgraphs.declarations, { writes: "unreachable" });
    assert.deepEqual(writes.body.subgraphs.incidents, { writes: "ok" });
  });
});
