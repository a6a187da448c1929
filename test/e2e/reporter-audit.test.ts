import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Caller } from "../../caller/claims";
import { AuditEvent, AuditKind } from "../../subgraphs/identity/entities";
import { AlertCollector, alertClient } from "../support/alerts";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, backends, integrator, ormasOf, startTestHub, TestHub } from "../support/hub";
import { call, firstAdministrator } from "../support/identity";
import { fileReport, hoaxReport } from "../support/reports";

/*
 * Whistleblower data is audited at each delivery: an ormas files a report in Manggar; every answer that names
 * its reporter (the field, the reporter's own history entry, or a version's author), over HTTP or in a live alert, leaves an audit event saying who received it, when, and which
 * report, also when the same caller asks again (such answers are never served from the response cache). A
 * caller who gets `null` leaves none. When the audit cannot be stored, the reporter is not sent.
 */

const REPORTER = `query ($id: ID!) { incidentReport(id: $id) { title reporter { id } } }`;
const TITLE_ONLY = `query ($id: ID!) { incidentReport(id: $id) { title } }`;

interface Answer {
  status: number;
  age: string | null;
  body: { data?: { incidentReport: { title: string; reporter?: { id: string } | null } | null } | null; errors?: Array<{ extensions?: { code?: string } }> };
}

