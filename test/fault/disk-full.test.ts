import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AlertCollector, alertClient } from "../support/alerts";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, dropTestData, ormasOf, startTestHub, TestHub } from "../support/hub";
import { Filed, fileReport, hoaxReport, readStoredIncidents, subgraphRoute } from "../support/reports";

/*
 * The incidents database runs out of room while volunteers keep filing (SQLite's max_page_count stands in for
 * a full disk, on the connection that writes), then has room again. Before the fix, the first failed
 * transaction left TypeORM's runner "inside" a transaction, and every later report was answered with an id
 * and lost at the next stop.
 */
describe("the incidents disk fills up while ormas volunteers keep filing reports (SQLite)", () => {
  let hub: TestHub;
  let ids: DemoIds;
  before(async () => {
    hub = await startTestHub("sqlite", { KAWAL_RATE_LIMIT_MUTATIONS: "0" });
    ids = await loadDemoStory(hub);
  });
  after(async () => {
    await hub.hub.dispose().catch(() => undefined); // stopped already by the test, unless it failed early
    await dropTestData(hub.hub.config);
  });

  test("every report answered with an id is on disk after a restart, no refused one is, no alert sequence is handed out twice, and writes work again without a restart", async (t) => {
    const incidents = hub.hub.subgraphs.incidents;
    const screen = new AlertCollector(alertClient(hub.url, await hub.token(agencyOf(ids.org.bawaslu))), { filter: { categories: ["HOAX"] } });
    for (const deadline = Date.now() + 5000; hub.hub.gateway.subscriptions.stats().subscribers < 1 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));

    const volunteers = (["pemuda", "gantung", "lsm", "kampit"] as const).map((org) => ormasOf(ids.org[org]));
    const sent: Filed[] = [];
    let next = 0;
    const acknowledged = () => sent.filter((filed) => filed.id !== undefined);
    const refused = () => sent.filter((filed) => filed.id === undefined);
    /** Four volunteers file reports until `enough` says so (or 15 s pass). */
    const fileUntil = async (enough: () => boolean) => {
      const deadline = Date.now() + 15_000;
      await Promise.all(
        volunteers.map(async (volunteer) => {
          while (!enough() && Date.now() < deadline) sent.push(await fileReport(hub, volunteer, hoaxReport(`Hoaks berantai #${next++}`)));
        }),
      );
    };

    await fileUntil(() => acknowledged().length >= 20);
    const [{ page_count: pages }] = (await incidents.storage.writer.query("PRAGMA page_count")) as Array<{ page_count: number }>;
    await incidents.storage.writer.query(`PRAGMA max_page_count = ${pages}`);
    await fileUntil(() => refused().length >= 40);
    assert.ok(refused().length >= 40, `the full disk refused ${refused().length} reports`);
    assert.deepEqual(new Set(refused().map((filed) => filed.code)), new Set(["STORAGE_UNAVAILABLE"]), "a refusal says the write was not stored and may be sent again");

    // While the disk is full: reads work and the instance stays in the load balancer; monitors see the writes fail.
    const ready = await subgraphRoute(incidents.url, "/ready");
    assert.equal(ready.status, 200);
    assert.equal(ready.body.writes, "failing");
    assert.equal((await subgraphRoute(incidents.url, "/ready/writes")).status, 503);
    const whileFull = acknowledged().length;
    const list = await hub.query<{ incidentReports: { totalCount: number } }>(`{ incidentReports(first: 1) { totalCount } }`, {}, agencyOf(ids.org.bawaslu));
    assert.equal(list.errors, undefined);
    assert.ok(list.data!.incidentReports.totalCount >= whileFull, "the agency still reads the reports");

    // Room again: the monitor sees writes come back on its own, and volunteers are answered with ids again.
    await incidents.storage.writer.query("PRAGMA max_page_count = 1073741823");
    let writes = 503;
    for (const deadline = Date.now() + 5000; writes !== 200 && Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
      writes = (await subgraphRoute(incidents.url, "/ready/writes")).status;
    }
    assert.equal(writes, 200, "/ready/writes says writes work again");
    // A write refused inside its transaction: on the wedged runner this left a transaction open for good.
    const review = await hub.query(`mutation { reviewIncident(id: "999999", status: VERIFIED) { id } }`, {}, agencyOf(ids.org.bawaslu));
    assert.equal(review.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
    await fileUntil(() => acknowledged().length >= whileFull + 20);
    assert.ok(acknowledged().length >= whileFull + 20, "writes work again after the space came back");

    await screen.count(acknowledged().length);
    screen.unsubscribe();
    await hub.hub.dispose();
    const stored = await readStoredIncidents(hub.hub.config);

    const storedTitles = new Set(stored.reports.map((report) => report.title));
    const found = stored.reports.filter((report) => report.title.startsWith("Hoaks berantai"));
    t.diagnostic(
      `sent ${sent.length}, acknowledged ${acknowledged().length}, refused ${refused().length} (STORAGE_UNAVAILABLE), found afterwards ${found.length}, ` +
        `lost ${acknowledged().filter((filed) => !storedTitles.has(filed.title)).length}, duplicated ${found.length - new Set(found.map((report) => report.title)).size}, alerts seen ${screen.alerts.length}`,
    );
    const lost = acknowledged().filter((filed) => !storedTitles.has(filed.title));
    assert.deepEqual(lost, [], "no acknowledged report is lost");
    const storedRefused = refused().filter((filed) => storedTitles.has(filed.title));
    assert.deepEqual(storedRefused, [], "no refused report was stored behind the volunteer's back");
    assert.equal(stored.reports.filter((report) => report.title.startsWith("Hoaks berantai")).length, acknowledged().length, "each report stored once");

    const sequences = screen.alerts.map((alert) => Number(alert.sequence));
    assert.equal(new Set(sequences).size, sequences.length, "no two alerts the agency saw carry the same sequence");
    const storedBySequence = new Map(stored.alerts.map((alert) => [alert.sequence, alert.title]));
    for (const alert of screen.alerts) {
      assert.equal(storedBySequence.get(Number(alert.sequence)), alert.report.title, `alert ${alert.sequence} is the stored alert of the report it showed`);
    }
  });
});
