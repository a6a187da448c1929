import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { RunningGateway, startGateway } from "../../gateway/server";
import { Evidence } from "../../subgraphs/incidents/evidence/entity";
import { CutProxy, startCutProxy } from "../support/cut-proxy";
import { DemoIds, loadDemoStory } from "../support/demo";
import { photoWithGps, sha256, uploadEvidence } from "../support/evidence";
import { backends, ormasOf, startTestHub, TestHub } from "../support/hub";
import { hoaxReport, REPORT } from "../support/reports";
import { postGraphQL } from "../../platform/graphql-fetch";

/*
 * The reply to a volunteer's report, or to its photo's upload, is lost after it was committed (the connection
 * between the gateway and the incidents subgraph is cut as the answer starts back). The phone retries with its key.
 */
describe("a report's reply is lost after it was stored, and the phone retries with its key", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      let hub: TestHub;
      let ids: DemoIds;
      let proxy: CutProxy;
      let gateway: RunningGateway;
      before(async () => {
        hub = await startTestHub(backend, { KAWAL_RATE_LIMIT_MUTATIONS: "0" });
        ids = await loadDemoStory(hub);
        const config = hub.hub.config;
        proxy = await startCutProxy(config.subgraphUrls.incidents);
        gateway = await startGateway({ ...config, subgraphUrls: { ...config.subgraphUrls, incidents: proxy.url } }, { port: 0, host: "127.0.0.1" });
      });
      after(async () => {
        await gateway.dispose();
        await proxy.dispose();
        await hub.dispose();
      });

      test("the lost reply says OUTCOME_UNKNOWN, the retry answers the stored report, and exactly one report and one alert exist", async () => {
        const token = await hub.token(ormasOf(ids.org.pemuda));
        const input = hoaxReport("Hoaks: balasan hilang di jalan", { idempotencyKey: "3f1c7a2e-balasan-hilang" });
        proxy.cutNextReply();
        const lost = await postGraphQL<{ reportIncident: { id: string } }>(gateway.url, REPORT, { input }, token);
        assert.equal(proxy.cuts, 1);
        assert.equal(lost.data?.reportIncident ?? null, null);
        assert.equal(lost.errors?.[0]?.extensions?.code, "OUTCOME_UNKNOWN", JSON.stringify(lost.errors));

        const retry = await postGraphQL<{ reportIncident: { id: string } }>(gateway.url, REPORT, { input }, token);
        assert.equal(retry.errors, undefined);
        const again = await postGraphQL<{ reportIncident: { id: string } }>(gateway.url, REPORT, { input }, token);
        assert.equal(again.data!.reportIncident.id, retry.data!.reportIncident.id);

        const db = hub.hub.subgraphs.incidents.db;
        const reports = (await db.query("SELECT id FROM incident_reports WHERE title = ?", [input.title])) as Array<{ id: number }>;
        assert.deepEqual(reports.map((row) => String(row.id)), [retry.data!.reportIncident.id], "the report the first request stored, once");
        const alerts = (await db.query("SELECT sequence FROM incident_alerts WHERE reportId = ?", [reports[0].id])) as unknown[];
        assert.equal(alerts.length, 1, "one alert, raised by the first request");
      });

      test("a photo upload whose answer is lost says OUTCOME_UNKNOWN; the retry with its Idempotency-Key answers the stored evidence, kept once", async () => {
        const token = await hub.token(ormasOf(ids.org.pemuda));
        const photo = await photoWithGps(66, 44);
        const key = { "idempotency-key": "pemuda-foto-balasan-hilang" };
        const folder = path.join(hub.hub.config.dataDir, "evidence");
        const files = fs.readdirSync(folder).length;
        const cuts = proxy.cuts;
        proxy.cutNextReply();
        const lost = await uploadEvidence(gateway.url, token, photo, "bukti.jpg", "image/jpeg", key);
        assert.equal(proxy.cuts, cuts + 1);
        assert.equal(lost.status, 502, JSON.stringify(lost.body));
        assert.equal(lost.body.error?.code, "OUTCOME_UNKNOWN");

        const retry = await uploadEvidence(gateway.url, token, photo, "bukti.jpg", "image/jpeg", key);
        assert.equal(retry.status, 201, JSON.stringify(retry.body));
        const stored = await hub.hub.subgraphs.incidents.db.getRepository(Evidence).findBy({ originalSha256: sha256(photo) });
        assert.deepEqual(stored.map((row) => row.id), [retry.body.id], "the evidence the first request stored, once");
        assert.equal(fs.readdirSync(folder).length, files + 1, "one file stored");
      });
    });
  }
});
