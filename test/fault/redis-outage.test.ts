import assert from "node:assert/strict";
import { redirectLogs } from "../../platform/logging";
import { after, before, describe, test } from "node:test";
import { startSubgraph, RunningSubgraph } from "../../subgraphs/kit/subgraph";
import { SUBGRAPHS } from "../../subgraphs";
import { postGraphQL } from "../../platform/graphql-fetch";
import { RunningGateway, startGateway } from "../../gateway/server";
import { AlertCollector, alertClient } from "../support/alerts";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, backends, ormasOf, startTestHub, TestHub } from "../support/hub";
import { sparePort } from "../support/ports";
import { PrivateRedis, skipWithoutRedisServer, startPrivateRedis } from "../support/redis";

const REPORT = `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A report as its volunteer saw it: the title, and when the hub acknowledged it. */
interface Filed {
  title: string;
  acknowledgedAt: number;
}

/** Files reports one after another, ~150 ms apart, until `stop()` says so; every one must be acknowledged. */
async function keepFiling(volunteer: string, gatewayUrl: string, token: string, stop: () => boolean, filed: Filed[]): Promise<void> {
  for (let n = 1; !stop(); n++) {
    const title = `Fitnah di grup WhatsApp, ${volunteer} #${n}`;
    const input = { category: "BLACK_CAMPAIGN", channel: "MESSAGING", platform: "WhatsApp", title, description: "Pesan berantai memfitnah pasangan calon.", occurredAt: "2024-11-21T08:00:00+07:00", regionCode: "19.06.01" };
    const { errors } = await postGraphQL(gatewayUrl, REPORT, { input }, token);
    assert.equal(errors, undefined, JSON.stringify(errors));
    filed.push({ title, acknowledgedAt: Date.now() });
    await sleep(150);
  }
}

