import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startSubgraph } from "../../subgraphs/kit/subgraph";
import { incidents } from "../../subgraphs/incidents";
import { DeadlineClock, WARNING_MS } from "../../subgraphs/incidents/deadline-clock";
import { handlingDeadline, inLocalTime } from "../../subgraphs/incidents/deadline";
import type { IncidentsState } from "../../subgraphs/incidents/state";
import { AlertCollector, alertClient, subscribersSettled } from "../support/alerts";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, backends, ormasOf, startTestHub, TestHub } from "../support/hub";
import { reportInput } from "../support/report-writers";

/*
 * Reports that hold up at Bawaslu (issue 18): alerts with the default filter, the handling clock, correction
 * and withdrawal, on both engines.
 */

type Errors = Array<{ message: string; extensions?: Record<string, unknown> }> | undefined;

interface Report {
  id: string;
  status: string;
  occurredAt: string;
  discoveredAt: string;
  reportingDeadline: string;
  handlingDeadline: string | null;
  handlingExtension: { reason: string; by: { id: string } } | null;
  overdue: boolean;
  withdrawnAt: string | null;
  description: string;
  url: string | null;
  history: Array<{ status: string; at: string }>;
  versions: Array<{ version: number; kind: string; description: string; url: string | null; changed: string[]; reason: string | null; by: { id: string } }> | null;
}

const FIELDS = `id status occurredAt discoveredAt reportingDeadline handlingDeadline handlingExtension { reason by { id } } overdue withdrawnAt description url
  history { status at } versions { version kind description url changed reason by { id } }`;
const REPORT = `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { ${FIELDS} } }`;
const REVIEW = `mutation ($id: ID!, $s: IncidentStatus!) { reviewIncident(id: $id, status: $s) { ${FIELDS} } }`;
const EXTEND = `mutation ($id: ID!, $r: String!) { extendHandlingDeadline(id: $id, reason: $r) { ${FIELDS} } }`;
const CORRECT = `mutation ($id: ID!, $input: CorrectIncidentInput!) { correctIncident(id: $id, input: $input) { ${FIELDS} } }`;
const WITHDRAW = `mutation ($id: ID!, $r: String!, $k: String) { withdrawIncident(id: $id, reason: $r, idempotencyKey: $k) { ${FIELDS} } }`;
const READ = `query ($id: ID!) { incidentReport(id: $id) { ${FIELDS} } }`;
const LIST = `query ($filter: IncidentFilter) { incidentReports(filter: $filter, first: 100) { edges { node { id overdue withdrawnAt } } } }`;
const REPLAY = `query ($filter: AlertFilter) { incidentAlerts(filter: $filter, first: 50) { kind report { id title category } } }`;
const LATEST = `query { latestAlertSequence }`;

