import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ResponseCache } from "../../gateway/response-cache";
import { shareInvalidations } from "../../gateway/response-cache-plugin";
import { createMemoryPubSub } from "../../platform/pubsub";

/** A cache on a clock the test moves by hand. */
function cacheAt(ttlSeconds = 5, options: { maxEntries?: number; maxAnswerChars?: number; maxTotalChars?: number } = {}) {
  const clock = { ms: 1_000_000 };
  const cache = new ResponseCache({ ttlSeconds, now: () => clock.ms, ...options });
  return { cache, clock };
}

const story = { event: { title: "Sosialisasi Pilkada Damai di Manggar" } };

describe("the gateway's response cache", () => {
  test("a repeated query is answered from the cache, with its age", () => {
    const { cache, clock } = cacheAt();
    cache.store("manggar", story, ["events", "organizations"], cache.snapshot());
    clock.ms += 2_500;
    assert.deepEqual(cache.lookup("manggar"), { data: story, ageSeconds: 2 });
  });

  test("an answer is not served once its time limit has passed", () => {
    const { cache, clock } = cacheAt(5);
    cache.store("manggar", story, ["events"], cache.snapshot());
    clock.ms += 5_000;
    assert.equal(cache.lookup("manggar"), undefined);
  });

  test("a write to a subgraph the answer read drops it; a write elsewhere does not", () => {
    const { cache } = cacheAt();
    cache.store("directory", { organizations: [] }, ["organizations"], cache.snapshot());
    cache.store("manggar", story, ["events", "declarations"], cache.snapshot());
    cache.invalidate(["incidents"]);
    assert.ok(cache.lookup("directory"));
    cache.invalidate(["declarations"]);
    assert.equal(cache.lookup("manggar"), undefined);
    assert.ok(cache.lookup("directory"));
  });

  test("an answer computed while a write landed is never served", () => {
    const { cache } = cacheAt();
    const begun = cache.snapshot();
    cache.invalidate(["events"]); // the signDeclaration commits while the story is being read
    cache.store("manggar", story, ["events"], begun);
    assert.equal(cache.lookup("manggar"), undefined);
  });

  test("clear drops every answer, including one still being computed", () => {
    const { cache } = cacheAt();
    const begun = cache.snapshot();
    cache.store("directory", { organizations: [] }, ["organizations"], cache.snapshot());
    cache.clear();
    cache.store("manggar", story, ["events"], begun);
    assert.equal(cache.lookup("directory"), undefined);
    assert.equal(cache.lookup("manggar"), undefined);
  });

  test("the least recently used answer goes first when the cache is full", () => {
    const { cache } = cacheAt(5, { maxEntries: 2 });
    cache.store("a", { n: 1 }, ["events"], cache.snapshot());
    cache.store("b", { n: 2 }, ["events"], cache.snapshot());
    assert.ok(cache.lookup("a")); // a is now the most recently used
    cache.store("c", { n: 3 }, ["events"], cache.snapshot());
    assert.equal(cache.size, 2);
    assert.equal(cache.lookup("b"), undefined);
    assert.ok(cache.lookup("a"));
    assert.ok(cache.lookup("c"));
  });

  test("the cache holds no more characters of answers than its memory bound", () => {
    const { cache } = cacheAt(5, { maxTotalChars: 110 }); // each answer is 51 characters of JSON
    cache.store("a", { text: "a".repeat(40) }, ["events"], cache.snapshot());
    cache.store("b", { text: "b".repeat(40) }, ["events"], cache.snapshot());
    cache.store("c", { text: "c".repeat(40) }, ["events"], cache.snapshot());
    assert.equal(cache.size, 2);
    assert.equal(cache.lookup("a"), undefined);
    assert.ok(cache.lookup("c"));
  });

  test("an answer larger than the whole memory bound is not kept, and the others stay", () => {
    const { cache } = cacheAt(5, { maxTotalChars: 110, maxAnswerChars: 1_000 });
    cache.store("a", { text: "a".repeat(40) }, ["events"], cache.snapshot());
    cache.store("huge", { text: "h".repeat(200) }, ["events"], cache.snapshot());
    assert.equal(cache.lookup("huge"), undefined);
    assert.ok(cache.lookup("a"));
  });

  test("a suspended cache serves and keeps nothing until it resumes", () => {
    const { cache } = cacheAt();
    cache.store("manggar", story, ["events"], cache.snapshot());
    cache.suspend();
    assert.equal(cache.lookup("manggar"), undefined);
    cache.store("manggar", story, ["events"], cache.snapshot());
    cache.resume();
    assert.equal(cache.lookup("manggar"), undefined);
    cache.store("manggar", story, ["events"], cache.snapshot());
    assert.ok(cache.lookup("manggar"));
  });

  test("answers that are too large, read no subgraph, or come with no time limit are not kept", () => {
    const { cache } = cacheAt(5, { maxAnswerChars: 100 });
    cache.store("big", { text: "x".repeat(200) }, ["events"], cache.snapshot());
    cache.store("typename", { __typename: "Query" }, [], cache.snapshot());
    assert.equal(cache.size, 0);
    const off = cacheAt(0).cache;
    off.store("manggar", story, ["events"], off.snapshot());
    assert.equal(off.size, 0);
  });
});

describe("gateways sharing their writes over pub/sub", () => {
  const story = { declaration: { signatoryCount: 4 } };
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  test("a gateway serves nothing from its cache until its link to the other gateways is live", async () => {
    const bus = createMemoryPubSub();
    const { cache } = cacheAt();
    const link = shareInvalidations(cache, bus);
    cache.store("signatories", story, ["declarations"], cache.snapshot());
    assert.equal(cache.lookup("signatories"), undefined);
    await settle();
    cache.store("signatories", story, ["declarations"], cache.snapshot());
    assert.ok(cache.lookup("signatories"));
    await link.dispose();
    await bus.close();
  });

  test("a signature through one gateway drops the other gateway's cached count", async () => {
    const bus = createMemoryPubSub();
    const ours = cacheAt().cache;
    const theirs = cacheAt().cache;
    const ourLink = shareInvalidations(ours, bus);
    const theirLink = shareInvalidations(theirs, bus);
    await settle();
    theirs.store("signatories", story, ["declarations"], theirs.snapshot());
    theirs.store("directory", { organizations: [] }, ["organizations"], theirs.snapshot());
    ourLink.announce(["declarations"]);
    await settle();
    assert.equal(theirs.lookup("signatories"), undefined);
    assert.ok(theirs.lookup("directory"));
    await ourLink.dispose();
    await theirLink.dispose();
    await bus.close();
  });
});