describe("every delivery of a report's reporter is audited", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      let hub: TestHub;
      let ids: DemoIds;
      let reportId: string;
      const deliveries = async (subject: string) =>
        (await hub.hub.subgraphs.identity.db.getRepository(AuditEvent).findBy({ kind: AuditKind.REPORTER_DELIVERED, subject })).filter((event) => String(event.reportId) === reportId);
      const ask = async (document: string, caller: Caller): Promise<Answer> => {
        const response = await fetch(hub.url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${await hub.token(caller)}` },
          body: JSON.stringify({ query: document, variables: { id: reportId } }),
        });
        return { status: response.status, age: response.headers.get("age"), body: (await response.json()) as Answer["body"] };
      };

      before(async () => {
        // The response cache on (its default, 5 s): a repeat within it would be served from memory if it could be.
        hub = await startTestHub(backend, { KAWAL_RESPONSE_CACHE_SECONDS: "60" });
        ids = await loadDemoStory(hub);
        const filed = await fileReport(hub, ormasOf(ids.org.pemuda), hoaxReport("Hoaks TPS dipindah (audit)"));
        assert.ok(filed.id, filed.code);
        reportId = filed.id;
      });
      after(() => hub.dispose());

      test("an agency officer of the region reads the reporter: one audit event per answer, the same request again included", async () => {
        const officer = { ...agencyOf(ids.org.bawaslu), sub: "officer-siti" };
        const first = await ask(REPORTER, officer);
        assert.deepEqual(first.body.data?.incidentReport?.reporter, { id: ids.org.pemuda });
        const [event] = await deliveries("officer-siti");
        assert.ok(event, "the delivery is audited");
        assert.deepEqual([event.regions.trim(), event.actorAccountId], ["19.06.01", null]);
        const second = await ask(REPORTER, officer);
        assert.deepEqual(second.body.data?.incidentReport?.reporter, { id: ids.org.pemuda });
        assert.equal(second.age, null, "computed again, not served from the cache");
        assert.equal((await deliveries("officer-siti")).length, 2, "the repeated request is audited again");
        // The cache is on: an answer without the reporter is served from it the second time, and audits nothing.
        await ask(TITLE_ONLY, officer);
        assert.notEqual((await ask(TITLE_ONLY, officer)).age, null);
        assert.equal((await deliveries("officer-siti")).length, 2);
      });

      test("the reporter's own history entry (`history { by }`) is a delivery too; the history without `by` is not", async () => {
        const officer = { ...agencyOf(ids.org.bawaslu), sub: "officer-rina" };
        const byWhom = await ask(`query ($id: ID!) { incidentReport(id: $id) { history { status by { id } } } }`, officer);
        assert.equal(byWhom.status, 200, JSON.stringify(byWhom.body));
        assert.equal((await deliveries("officer-rina")).length, 1);
        await ask(`query ($id: ID!) { incidentReport(id: $id) { history { status at } } }`, officer);
        assert.equal((await deliveries("officer-rina")).length, 1);
      });

      test("the report's versions name who filed and corrected it (`versions { by }`): a delivery too; versions without `by` are not", async () => {
        const officer = { ...agencyOf(ids.org.bawaslu), sub: "officer-dewi" };
        const byWhom = await ask(`query ($id: ID!) { incidentReport(id: $id) { versions { version by { id } } } }`, officer);
        assert.equal(byWhom.status, 200, JSON.stringify(byWhom.body));
        assert.equal((await deliveries("officer-dewi")).length, 1);
        await ask(`query ($id: ID!) { incidentReport(id: $id) { versions { version description } } }`, officer);
        assert.equal((await deliveries("officer-dewi")).length, 1);
      });

      test("an officer listing what an ormas filed (`incidentReportsFiled`) learns who reported each: every listed report is audited", async () => {
        const officer = { ...agencyOf(ids.org.bawaslu), sub: "officer-ayu" };
        const listed = await fetch(hub.url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${await hub.token(officer)}` },
          body: JSON.stringify({ query: `query ($id: ID!) { organization(id: $id) { incidentReportsFiled(first: 50) { edges { node { id } } } } }`, variables: { id: ids.org.pemuda } }),
        });
        const body = (await listed.json()) as { data?: { organization: { incidentReportsFiled: { edges: Array<{ node: { id: string } }> } } } };
        const listedIds = body.data?.organization.incidentReportsFiled.edges.map((edge) => edge.node.id) ?? [];
        assert.ok(listedIds.includes(reportId), JSON.stringify(body));
        assert.equal((await deliveries("officer-ayu")).length, 1, "the report of this test is among the audited ones");
      });

      test("callers who get null leave no audit event", async () => {
        const others: Caller[] = [
          { ...ormasOf(ids.org.gantung), sub: "volunteer-gantung" },
          { ...agencyOf(ids.org.police, ["19.01"]), sub: "officer-bangka" },
          { ...integrator(["read:incidents"]), sub: "partner-reader" },
        ];
        for (const caller of others) {
          const answer = await ask(REPORTER, caller);
          assert.equal(answer.body.data?.incidentReport?.reporter, null, caller.sub);
          await ask(`query ($id: ID!) { incidentReport(id: $id) { history { by { id } } } }`, caller);
          assert.deepEqual(await deliveries(caller.sub), [], caller.sub);
        }
      });

      test("administrators of the region read the deliveries in the audit trail", async () => {
        const admin = await firstAdministrator(hub, ids.org.kesbangpol, "admin@kesbangpol.beltim.go.id", "kapal layar Manggar tujuh");
        const events = await call<{ auditEvents: { edges: Array<{ node: { kind: string; subject: string; reportId: string } }> } }>(
          hub,
          `query ($f: AuditFilter) { auditEvents(filter: $f, first: 10) { edges { node { kind subject reportId } } } }`,
          { f: { kind: "REPORTER_DELIVERED", reportId } },
          admin.accessToken,
        );
        assert.equal(events.code, "ok", events.message);
        const read = events.data!.auditEvents.edges.map(({ node }) => [node.subject, node.reportId]);
        assert.deepEqual(read.filter(([subject]) => subject === "officer-siti"), [["officer-siti", reportId], ["officer-siti", reportId]]);
        assert.ok(read.every(([subject]) => subject.startsWith("officer-")), "only the officers who received it");
      });

      test("a live alert naming the reporter is audited once for each subscriber who receives it", async () => {
        const screens = await Promise.all(
          [{ ...agencyOf(ids.org.bawaslu), sub: "officer-ayu" }, { ...agencyOf(ids.org.bawaslu), sub: "officer-budi" }, { ...integrator(["subscribe:alerts"]), sub: "partner-alerts" }].map(async (caller) => {
            const client = alertClient(hub.url, await hub.token(caller));
            return { caller, client, screen: new AlertCollector(client) };
          }),
        );
        const deadline = Date.now() + 5000;
        while (hub.hub.gateway.subscriptions.stats().subscribers < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        await new Promise((resolve) => setTimeout(resolve, 100));
        const live = await fileReport(hub, ormasOf(ids.org.pemuda), hoaxReport("Hoaks kotak suara (audit langsung)"));
        for (const { screen } of screens) await screen.count(1);
        assert.ok(screens[0].screen.alerts[0].report.reporter, "the officers see who reported");
        assert.equal(screens[2].screen.alerts[0].report.reporter, null, "the partner app does not");
        const liveEvents = async (subject: string) =>
          (await hub.hub.subgraphs.identity.db.getRepository(AuditEvent).findBy({ kind: AuditKind.REPORTER_DELIVERED, subject })).filter((event) => String(event.reportId) === live.id);
        const until = Date.now() + 3000;
        while ((await liveEvents("officer-budi")).length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal((await liveEvents("officer-ayu")).length, 1);
        assert.equal((await liveEvents("officer-budi")).length, 1);
        assert.deepEqual(await liveEvents("partner-alerts"), []);
        for (const { client } of screens) await client.dispose();
      });

      test("when the audit cannot be stored, the reporter is not sent", async () => {
        await hub.hub.subgraphs.identity.dispose();
        const answer = await ask(REPORTER, { ...agencyOf(ids.org.bawaslu), sub: "officer-dewi" });
        assert.equal(answer.status, 503);
        assert.equal(answer.body.errors?.[0]?.extensions?.code, "STORAGE_UNAVAILABLE");
        assert.ok(!JSON.stringify(answer.body).includes(`"reporter"`), JSON.stringify(answer.body));
      });
    });
  }
});
