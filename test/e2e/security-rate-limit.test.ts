import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import Redis from "ioredis";
import { startGateway, RunningGateway } from "../../gateway/server";
import { RateLimiter, redisRateLimiter } from "../../gateway/rate-limit";
import type { Caller } from "../../caller/claims";
import { REDIS_URL, skipWithoutRedis, startTestHub, TestHub } from "../support/hub";
import { PrivateRedis, skipWithoutRedisServer, startPrivateRedis } from "../support/redis";

interface Answer {
  status: number;
  retryAfter: string | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** A harmless mutation: signing a declaration that does not exist is refused by the subgraph, after the rate check. */
const SIGN = `mutation { signDeclaration(declarationId: "999999", organizationId: "1", signedBy: "Uji") { id } }`;
const query = `{ organizations(first: 0) { totalCount } }`;

async function send(url: string, document: string, token?: string): Promise<Answer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: document }),
  });
  const body = (await response.json()) as Pick<Answer, "errors">;
  return { status: response.status, retryAfter: response.headers.get("retry-after"), errors: body.errors };
}

const volunteer = (): Caller => ({ sub: `volunteer-${crypto.randomUUID()}`, role: "ORMAS", org: "1", regions: ["19.06"], scopes: [] });

describe("mutation rate limits per caller (in memory)", () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub("sqlite", { KAWAL_RATE_LIMIT_MUTATIONS: "3" });
  });
  after(() => hub.dispose());

  test("the fourth mutation in a minute gets 429, RATE_LIMITED and a retry hint", async () => {
    const token = await hub.token(volunteer());
    for (let i = 0; i < 3; i++) assert.notEqual((await send(hub.url, SIGN, token)).status, 429);
    const refused = await send(hub.url, SIGN, token);
    assert.equal(refused.status, 429);
    assert.equal(refused.errors![0].extensions?.code, "RATE_LIMITED");
    const retry = refused.errors![0].extensions?.retryAfterSeconds as number;
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, String(retry));
    assert.equal(refused.retryAfter, String(retry));
  });

  test("queries are not counted, and another caller has its own allowance", async () => {
    const token = await hub.token(volunteer());
    for (let i = 0; i < 3; i++) await send(hub.url, SIGN, token);
    assert.equal((await send(hub.url, query, token)).status, 200);
    assert.notEqual((await send(hub.url, SIGN, await hub.token(volunteer()))).status, 429);
  });

  test("aliasing one mutation four times in one request counts four", async () => {
    const token = await hub.token(volunteer());
    const four = `mutation { ${[1, 2, 3, 4].map((i) => `s${i}: signDeclaration(declarationId: "999999", organizationId: "1", signedBy: "Uji") { id }`).join(" ")} }`;
    const refused = await send(hub.url, four, token);
    assert.equal(refused.status, 429);
  });

  test("the public is counted by client address", async () => {
    for (let i = 0; i < 3; i++) assert.notEqual((await send(hub.url, SIGN)).status, 429);
    assert.equal((await send(hub.url, SIGN)).status, 429);
  });
});

describe("mutation rate limits shared through Redis (REDIS_URL)", async () => {
 describe("two gateway replicas", { skip: await skipWithoutRedis() }, () => {
  let hub: TestHub;
  let second: RunningGateway;
  before(async () => {
    hub = await startTestHub("sqlite", { KAWAL_RATE_LIMIT_MUTATIONS: "3", REDIS_URL });
    // A second gateway replica in front of the same subgraphs, sharing the counters through Redis.
    second = await startGateway(hub.hub.config, { port: 0, host: "127.0.0.1" });
  });
  after(async () => {
    await second.dispose();
    await hub.dispose();
  });

  test("a caller spreading mutations over two gateway replicas meets one limit", async () => {
    const token = await hub.token(volunteer());
    assert.notEqual((await send(hub.url, SIGN, token)).status, 429);
    assert.notEqual((await send(second.url, SIGN, token)).status, 429);
    assert.notEqual((await send(hub.url, SIGN, token)).status, 429);
    const refused = await send(second.url, SIGN, token);
    assert.equal(refused.status, 429);
    assert.equal(refused.errors![0].extensions?.code, "RATE_LIMITED");
  });
});
});

describe("mutation rate limits while their Redis is down", () => {
  describe("a gateway whose Redis broker was killed", { skip: skipWithoutRedisServer() }, () => {
    let redis: PrivateRedis;
    let hub: TestHub;
    before(async () => {
      redis = await startPrivateRedis();
      hub = await startTestHub("sqlite", { KAWAL_RATE_LIMIT_MUTATIONS: "3", REDIS_URL: redis.url });
      await redis.kill();
    });
    after(async () => {
      await hub?.dispose();
      await redis?.dispose();
    });

    test("every mutation is answered, and the fourth in a minute is still refused (counted in the gateway's memory)", async (t) => {
      const token = await hub.token(volunteer());
      const began = Date.now();
      for (let i = 0; i < 3; i++) assert.notEqual((await send(hub.url, SIGN, token)).status, 429);
      const refused = await send(hub.url, SIGN, token);
      t.diagnostic(`four mutations answered in ${Date.now() - began} ms with Redis down`);
      assert.equal(refused.status, 429);
      assert.equal(refused.errors![0].extensions?.code, "RATE_LIMITED");
      const retry = refused.errors![0].extensions?.retryAfterSeconds as number;
      assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, String(retry));
      assert.equal(refused.retryAfter, String(retry));
      assert.equal(refused.errors![0].message, `too many mutations: at most 3 mutations a minute per caller; retry in ${retry} s`);
      assert.notEqual((await send(hub.url, SIGN, await hub.token(volunteer()))).status, 429, "another caller has its own allowance");
    });
  });

  describe("the Redis limiter alone, through an outage and back", { skip: skipWithoutRedisServer() }, () => {
    let redis: PrivateRedis;
    let limiter: RateLimiter;
    before(async () => {
      redis = await startPrivateRedis();
      limiter = redisRateLimiter(new URL(redis.url), { limit: 2 });
    });
    after(async () => {
      await limiter?.dispose();
      await redis?.dispose();
    });

    test("limits in memory while Redis is down, and counts in Redis again once it is back", async () => {
      await redis.kill();
      assert.equal((await limiter.hit("sub:outage", 1)).allowed, true);
      assert.equal((await limiter.hit("sub:outage", 1)).allowed, true);
      const refused = await limiter.hit("sub:outage", 1);
      assert.equal(refused.allowed, false);
      assert.ok(refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 60, String(refused.retryAfterSeconds));

      await redis.start();
      const direct = new Redis(redis.url);
      try {
        // The limiter's client reconnects with its backoff; until then its hits are counted in memory.
        const deadline = Date.now() + 10_000;
        while ((await direct.get("kawal:rate:sub:back")) === null) {
          assert.ok(Date.now() < deadline, "the limiter did not count in Redis again within 10 s");
          await limiter.hit("sub:back", 1);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        direct.disconnect();
      }
    });
  });
});
