import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ApolloClient, gql, InMemoryCache } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { Caller } from "../../caller/claims";
import { startSubgraph } from "../../subgraphs/kit/subgraph";
import { SUBGRAPHS } from "../../subgraphs";
import { AlertCollector, ALERTS, alertClient, ReceivedAlert, subscriptionsSettled } from "../support/alerts";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, backends, integrator, ormasOf, startTestHub, TestHub } from "../support/hub";
import { reportInput } from "../support/report-writers";

const REPORT = `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }`;

describe("live black-campaign alerts through the gateway", async () => {
 for (const backend of await backends()) describe(`on ${backend}`, () => {
  let hub: TestHub;
  let ids: DemoIds;
  let serial = 0;
  before(async () => {
    hub = await startTestHub(backend);
    ids = await loadDemoStory(hub);
  });
  after(() => hub.dispose());

  /** An ormas files a report; returns its title (unique per call). */
  async function report(by: Caller, overrides: Record<string, unknown> = {}): Promise<string> {
    const title = `Unggahan fitnah #${++serial}`;
    const { errors } = await hub.query(
      REPORT,
      { input: { ...reportInput(title), ...overrides } },
      by,
    );
    assert.equal(errors, undefined, JSON.stringify(errors));
    return title;
  }

  const bawaslu = () => agencyOf(ids.org.bawaslu);
  const pemuda = () => ormasOf(ids.org.pemuda);

  const settled = (subscribers: number) => subscriptionsSettled(hub, subscribers);

  test("Bawaslu's screen shows an ormas's black campaign in Manggar with reporter, candidate pair and event filled in", async () => {
    const client = alertClient(hub.url, await hub.token(bawaslu()));
    const screen = new AlertCollector(client);
    await settled(1);
    const title = await report(pemuda(), { candidatePairId: ids.candidatePairIds[1], eventId: ids.eventId });
    await screen.count(1);
    const [alert] = screen.alerts;
    assert.equal(alert.kind, "REPORTED");
    assert.equal(alert.report.title, title);
    assert.equal(alert.report.reporter?.name, "Perkumpulan Pemuda Peduli Manggar");
    assert.equal(alert.report.candidatePair?.ballotNumber, 2);
    assert.match(alert.report.event?.title ?? "", /Sosialisasi/);
    screen.unsubscribe();
    await client.dispose();
  });

  test("an agency app built on Apollo Client (GraphQLWsLink) receives the hydrated alert", async () => {
    const wsClient = alertClient(hub.url, await hub.token(bawaslu()));
    const apollo = new ApolloClient({ link: new GraphQLWsLink(wsClient), cache: new InMemoryCache() });
    const received: ReceivedAlert[] = [];
    const subscription = apollo.subscribe<{ incidentAlerts: ReceivedAlert }>({ query: gql(ALERTS) }).subscribe({
      next: (result) => {
        if (result.data) received.push(result.data.incidentAlerts);
      },
    });
    await settled(1);
    const title = await report(pemuda());
    const deadline = Date.now() + 5000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(received[0]?.report.title, title);
    assert.equal(received[0]?.report.reporter?.name, "Perkumpulan Pemuda Peduli Manggar");
    subscription.unsubscribe();
    await wsClient.dispose();
  });

  test("region and category filters: a Gantung money-politics watch hears only that", async () => {
    const client = alertClient(hub.url, await hub.token(bawaslu()));
    const watch = new AlertCollector(client, { filter: { regionCode: "19.06.02", categories: ["MONEY_POLITICS"] } });
    await settled(1);
    await report(pemuda()); // black campaign in Manggar: other region, other category
    await report(ormasOf(ids.org.gantung), { category: "HOAX", regionCode: "19.06.02", channel: "MESSAGING", platform: "WhatsApp" });
    const wanted = await report(ormasOf(ids.org.gantung), { category: "MONEY_POLITICS", regionCode: "19.06.02", channel: "PUBLIC_SPACE", platform: null });
    await watch.count(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(watch.alerts.map((alert) => alert.report.title), [wanted]);
    watch.unsubscribe();
    await client.dispose();
  });

  test("the token's regions win over the filter: a Belitung (19.02) officer asking for the whole province hears nothing from Belitung Timur", async () => {
    const client = alertClient(hub.url, await hub.token(agencyOf("99", ["19.02"])));
    const screen = new AlertCollector(client, { filter: { regionCode: "19" } });
    await settled(1);
    await report(pemuda());
    const own = await report(ormasOf(ids.org.pemuda, ["19.02"]), { regionCode: "19.02.01" });
    await screen.count(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(screen.alerts.map((alert) => alert.report.title), [own]);
    assert.ok(screen.alerts[0].report.reporter, "an agency of the report's region sees who reported");
    screen.unsubscribe();
    await client.dispose();
  });

  test("an ormas token may not subscribe: a clear error for that operation, not a dropped socket", async () => {
    const client = alertClient(hub.url, await hub.token(pemuda()));
    const attempt = new AlertCollector(client);
    await attempt.failed();
    assert.match(JSON.stringify(attempt.errors), /AGENCY|subscribe:alerts/);
    // The same socket still serves a query.
    const answer = await new Promise<unknown>((resolve, reject) =>
      client.subscribe({ query: "{ region(code: \"19.06\") { name } }" }, { next: resolve, error: reject, complete: () => undefined }),
    );
    assert.deepEqual(answer, { data: { region: { name: "Kabupaten Belitung Timur" } } });
    await client.dispose();
  });

  test("an integrator needs the subscribe:alerts scope", async () => {
    const without = alertClient(hub.url, await hub.token(integrator(["read:incidents"])));
    const refused = new AlertCollector(without);
    await refused.failed();
    assert.match(JSON.stringify(refused.errors), /subscribe:alerts/);
    await without.dispose();

    const withScope = alertClient(hub.url, await hub.token(integrator(["subscribe:alerts"], ["19.06"])));
    const feed = new AlertCollector(withScope);
    await settled(1);
    const title = await report(pemuda());
    await feed.count(1);
    assert.equal(feed.alerts[0].report.title, title);
    assert.equal(feed.alerts[0].report.reporter, null, "integrators never see the whistleblower");
    feed.unsubscribe();
    await withScope.dispose();
  });

  test("a bad token closes the connection with 4403", async () => {
    const client = alertClient(hub.url, "not-a-token");
    const attempt = new AlertCollector(client);
    await attempt.failed();
    const closed = attempt.errors[0] as { code?: number };
    assert.equal(closed.code, 4403);
    await client.dispose();
  });

  test("when the token expires, the subscription ends with an error that says so", async () => {
    const client = alertClient(hub.url, await hub.token(bawaslu(), "2s"));
    const screen = new AlertCollector(client);
    await screen.failed(6000);
    assert.match(JSON.stringify(screen.errors), /expired/);
    await client.dispose();
  });

  test("an officer whose laptop slept resumes with `after`: exactly the missed alerts, in order, then live", async () => {
    const token = await hub.token(bawaslu());
    const first = alertClient(hub.url, token);
    const before = new AlertCollector(first);
    await settled(1);
    await report(pemuda());
    await before.count(1);
    const lastSeen = before.alerts[0].sequence;
    before.unsubscribe();
    await first.dispose();

    const missed = [await report(pemuda()), await report(pemuda()), await report(pemuda())];
    const second = alertClient(hub.url, token);
    const resumed = new AlertCollector(second, { after: lastSeen });
    await resumed.count(3);
    await settled(1);
    const live = await report(pemuda());
    await resumed.count(4);
    assert.deepEqual(resumed.alerts.map((alert) => alert.report.title), [...missed, live]);
    const sequences = resumed.alerts.map((alert) => alert.sequence);
    assert.deepEqual(sequences, [...sequences].sort(), "strictly increasing");
    assert.ok(sequences.every((sequence) => sequence > lastSeen));
    resumed.unsubscribe();
    await second.dispose();
  });

  test("20 ormas volunteers report at once while a subscriber drops and resumes: every alert exactly once", async () => {
    const token = await hub.token(bawaslu());
    const first = alertClient(hub.url, token);
    const start = new AlertCollector(first);
    await settled(1);
    const writers = Array.from({ length: 20 }, (_, n) => report(ormasOf(n % 2 ? ids.org.pemuda : ids.org.lsm)));
    await start.count(3);
    start.unsubscribe();
    await first.dispose();
    const resumeFrom = start.alerts.at(-1)!.sequence;
    const second = alertClient(hub.url, token);
    const rest = new AlertCollector(second, { after: resumeFrom });
    const titles = await Promise.all(writers);
    await rest.until((collector) => start.alerts.length + collector.alerts.length >= 20, 15_000, "all 20 alerts");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const received = [...start.alerts, ...rest.alerts].map((alert) => alert.report.title);
    assert.equal(received.length, 20, "no duplicates");
    assert.deepEqual([...received].sort(), [...titles].sort(), "none missing");
    rest.unsubscribe();
    await second.dispose();
  });

  test("identical subscriptions share one upstream subscription and one hydration per event", async () => {
    const token = await hub.token(bawaslu());
    const stats = () => hub.hub.gateway.subscriptions.stats();
    const clients = [alertClient(hub.url, token), alertClient(hub.url, await hub.token({ ...bawaslu(), sub: "another-officer" }))];
    const opened = stats().upstreamsOpened;
    const screens = clients.map((client) => new AlertCollector(client));
    await settled(2);
    assert.equal(stats().upstreamsOpened - opened, 1);
    const hydrations = stats().hydrations;
    await report(pemuda());
    await Promise.all(screens.map((screen) => screen.count(1)));
    assert.equal(stats().hydrations - hydrations, 1);
    assert.deepEqual(screens[0].alerts, screens[1].alerts);
    screens.forEach((screen) => screen.unsubscribe());
    await Promise.all(clients.map((client) => client.dispose()));
  });

  /** Stops the incidents subgraph and starts it again on the same port and database. */
  async function restartIncidents(): Promise<void> {
    const incidents = hub.hub.subgraphs.incidents;
    const port = Number(new URL(incidents.url).port);
    await incidents.dispose();
    hub.hub.subgraphs.incidents = await startSubgraph(SUBGRAPHS.incidents, hub.hub.config, { port, host: "127.0.0.1" });
  }

  test("the incidents subgraph restarts before a new subscription's first alert: a report filed meanwhile still arrives", async () => {
    const client = alertClient(hub.url, await hub.token(bawaslu()));
    const screen = new AlertCollector(client);
    await settled(1);
    await restartIncidents();
    const filedRightAway = await report(pemuda()); // likely before the gateway has re-subscribed
    await screen.count(1);
    assert.deepEqual(screen.alerts.map((alert) => alert.report.title), [filedRightAway]);
    screen.unsubscribe();
    await client.dispose();
  });

  test("the incidents subgraph restarts mid-stream: the subscription stays open and loses nothing", async () => {
    const client = alertClient(hub.url, await hub.token(bawaslu()));
    const screen = new AlertCollector(client);
    await settled(1);
    const beforeRestart = await report(pemuda());
    await screen.count(1);
    await restartIncidents();
    const afterRestart = [await report(pemuda()), await report(pemuda())];
    await screen.count(3);
    assert.deepEqual(screen.alerts.map((alert) => alert.report.title), [beforeRestart, ...afterRestart]);
    assert.equal(screen.completed, false);
    assert.ok(hub.hub.gateway.subscriptions.stats().resubscribes >= 1);
    screen.unsubscribe();
    await client.dispose();
  });

  test("gateway shutdown closes subscriber sockets with 1001 so apps reconnect and resume", async () => {
    const client = alertClient(hub.url, await hub.token(bawaslu()));
    const screen = new AlertCollector(client);
    await settled(1);
    await hub.hub.gateway.subscriptions.dispose();
    await screen.failed();
    assert.equal((screen.errors[0] as { code?: number }).code, 1001);
    await client.dispose();
  });
});
});