describe("reports that hold up at Bawaslu", async () => {
 for (const backend of await backends()) describe(`on ${backend}`, () => {
  let hub: TestHub;
  let ids: DemoIds;
  before(async () => {
    hub = await startTestHub(backend);
    ids = await loadDemoStory(hub);
  });
  after(() => hub.dispose());

  const bawaslu = () => agencyOf(ids.org.bawaslu);
  const pemuda = () => ormasOf(ids.org.pemuda);

  async function call<T>(query: string, variables: Record<string, unknown>, caller = bawaslu()): Promise<{ data: T | null | undefined; errors: Errors }> {
    const { data, errors } = await hub.query<T>(query, variables, caller);
    return { data, errors: errors as Errors };
  }

  /** Pemuda files a report (a black campaign in Manggar unless `overrides` say otherwise). */
  async function file(overrides: Record<string, unknown> = {}): Promise<Report> {
    const { data, errors } = await call<{ reportIncident: Report }>(REPORT, { input: { ...reportInput(), ...overrides } }, pemuda());
    assert.equal(errors, undefined, JSON.stringify(errors));
    return data!.reportIncident;
  }

  async function must<T>(query: string, variables: Record<string, unknown>, caller = bawaslu()): Promise<T> {
    const { data, errors } = await call<T>(query, variables, caller);
    assert.equal(errors, undefined, JSON.stringify(errors));
    return data!;
  }

  function refused(errors: Errors, code: string, field: string, rule: RegExp): void {
    assert.equal(errors?.[0]?.extensions?.code, code, JSON.stringify(errors));
    assert.equal(errors?.[0]?.extensions?.field, field, JSON.stringify(errors));
    assert.match(String(errors?.[0]?.extensions?.rule), rule);
  }

  const latestAlert = async () => (await must<{ latestAlertSequence: string | null }>(LATEST, {})).latestAlertSequence;

  describe("alerts that miss no serious report", () => {
    test("with the default filter Bawaslu hears of an intimidation, not of a negative campaign", async () => {
      const client = alertClient(hub.url, await hub.token(bawaslu()));
      const screen = new AlertCollector(client);
      await subscribersSettled(() => hub.hub.gateway.subscriptions.stats(), 1);
      await file({ title: "Kritik program kerja paslon", category: "NEGATIVE_CAMPAIGN" });
      await file({ title: "Ancaman kepada saksi TPS", category: "INTIMIDATION", channel: "PUBLIC_SPACE", platform: null, severity: "HIGH" });
      await screen.count(1);
      await new Promise((resolve) => setTimeout(resolve, 300)); // room for a wrong second alert to arrive
      assert.deepEqual(screen.alerts.map((alert) => [alert.kind, alert.report.title, alert.report.category]), [["REPORTED", "Ancaman kepada saksi TPS", "INTIMIDATION"]]);
      screen.unsubscribe();
      await client.dispose();
    });

    test("a filter that names categories receives those and nothing else, negative campaigns included", async () => {
      const { incidentAlerts } = await must<{ incidentAlerts: Array<{ report: { title: string; category: string } }> }>(REPLAY, { filter: { categories: ["NEGATIVE_CAMPAIGN"] } });
      assert.deepEqual([...new Set(incidentAlerts.map((alert) => alert.report.category))], ["NEGATIVE_CAMPAIGN"]);
      assert.ok(incidentAlerts.some((alert) => alert.report.title === "Kritik program kerja paslon"));
    });
  });

  describe("the handling clock", () => {
    test("a post seen days after it was made: the 7 days run from its discovery, to the end of the day in WIB", async () => {
      const report = await file({ occurredAt: "2024-11-20T20:00:00+07:00", discoveredAt: "2024-11-25T10:00:00+07:00" });
      assert.equal(report.discoveredAt, "2024-11-25T03:00:00.000Z");
      assert.equal(report.reportingDeadline, "2024-12-02T23:59:59+07:00");
    });

    test("without discoveredAt, the violation counts as discovered when it occurred", async () => {
      const report = await file({ occurredAt: "2024-11-20T20:00:00+07:00" });
      assert.equal(report.discoveredAt, report.occurredAt);
      assert.equal(report.reportingDeadline, "2024-11-27T23:59:59+07:00");
    });

    test("a discovery before the violation, or in the future, is refused by name", async () => {
      const early = await call(REPORT, { input: { ...reportInput(), occurredAt: "2024-11-20T20:00:00+07:00", discoveredAt: "2024-11-20T19:00:00+07:00" } }, pemuda());
      refused(early.errors, "BAD_USER_INPUT", "input.discoveredAt", /not be before input\.occurredAt/);
      const future = await call(REPORT, { input: { ...reportInput(), discoveredAt: new Date(Date.now() + 86_400_000).toISOString() } }, pemuda());
      refused(future.errors, "BAD_USER_INPUT", "input.discoveredAt", /future/);
    });

    test("Bawaslu takes a report up: 3 days to decide, extended once by 2 with a reason, never twice", async () => {
      const filed = await file();
      assert.equal(filed.handlingDeadline, null, "no handling clock while RECEIVED");
      const early = await call(EXTEND, { id: filed.id, r: "Perlu keterangan tambahan" });
      refused(early.errors, "BAD_USER_INPUT", "id", /still RECEIVED/);

      const { reviewIncident } = await must<{ reviewIncident: Report }>(REVIEW, { id: filed.id, s: "UNDER_REVIEW" });
      const takenUp = reviewIncident.history[1].at;
      assert.equal(reviewIncident.handlingDeadline, inLocalTime(handlingDeadline(takenUp, false, "19.06.01"), "19.06.01"));
      assert.match(reviewIncident.handlingDeadline ?? "", /T23:59:59\+07:00$/);

      const byOrmas = await call(EXTEND, { id: filed.id, r: "Saya mau" }, pemuda());
      assert.equal(byOrmas.errors?.[0]?.extensions?.code, "FORBIDDEN");

      const { extendHandlingDeadline } = await must<{ extendHandlingDeadline: Report }>(EXTEND, { id: filed.id, r: "Meminta bukti tambahan dari pelapor" });
      assert.equal(extendHandlingDeadline.handlingDeadline, inLocalTime(handlingDeadline(takenUp, true, "19.06.01"), "19.06.01"));
      assert.equal(Date.parse(extendHandlingDeadline.handlingDeadline!) - Date.parse(reviewIncident.handlingDeadline!), 2 * 86_400_000);
      assert.deepEqual(extendHandlingDeadline.handlingExtension, { reason: "Meminta bukti tambahan dari pelapor", by: { id: ids.org.bawaslu } });

      const twice = await call(EXTEND, { id: filed.id, r: "Lagi" });
      refused(twice.errors, "BAD_USER_INPUT", "id", /only once/);
      const { incidentReport } = await must<{ incidentReport: Report }>(READ, { id: filed.id });
      assert.equal(incidentReport.handlingDeadline, extendHandlingDeadline.handlingDeadline, "the refused extension changed nothing");
      assert.equal(incidentReport.handlingDeadline, extendHandlingDeadline.handlingDeadline);
    });

    test("reports past their deadline are flagged and filterable", async () => {
      const late = await file({ occurredAt: "2024-11-20T20:00:00+07:00", title: "Laporan terlambat" });
      const fresh = await file({ occurredAt: new Date().toISOString(), title: "Laporan baru" });
      assert.equal(late.overdue, true);
      assert.equal(fresh.overdue, false);
      const overdue = await must<{ incidentReports: { edges: Array<{ node: { id: string } }> } }>(LIST, { filter: { regionCode: "19.06", overdue: true } });
      const ids = overdue.incidentReports.edges.map((edge) => edge.node.id);
      assert.ok(ids.includes(late.id) && !ids.includes(fresh.id));
      const onTime = await must<{ incidentReports: { edges: Array<{ node: { id: string } }> } }>(LIST, { filter: { regionCode: "19.06", overdue: false } });
      const onTimeIds = onTime.incidentReports.edges.map((edge) => edge.node.id);
      assert.ok(onTimeIds.includes(fresh.id) && !onTimeIds.includes(late.id));
    });

    test("DEADLINE_NEAR is raised once, 24 hours before, by the replica holding the lease, and caught up after downtime", async () => {
      const hubIncidents = hub.hub.subgraphs.incidents;
      const replica = await startSubgraph(incidents, hub.hub.config, { port: 0, host: "127.0.0.1" });
      try {
        const a = new DeadlineClock({ storage: hubIncidents.storage, alerts: (hubIncidents.state as IncidentsState).alerts, holder: "replica-a" });
        const b = new DeadlineClock({ storage: replica.storage, alerts: replica.state!.alerts, holder: "replica-b" });
        const now = new Date().toISOString();
        const filed = await file({ occurredAt: now, title: "Fitnah menjelang tenggat" });
        const withdrawn = await file({ occurredAt: now, title: "Laporan yang dicabut" });
        await must(WITHDRAW, { id: withdrawn.id, r: "Salah wilayah" }, pemuda());
        const { reviewIncident } = await must<{ reviewIncident: Report }>(REVIEW, { id: filed.id, s: "UNDER_REVIEW" });
        const handlingDue = Date.parse(reviewIncident.handlingDeadline!);
        const reportingDue = Date.parse(reviewIncident.reportingDeadline);
        // The demo's own reports may come due in the same hours; only this test's two count here.
        const ours = (id: string) => id === filed.id || id === withdrawn.id;
        const raisedFor = (alerts: Array<{ reportId: number }>) => alerts.map((alert) => String(alert.reportId)).filter(ours);

        const minute = 60_000;
        assert.deepEqual(raisedFor(await a.tick(handlingDue - WARNING_MS - minute)), [], "a minute short of 24 hours before: nothing yet (a takes the lease)");
        assert.deepEqual(raisedFor(await b.tick(handlingDue - WARNING_MS + minute)), [], "due now, but the other replica does not hold the lease");
        assert.deepEqual(raisedFor(await a.tick(handlingDue - WARNING_MS + minute)), [filed.id], "24 hours before the handling deadline");
        assert.deepEqual(raisedFor(await a.tick(handlingDue - WARNING_MS + 2 * minute)), [], "raised once");
        // Replica a goes away; b takes the lease once it ran out, days later, and catches up on the reporting deadline.
        assert.deepEqual(raisedFor(await b.tick(reportingDue - 3_600_000)), [filed.id], "the reporting deadline, caught up after downtime");
        assert.deepEqual(await a.tick(reportingDue - 3_000_000), [], "a came back, but b holds the lease");
        assert.deepEqual(await b.tick(reportingDue - 1_000_000), [], "nothing twice");

        const { incidentAlerts } = await must<{ incidentAlerts: Array<{ kind: string; report: { id: string } }> }>(REPLAY, {});
        const near = incidentAlerts.filter((alert) => alert.kind === "DEADLINE_NEAR" && ours(alert.report.id)).map((alert) => alert.report.id);
        assert.deepEqual(near, [filed.id, filed.id], "one for each deadline; none for the withdrawn report");
      } finally {
        await replica.dispose();
      }
    });
  });

  describe("correction and withdrawal", () => {
    test("the reporter corrects its report while RECEIVED; Bawaslu sees both versions, and no alert is raised", async () => {
      const filed = await file({ description: "Akun anonim memfitnah paslon nomor 1." });
      const before = await latestAlert();
      const { correctIncident } = await must<{ correctIncident: Report }>(
        CORRECT,
        { id: filed.id, input: { description: "Akun anonim memfitnah paslon nomor 2.", url: "https://www.facebook.com/contoh/posts/2" } },
        pemuda(),
      );
      assert.equal(correctIncident.description, "Akun anonim memfitnah paslon nomor 2.");
      assert.equal(await latestAlert(), before, "a correction raises no alert");
      const { incidentReport } = await must<{ incidentReport: Report }>(READ, { id: filed.id });
      assert.deepEqual(
        incidentReport.versions?.map((v) => [v.version, v.kind, v.description, v.url, v.changed, v.by.id]),
        [
          [1, "FILED", "Akun anonim memfitnah paslon nomor 1.", null, [], ids.org.pemuda],
          [2, "CORRECTED", "Akun anonim memfitnah paslon nomor 2.", "https://www.facebook.com/contoh/posts/2", ["description", "url"], ids.org.pemuda],
        ],
      );
    });

    test("only the reporting organization corrects, and only while no agency has taken the report up", async () => {
      const filed = await file();
      const other = await call(CORRECT, { id: filed.id, input: { category: "HOAX" } }, ormasOf(ids.org.gantung));
      refused(other.errors, "FORBIDDEN", "id", /your organization filed/);
      await must(REVIEW, { id: filed.id, s: "UNDER_REVIEW" });
      const late = await call(CORRECT, { id: filed.id, input: { category: "HOAX" } }, pemuda());
      refused(late.errors, "BAD_USER_INPUT", "id", /still RECEIVED.*UNDER_REVIEW/);
      const nothing = await call(CORRECT, { id: filed.id, input: {} }, pemuda());
      refused(nothing.errors, "BAD_USER_INPUT", "input", /at least one/);
    });

    test("a withdrawn report keeps its history, leaves the default list, comes back with a filter, and takes no review", async () => {
      const filed = await file({ title: "Laporan keliru" });
      const first = await must<{ withdrawIncident: Report }>(WITHDRAW, { id: filed.id, r: "Pelaku ternyata bukan tim kampanye", k: `withdraw-${filed.id}` }, pemuda());
      assert.ok(first.withdrawIncident.withdrawnAt);
      const again = await must<{ withdrawIncident: Report }>(WITHDRAW, { id: filed.id, r: "Pelaku ternyata bukan tim kampanye", k: `withdraw-${filed.id}` }, pemuda());
      assert.equal(again.withdrawIncident.withdrawnAt, first.withdrawIncident.withdrawnAt, "a retry with the same key answers the first withdrawal");

      const listed = async (filter: Record<string, unknown>) =>
        (await must<{ incidentReports: { edges: Array<{ node: { id: string } }> } }>(LIST, { filter })).incidentReports.edges.some((edge) => edge.node.id === filed.id);
      assert.equal(await listed({ regionCode: "19.06" }), false, "gone from the default list");
      assert.equal(await listed({ regionCode: "19.06", includeWithdrawn: true }), true, "the filter brings it back");

      const review = await call(REVIEW, { id: filed.id, s: "UNDER_REVIEW" });
      refused(review.errors, "BAD_USER_INPUT", "id", /withdrawn by its reporter/);
      const twice = await call(WITHDRAW, { id: filed.id, r: "Lagi" }, pemuda());
      refused(twice.errors, "BAD_USER_INPUT", "id", /withdrawn/);

      const { incidentReport } = await must<{ incidentReport: Report }>(READ, { id: filed.id });
      assert.deepEqual(incidentReport.history.map((change) => change.status), ["RECEIVED"]);
      assert.deepEqual(incidentReport.versions?.map((v) => [v.kind, v.reason]), [["FILED", null], ["WITHDRAWN", "Pelaku ternyata bukan tim kampanye"]]);
    });
  });
 });
});