/** Waits until a gateway holds `count` upstream alert subscriptions, and their upstream socket is open. */
async function subscribed(gateway: RunningGateway, count: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (gateway.subscriptions.stats().subscribers < count) {
    if (Date.now() > deadline) throw new Error("the subscription did not reach the gateway");
    await sleep(20);
  }
  await sleep(200);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

describe("live alerts while the Redis broker is down", async () => {
  const backend = (await backends()).includes("mysql") ? "mysql" : "sqlite";
  const skip = skipWithoutRedisServer();

  describe("two gateways and two incidents instances over a private Redis", { skip }, () => {
    let redis: PrivateRedis;
    let hub: TestHub;
    let ids: DemoIds;
    let secondIncidents: RunningSubgraph;
    let secondGateway: RunningGateway;
    before(async () => {
      redis = await startPrivateRedis();
      hub = await startTestHub(backend, { REDIS_URL: redis.url });
      ids = await loadDemoStory(hub);
      // As in production with replicas: a second incidents instance on the same database, and a second
      // gateway that only knows that instance.
      const config = hub.hub.config;
      secondIncidents = await startSubgraph(SUBGRAPHS.incidents, config, { port: 0, host: "127.0.0.1" });
      secondGateway = await startGateway({ ...config, subgraphUrls: { ...config.subgraphUrls, incidents: secondIncidents.url } }, { port: 0, host: "127.0.0.1" });
    });
    after(async () => {
      await secondGateway?.dispose();
      await secondIncidents?.dispose();
      await hub?.dispose();
      await redis?.dispose();
    });

    test(`two Bawaslu screens keep receiving every report, in order and once, while the broker is down for 10 s (${backend})`, async (t) => {
      const officer = await hub.token(agencyOf(ids.org.bawaslu));
      const clients = [alertClient(hub.url, officer), alertClient(secondGateway.url, officer)];
      const screens = clients.map((client) => new AlertCollector(client));
      await Promise.all([subscribed(hub.hub.gateway, 1), subscribed(secondGateway, 1)]);

      // Two volunteers keep filing, one through each gateway (so through each incidents instance).
      const filed: Filed[][] = [[], []];
      let writing = true;
      const writers = [
        keepFiling("Pemuda", hub.url, await hub.token(ormasOf(ids.org.pemuda)), () => !writing, filed[0]),
        keepFiling("Gantung", secondGateway.url, await hub.token(ormasOf(ids.org.gantung)), () => !writing, filed[1]),
      ];
      await sleep(1500);
      await redis.kill();
      const outageBegan = Date.now();
      await sleep(10_000);
      await redis.start();
      const outageEnded = Date.now();
      await sleep(1500);
      writing = false;
      await Promise.all(writers);

      const all = filed.flat();
      await Promise.all(screens.map((screen) => screen.count(all.length, 10_000)));
      await sleep(300); // a duplicate would come right behind the last alert
      for (const [n, screen] of screens.entries()) {
        assert.deepEqual(screen.errors, [], `screen ${n + 1}: no error`);
        const titles = screen.alerts.map((alert) => alert.report.title);
        assert.equal(new Set(titles).size, titles.length, `screen ${n + 1}: no alert twice`);
        assert.deepEqual([...titles].sort(), all.map((report) => report.title).sort(), `screen ${n + 1}: every acknowledged report, nothing else`);
        const sequences = screen.alerts.map((alert) => Number(alert.sequence));
        assert.ok(sequences.every((sequence, i) => i === 0 || sequence > sequences[i - 1]), `screen ${n + 1}: in sequence order`);
        // Each volunteer waited for one acknowledgement before filing the next: its reports arrive in its order.
        for (const own of filed) {
          const mine = new Set(own.map((report) => report.title));
          assert.deepEqual(titles.filter((title) => mine.has(title)), own.map((report) => report.title), `screen ${n + 1}: in filing order`);
        }

        const arrival = new Map(titles.map((title, i) => [title, screen.receivedAt[i]]));
        const delays = (reports: Filed[]) => reports.map((report) => arrival.get(report.title)! - report.acknowledgedAt);
        const duringOutage = delays(all.filter((report) => report.acknowledgedAt >= outageBegan && report.acknowledgedAt <= outageEnded));
        const overall = delays(all);
        t.diagnostic(
          `screen ${n + 1}: sent ${all.length}, received ${titles.length}, duplicates ${titles.length - new Set(titles).size}; ` +
            `during the outage ${duringOutage.length} alerts, p99 ${percentile(duringOutage, 99)} ms, max ${Math.max(...duringOutage)} ms; ` +
            `overall p99 ${percentile(overall, 99)} ms, max ${Math.max(...overall)} ms`,
        );
        assert.ok(duringOutage.length >= 20, `screen ${n + 1}: reports kept coming during the outage (${duringOutage.length})`);
        assert.ok(percentile(duringOutage, 99) < 2000, `screen ${n + 1}: p99 delay during the outage ${percentile(duringOutage, 99)} ms, at most 2 s`);
      }
      for (const screen of screens) screen.unsubscribe();
      await Promise.all(clients.map((client) => client.dispose()));
    });
  });
});

describe("a hub whose Redis cannot be reached at start", () => {
  let hub: TestHub;
  let ids: DemoIds;
  let gateway: RunningGateway;
  let redisUrl: string;
  const lines: string[] = [];
  let restoreLogs: () => void;
  before(async () => {
    redisUrl = `redis://127.0.0.1:${await sparePort()}`;
    restoreLogs = redirectLogs({ write: (line: string) => void lines.push(line) });
    // Rate limits off while the demo loads: the demo files more mutations a minute than the default limit allows.
    hub = await startTestHub("sqlite", { REDIS_URL: redisUrl, KAWAL_RATE_LIMIT_MUTATIONS: "0" });
    ids = await loadDemoStory(hub);
    // A gateway as production runs it: its response cache and its rate limits on the same unreachable Redis.
    gateway = await startGateway({ ...hub.hub.config, rateLimitMutations: 120 }, { port: 0, host: "127.0.0.1" });
  });
  after(async () => {
    await gateway?.dispose();
    await hub?.dispose();
    restoreLogs();
  });

  test("starts with one warning naming REDIS_URL and the address, and a Bawaslu screen still receives every report, read from the table", async () => {
    const client = alertClient(gateway.url, await hub.token(agencyOf(ids.org.bawaslu)));
    const screen = new AlertCollector(client);
    await subscribed(gateway, 1);
    const filed: Filed[] = [];
    let reports = 0;
    await keepFiling("Pemuda", gateway.url, await hub.token(ormasOf(ids.org.pemuda)), () => reports++ === 3, filed);
    await screen.count(3, 2000);
    assert.deepEqual(
      screen.alerts.map((alert) => alert.report.title),
      filed.map((report) => report.title),
    );
    // The incidents subgraph's alert bus, each gateway's cache invalidations and rate limits share this process:
    // one line for all of them, not one per link or per retry.
    const warnings = lines.filter((line) => line.includes(`REDIS_URL: no Redis answers at ${new URL(redisUrl).host}`));
    assert.equal(warnings.length, 1, lines.join("\n"));
    screen.unsubscribe();
    await client.dispose();
  });
});
