import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import mysql from "mysql2/promise";
import { databaseName } from "../../subgraphs/kit/database";
import { DemoIds, loadDemoStory } from "../support/demo";
import { backends, dropTestData, ormasOf, startTestHub, TestHub } from "../support/hub";
import { Filed, fileReport, hoaxReport, readStoredIncidents } from "../support/reports";

/*
 * MariaDB loses the connection of a report's transaction halfway (KILL CONNECTION from a second connection,
 * while the transaction waits for the alert lock the test holds). The volunteer must be told the report was
 * not stored, the dead connection must never serve another write, and a retry with the same key stores it once.
 */
describe("a report's database connection is killed in the middle of its transaction (MariaDB)", async () => {
  const mysqlHere = (await backends()).includes("mysql");
  let hub: TestHub;
  let ids: DemoIds;
  before(async () => {
    if (!mysqlHere) return;
    hub = await startTestHub("mysql", { KAWAL_RATE_LIMIT_MUTATIONS: "0" });
    ids = await loadDemoStory(hub);
  });
  after(async () => {
    if (!mysqlHere) return;
    await hub.hub.dispose().catch(() => undefined);
    await dropTestData(hub.hub.config);
  });

  test("the volunteer hears STORAGE_UNAVAILABLE, nothing half-written stays, later reports are stored, and the retry with its key stores it once", { skip: !mysqlHere && "no MySQL here" }, async (t) => {
    const config = hub.hub.config;
    const url = config.databaseUrl!;
    const volunteer = ormasOf(ids.org.pemuda);
    const blocker = await mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: url.username || "root", password: url.password, database: databaseName("incidents", config) });
    let cut: Filed;
    const report = hoaxReport("Hoaks saat koneksi putus", { idempotencyKey: "ponsel-relawan-0001" });
    try {
      await blocker.query("BEGIN");
      await blocker.query("SELECT alertsRaised FROM incident_alert_lock WHERE id = 1 FOR UPDATE");
      const pending = fileReport(hub, volunteer, report);
      let victim: number | undefined;
      for (const deadline = Date.now() + 10_000; victim === undefined && Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
        const [rows] = await blocker.query("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'UPDATE incident_alert_lock%'", [databaseName("incidents", config)]);
        victim = (rows as Array<{ ID: number }>)[0]?.ID;
      }
      assert.ok(victim, "the report's transaction reached the alert lock, past its first writes");
      await blocker.query(`KILL CONNECTION ${Number(victim)}`);
      await blocker.query("ROLLBACK");
      cut = await pending;
    } finally {
      await blocker.end();
    }
    assert.equal(cut.id, undefined);
    assert.equal(cut.code, "STORAGE_UNAVAILABLE");

    // More reports than the pool has connections, four at a time: none may land on a dead or dirty connection.
    const later: Filed[] = [];
    await Promise.all(
      [0, 1, 2, 3].map(async (writer) => {
        for (let n = 0; n < 6; n++) later.push(await fileReport(hub, volunteer, hoaxReport(`Hoaks sesudah koneksi putus ${writer}.${n}`)));
      }),
    );
    assert.deepEqual(later.filter((filed) => filed.id === undefined), [], "every later report is stored");

    const retried = await fileReport(hub, volunteer, report);
    assert.ok(retried.id, `the retry with the same key is stored (got ${retried.code})`);
    const again = await fileReport(hub, volunteer, report);
    assert.equal(again.id, retried.id, "a second retry answers the same report");

    await hub.hub.dispose();
    const stored = await readStoredIncidents(config);
    const sent = [cut, ...later, retried, again];
    const acknowledged = sent.filter((filed) => filed.id !== undefined);
    const ours = stored.reports.filter((row) => sent.some((filed) => filed.title === row.title));
    t.diagnostic(
      `sent ${sent.length}, acknowledged ${acknowledged.length} (${new Set(acknowledged.map((filed) => filed.id)).size} distinct reports), found afterwards ${ours.length}, ` +
        `lost ${acknowledged.filter((filed) => !ours.some((row) => String(row.id) === filed.id)).length}, duplicated ${ours.length - new Set(ours.map((row) => row.title)).size}`,
    );
    assert.equal(stored.reports.filter((row) => row.title === report.title).length, 1, "the cut report is stored once, by its retry");
    for (const filed of later) assert.ok(stored.reports.some((row) => String(row.id) === filed.id && row.title === filed.title), `${filed.title} is stored`);
    const sequences = stored.alerts.map((alert) => alert.sequence);
    assert.equal(new Set(sequences).size, sequences.length);
    assert.equal(stored.alerts.filter((alert) => alert.title === report.title).length, 1, "one alert for the report, none for the rolled-back attempt");
  });
});
