import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { loadConfig } from "../../platform/config";
import { SECRET_HEADER } from "../../caller/claims";
import { createSubgraphPeers } from "../../subgraphs/kit/lookups";

/** A stand-in for a peer subgraph: answers every POST with `data`, and counts the sockets opened to it. */
async function fakePeer(data: Record<string, unknown>): Promise<{ url: string; sockets: () => number; secrets: string[]; close: () => Promise<void> }> {
  let sockets = 0;
  const secrets: string[] = [];
  const server = http.createServer((req, res) => {
    secrets.push(String(req.headers[SECRET_HEADER]));
    req.resume().on("end", () => res.setHeader("content-type", "application/json").end(JSON.stringify({ data })));
  });
  server.on("connection", () => sockets++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    sockets: () => sockets,
    secrets,
    close: () => new Promise((resolve) => server.close(() => resolve()).closeAllConnections()),
  };
}

describe("a subgraph's requests to its peers", () => {
  let first: Awaited<ReturnType<typeof fakePeer>>;
  let moved: Awaited<ReturnType<typeof fakePeer>>;
  before(async () => {
    first = await fakePeer({ _entities: [{ __typename: "Organization" }] });
    moved = await fakePeer({ _entities: [null] });
  });
  after(async () => {
    await first.close();
    await moved.close();
  });

  test("reuse kept-alive sockets, follow a peer that moved, and close at dispose", async () => {
    const config = loadConfig({ KAWAL_SUBGRAPH_SECRET: "s".repeat(32) });
    const peers = createSubgraphPeers(config);
    config.subgraphUrls.organizations = first.url; // as the hub tells its subgraphs once every one listens
    const ask = () => peers.query<{ _entities: unknown[] }>("organizations", "check Organization ids", "{ _entities { __typename } }", {});
    for (let i = 0; i < 6; i++) assert.deepEqual(await ask(), { _entities: [{ __typename: "Organization" }] });
    assert.ok(first.sockets() < 6, `${first.sockets()} sockets for 6 requests one after the other`);
    assert.deepEqual(first.secrets, Array(6).fill("s".repeat(32)));

    config.subgraphUrls.organizations = moved.url;
    assert.deepEqual(await ask(), { _entities: [null] });

    await peers.dispose();
    await assert.rejects(ask(), /this subgraph has stopped/);
  });
});
