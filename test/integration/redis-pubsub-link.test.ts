import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createRedisPubSub, PubSub } from "../../platform/pubsub";
import { PrivateRedis, skipWithoutRedisServer, startPrivateRedis } from "../support/redis";

/*
 * The Redis bus tells its subscribers when they can rely on it: a broker that is gone (at start or later)
 * is a link that is down, reported at once and without blocking anyone; its return is announced once every
 * subscription has taken effect again, so whoever re-reads its table then misses nothing.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `listen` calls back; rejects after `ms`. */
function next(listen: (listener: () => void) => unknown, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms);
    listen(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// Timeouts on each test: a bus that waits for an absent Redis must fail them, not hang them.
describe("the Redis bus's link", { skip: skipWithoutRedisServer() }, () => {
  let redis: PrivateRedis;
  let bus: PubSub;
  const received: unknown[] = [];
  before(async () => {
    redis = await startPrivateRedis();
    await redis.kill();
  });
  after(async () => {
    await bus?.close();
    await redis?.dispose();
  });

  test("with Redis unreachable at start, subscribing does not wait for it and the link is not live", { timeout: 5000 }, async () => {
    bus = createRedisPubSub({ url: redis.url, channelPrefix: "link-test:" });
    const began = Date.now();
    await bus.subscribe("alerts", (message) => received.push(message));
    assert.ok(Date.now() - began < 100, `subscribe waited ${Date.now() - began} ms`);
    assert.equal(bus.isLive(), false);
  });

  test("once Redis is up the link goes live, announced by onResync, and messages flow", { timeout: 5000 }, async () => {
    const live = next((listener) => bus.onResync(listener));
    await redis.start();
    await live;
    assert.equal(bus.isLive(), true);
    await bus.publish("alerts", { sequence: 1 });
    await sleep(50);
    assert.deepEqual(received, [{ sequence: 1 }]);
  });

  test("when Redis dies the link is down at once (onLinkDown), and when it is back the subscription is live again", { timeout: 5000 }, async () => {
    const down = next((listener) => bus.onLinkDown(listener), 1000);
    await redis.kill();
    await down;
    assert.equal(bus.isLive(), false);
    const back = next((listener) => bus.onResync(listener));
    await redis.start();
    await back;
    assert.equal(bus.isLive(), true);
    await bus.publish("alerts", { sequence: 2 });
    await sleep(50);
    assert.deepEqual(received, [{ sequence: 1 }, { sequence: 2 }]);
  });
});

describe("a Redis bus still connecting", { skip: skipWithoutRedisServer() }, () => {
  let redis: PrivateRedis;
  before(async () => {
    redis = await startPrivateRedis();
  });
  after(() => redis?.dispose());

  test("topics subscribed while a bus is still connecting all hear their messages once its link is live", { timeout: 5000 }, async () => {
    // One new topic per turn of the event loop until the link is live: some land during the connection's
    // handshake, where ioredis would send a SUBSCRIBE at once and then drop the connection.
    const fresh = createRedisPubSub({ url: redis.url, channelPrefix: "connecting-test:" });
    const heard = new Set<string>();
    const topics: string[] = [];
    try {
      while (!fresh.isLive()) {
        const topic = `topic-${topics.length}`;
        topics.push(topic);
        await fresh.subscribe(topic, () => heard.add(topic));
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (const topic of topics) await fresh.publish(topic, {});
      await sleep(100);
      assert.deepEqual([...heard].sort(), [...topics].sort());
    } finally {
      await fresh.close();
    }
  });
});
