import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { loadDemo } from "../../launcher/demo";
import type { HubConfig } from "../../platform/config";
import { elections } from "../../subgraphs/elections";
import { DEMO_ELECTIONS } from "../../subgraphs/elections/demo";
import { applyElections } from "../../subgraphs/elections/import";
import { openStorage } from "../../subgraphs/kit/storage";
import { agencyOf, backends, ormasOf, startTestHub, testConfig, testHubOn, TestHub } from "../support/hub";
import { hoaxReport, REPORT } from "../support/reports";

/*
 * The invented Belitung Timur elections and candidate pairs come with the demo only: a hub on a fresh database
 * has no election until KPU data is imported, and still takes reports (a year back where no election covers the
 * region). A database that holds the pairs from before keeps them.
 */

const ELECTIONS = `{ elections { title candidatePairs { ballotNumber headCandidate } } }`;
type Listed = { elections: Array<{ title: string; candidatePairs: Array<{ ballotNumber: number; headCandidate: string }> }> };

const DAY_MS = 86_400_000;

describe("the demo's elections", async () => {
 for (const backend of await backends()) describe(`on ${backend}`, () => {
  describe("a production hub on a fresh database", () => {
    let hub: TestHub;
    before(async () => {
      hub = await startTestHub(backend, { NODE_ENV: "production" });
    });
    after(() => hub.dispose());

    test("lists no election and no candidate pair", async () => {
      const { data, errors } = await hub.query<Listed>(ELECTIONS);
      assert.equal(errors, undefined);
      assert.deepEqual(data!.elections, []);
    });

    test("an ormas reports from Manggar up to a year back, no election covering it", async () => {
      const registered = await hub.query<{ registerOrganization: { id: string } }>(
        `mutation ($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id } }`,
        { input: { name: "Perkumpulan Warga Contoh Manggar", kind: "ORMAS", legalForm: "UNINCORPORATED", registrationNumber: "SKT 009/19.06/2024", regionCode: "19.06.01" } },
        agencyOf("1"),
      );
      assert.equal(registered.errors, undefined);
      const volunteer = ormasOf(registered.data!.registerOrganization.id);
      const recent = await hub.query(REPORT, { input: hoaxReport("Hoaks sebulan lalu", { occurredAt: new Date(Date.now() - 30 * DAY_MS).toISOString() }) }, volunteer);
      assert.equal(recent.errors, undefined);
      const old = await hub.query(REPORT, { input: hoaxReport("Hoaks 400 hari lalu", { occurredAt: new Date(Date.now() - 400 * DAY_MS).toISOString() }) }, volunteer);
      assert.equal(old.errors?.[0].extensions?.field, "input.occurredAt");
      assert.match(old.errors![0].message, /within the last 365 days: no election covers region 19\.06\.01/);
    });
  });

  describe("a database that holds the demo's pairs from before they were demo-only", () => {
    let config: HubConfig;
    let hub: TestHub;
    before(async () => {
      config = testConfig(backend, { NODE_ENV: "production" });
      // What earlier versions loaded on every fresh database.
      const storage = await openStorage({ name: "elections", entities: elections.entities, migrations: elections.migrations }, config);
      try {
        await storage.write((manager) => applyElections(manager, DEMO_ELECTIONS));
      } finally {
        await storage.close();
      }
      hub = await testHubOn(config);
    });
    after(() => hub.dispose());

    const pairCount = (listed: Listed) => listed.elections.reduce((count, election) => count + election.candidatePairs.length, 0);

    test("keeps them when the hub starts", async () => {
      const { data } = await hub.query<Listed>(ELECTIONS);
      assert.deepEqual(data!.elections.map((election) => election.title).sort(), DEMO_ELECTIONS.map((election) => election.title).sort());
      assert.equal(pairCount(data!), 5);
    });

    test("loading the demo on it adds no second copy", async () => {
      assert.equal(await loadDemo(hub.url, config), true);
      const { data } = await hub.query<Listed>(ELECTIONS);
      assert.equal(data!.elections.length, 2);
      assert.equal(pairCount(data!), 5);
    });
  });
 });
});
