import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ResponseCache } from "../../gateway/response-cache";
import { shareInvalidations } from "../../gateway/response-cache-plugin";
import { FakeLinkBus } from "../support/fake-pubsub";

/*
 * The response cache is only as fresh as its link to the other gateways: without it, their writes cannot
 * reach it. There is no table to fall back on, so it stops serving while the link is down and starts again
 * empty, since whatever it held or was computing may have been written meanwhile.
 */

const signatories = { declaration: { signatoryCount: 4 } };
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("the response cache while its link to the other gateways is down", () => {
  test("a gateway stops answering from its cache when the link drops, and starts again empty when it is back", async () => {
    const bus = new FakeLinkBus();
    const cache = new ResponseCache({ ttlSeconds: 60 });
    const link = shareInvalidations(cache, bus);
    await settle();
    cache.store("signatories", signatories, ["declarations"], cache.snapshot());
    assert.ok(cache.lookup("signatories"), "cached while the link is live");
    const begunBefore = cache.snapshot();

    bus.cut();
    assert.equal(cache.lookup("signatories"), undefined, "not served while the link is down");
    const begunDuring = cache.snapshot();
    cache.store("signatories", signatories, ["declarations"], begunDuring);
    assert.equal(cache.lookup("signatories"), undefined, "nothing kept while the link is down");

    bus.restore();
    // Answers still being computed when the link came back may have missed a write announced meanwhile.
    cache.store("signatories", signatories, ["declarations"], begunDuring);
    cache.store("directory", { organizations: [] }, ["organizations"], begunBefore);
    assert.equal(cache.lookup("signatories"), undefined, "an answer begun while the link was down is not served");
    assert.equal(cache.lookup("directory"), undefined, "an answer begun before the outage is not served");
    cache.store("signatories", signatories, ["declarations"], cache.snapshot());
    assert.ok(cache.lookup("signatories"), "cached again once the link is back");
    await link.dispose();
  });

  test("a gateway whose link is down at start answers nothing from its cache until the link is first up", async () => {
    const bus = new FakeLinkBus();
    bus.cut();
    const cache = new ResponseCache({ ttlSeconds: 60 });
    const link = shareInvalidations(cache, bus);
    await settle();
    cache.store("signatories", signatories, ["declarations"], cache.snapshot());
    assert.equal(cache.lookup("signatories"), undefined);
    bus.restore();
    cache.store("signatories", signatories, ["declarations"], cache.snapshot());
    assert.ok(cache.lookup("signatories"));
    await link.dispose();
  });
});
