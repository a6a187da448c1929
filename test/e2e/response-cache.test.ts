import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startGateway, RunningGateway } from "../../gateway/server";
import { DemoIds, loadDemoStory, MANGGAR } from "../support/demo";
import { ormasOf, REDIS_URL, skipWithoutRedis, startTestHub, TestHub } from "../support/hub";
import type { Caller } from "../../caller/claims";

/*
 * The gateway's response cache: a repeated query is answered without asking any subgraph, and a write
 * through the gateway is visible to the very next read. A cached answer carries an HTTP Age header; a
 * computed one does not.
 */

interface Answer {
  /** The Age header: set only when the answer came from the cache. */
  age: string | null;
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

async function ask(test: TestHub, url: string, query: string, variables: Record<string, unknown>, caller: Caller | null, headers: Record<string, string> = {}): Promise<Answer> {
  const authorization: Record<string, string> = caller ? { authorization: `Bearer ${await test.token(caller)}` } : {};
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...authorization, ...headers }, body: JSON.stringify({ query, variables }) });
  return { age: response.headers.get("age"), ...((await response.json()) as Omit<Answer, "age">) };
}

const SIGN = `mutation ($d: ID!, $o: ID!, $s: String!) { signDeclaration(declarationId: $d, organizationId: $o, signedBy: $s) { signatoryCount } }`;
const SIGNATORIES = `query ($id: ID!) { declaration(id: $id) { signatoryCount } }`;
const BOARD = `query ($id: ID!) { organization(id: $id) { board { name phone } } }`;
const INCIDENT_TITLES = `query { incidentReports(first: 50) { totalCount edges { node { title region { code } } } } }`;

describe("the response cache, through one gateway", () => {
  let hub: TestHub;
  let ids: DemoIds;
  before(async () => {
    hub = await startTestHub("sqlite");
    ids = await loadDemoStory(hub);
  });
  after(() => hub.dispose());

  test("a volunteer reads the Manggar story twice: the second answer comes from the cache, unchanged", async () => {
    const volunteer = ormasOf(ids.org.pemuda);
    const first = await ask(hub, hub.url, MANGGAR, { id: ids.eventId }, volunteer);
    const second = await ask(hub, hub.url, MANGGAR, { id: ids.eventId }, volunteer);
    assert.equal(first.errors, undefined);
    assert.equal(first.age, null);
    assert.equal(second.age, "0");
    assert.deepEqual(second.data, first.data);
  });

  test("an ormas signs the declaration: the next read shows the new signatory, not the cached count", async () => {
    const before = await ask(hub, hub.url, SIGNATORIES, { id: ids.declarationId }, null);
    assert.equal((await ask(hub, hub.url, SIGNATORIES, { id: ids.declarationId }, null)).age, "0");
    const signed = await ask(hub, hub.url, SIGN, { d: ids.declarationId, o: ids.org.kampit, s: "Ketua Yayasan (fiktif)" }, ormasOf(ids.org.kampit));
    assert.equal(signed.errors, undefined);
    const afterSigning = await ask(hub, hub.url, SIGNATORIES, { id: ids.declarationId }, null);
    assert.equal(afterSigning.age, null);
    const count = (answer: Answer) => (answer.data as { declaration: { signatoryCount: number } }).declaration.signatoryCount;
    assert.equal(count(afterSigning), count(before) + 1);
  });

  test("a volunteer of another organization never receives the board phones cached for the organization's own", async () => {
    const board = (answer: Answer) => (answer.data as { organization: { board: Array<{ phone: string | null }> } }).organization.board;
    await ask(hub, hub.url, BOARD, { id: ids.org.pemuda }, ormasOf(ids.org.pemuda));
    const own = await ask(hub, hub.url, BOARD, { id: ids.org.pemuda }, ormasOf(ids.org.pemuda));
    const other = await ask(hub, hub.url, BOARD, { id: ids.org.pemuda }, ormasOf(ids.org.gantung));
    assert.equal(own.age, "0");
    assert.ok(board(own).some((member) => member.phone !== null));
    assert.equal(other.age, null);
    assert.ok(board(other).length > 0);
    assert.ok(board(other).every((member) => member.phone === null));
  });

  test("a refused read is not cached: the public asking for incident reports is refused every time", async () => {
    const first = await ask(hub, hub.url, INCIDENT_TITLES, {}, null);
    const second = await ask(hub, hub.url, INCIDENT_TITLES, {}, null);
    assert.equal(first.errors?.[0]?.extensions?.code, "UNAUTHENTICATED");
    assert.equal(second.age, null);
    assert.equal(second.errors?.[0]?.extensions?.code, "UNAUTHENTICATED");
  });

  test("a client that sends Cache-Control: no-cache gets a freshly computed answer", async () => {
    await ask(hub, hub.url, MANGGAR, { id: ids.eventId }, null);
    const fresh = await ask(hub, hub.url, MANGGAR, { id: ids.eventId }, null, { "cache-control": "no-cache" });
    assert.equal(fresh.age, null);
    assert.equal(fresh.errors, undefined);
  });

  test("a second gateway whose Redis cannot be reached starts, computes every answer (writes elsewhere could not reach its cache) and stops", async () => {
    const lonely = await startGateway({ ...hub.hub.config, redisUrl: new URL("redis://127.0.0.1:1"), rateLimitMutations: 0 }, { port: 0, host: "127.0.0.1" });
    try {
      const first = await ask(hub, lonely.url, MANGGAR, { id: ids.eventId }, null);
      const second = await ask(hub, lonely.url, MANGGAR, { id: ids.eventId }, null);
      assert.equal(first.errors, undefined);
      assert.equal(second.age, null);
    } finally {
      await lonely.dispose();
    }
  });
});

describe("the response cache turned off (KAWAL_RESPONSE_CACHE_SECONDS=0)", () => {
  let hub: TestHub;
  let ids: DemoIds;
  before(async () => {
    hub = await startTestHub("sqlite", { KAWAL_RESPONSE_CACHE_SECONDS: "0" });
    ids = await loadDemoStory(hub);
  });
  after(() => hub.dispose());

  test("every read of the Manggar story is computed", async () => {
    await ask(hub, hub.url, MANGGAR, { id: ids.eventId }, null);
    assert.equal((await ask(hub, hub.url, MANGGAR, { id: ids.eventId }, null)).age, null);
  });
});

describe("the response cache across two gateways sharing Redis", async () => {
  const skip = await skipWithoutRedis();
  describe("a write through one gateway", { skip }, () => {
    let hub: TestHub;
    let ids: DemoIds;
    let other: RunningGateway;
    before(async () => {
      hub = await startTestHub("sqlite", { REDIS_URL });
      ids = await loadDemoStory(hub);
      other = await startGateway(hub.hub.config, { port: 0, host: "127.0.0.1" });
    });
    after(async () => {
      await other.dispose();
      await hub.dispose();
    });

    test("drops the other gateway's cached answer before the next read there", async () => {
      // The other gateway caches once its Redis link is live, a few milliseconds after it starts.
      let cached = await ask(hub, other.url, SIGNATORIES, { id: ids.declarationId }, null);
      for (let attempt = 0; attempt < 50 && cached.age === null; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        cached = await ask(hub, other.url, SIGNATORIES, { id: ids.declarationId }, null);
      }
      assert.equal(cached.age, "0");
      const signed = await ask(hub, hub.url, SIGN, { d: ids.declarationId, o: ids.org.kampit, s: "Ketua Yayasan (fiktif)" }, ormasOf(ids.org.kampit));
      assert.equal(signed.errors, undefined);
      const count = (answer: Answer) => (answer.data as { declaration: { signatoryCount: number } }).declaration.signatoryCount;
      // The announcement crosses Redis asynchronously; it arrives within a few milliseconds.
      let fresh = await ask(hub, other.url, SIGNATORIES, { id: ids.declarationId }, null);
      for (let attempt = 0; attempt < 50 && count(fresh) === count(cached); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        fresh = await ask(hub, other.url, SIGNATORIES, { id: ids.declarationId }, null);
      }
      assert.equal(count(fresh), count(cached) + 1);
    });
  });
});
