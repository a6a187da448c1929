import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, backends, ormasOf, startTestHub, TestHub } from "../support/hub";
import { fileReport, hoaxReport } from "../support/reports";

/*
 * The region board: an officer of Belitung Timur asks how many open reports each district of the regency holds,
 * by category (incidentCounts), and gets what the incident list shows when counted by hand; a dismissed report
 * leaves the board; a region outside the officer's regions, or a grouping not below the region, is refused by name.
 */

const COUNTS = `query ($regionCode: String!, $groupBy: RegionGrouping) { incidentCounts(regionCode: $regionCode, groupBy: $groupBy) { region { code name } category count } }`;
const OPEN_LIST = `query ($after: String) { incidentReports(filter: { regionCode: "19.06" }, first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { status category region { code } } } } }`;

interface OpenList {
  incidentReports: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: Array<{ node: { status: string; category: string; region: { code: string } } }> };
}

interface Cell {
  region: { code: string; name: string };
  category: string;
  count: number;
}

describe("the region board counts open reports per district and category", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      let hub: TestHub;
      let ids: DemoIds;
      const officer = () => agencyOf(ids.org.bawaslu);
      const counts = async (regionCode: string, groupBy?: string) => hub.query<{ incidentCounts: Cell[] }>(COUNTS, { regionCode, groupBy }, officer());
      const cell = (cells: Cell[], code: string, category: string) => cells.find((item) => item.region.code === code && item.category === category)?.count ?? 0;

      before(async () => {
        hub = await startTestHub(backend);
        ids = await loadDemoStory(hub);
      });
      after(() => hub.dispose());

      test("an officer of Belitung Timur sees, per district and category, what the incident list holds when counted by hand", async () => {
        const expected = new Map<string, number>();
        let after: string | null = null;
        do {
          const page: OpenList = (await hub.query<OpenList>(OPEN_LIST, { after }, officer())).data!;
          for (const { node } of page.incidentReports.edges) {
            if (["RESOLVED", "DISMISSED"].includes(node.status)) continue;
            const key = `${node.region.code.slice(0, 8)} ${node.category}`;
            expected.set(key, (expected.get(key) ?? 0) + 1);
          }
          after = page.incidentReports.pageInfo.hasNextPage ? page.incidentReports.pageInfo.endCursor : null;
        } while (after);
        const { data, errors } = await counts("19.06");
        assert.equal(errors, undefined, JSON.stringify(errors));
        assert.ok(expected.size > 0, "the demo has open reports in Belitung Timur");
        assert.deepEqual(new Map(data!.incidentCounts.map((item) => [`${item.region.code} ${item.category}`, item.count])), expected);
        assert.ok(data!.incidentCounts.every((item) => item.region.code.startsWith("19.06.") && item.region.name !== ""), "districts of the regency, named");
      });

      test("a new report adds one to its district's cell; once dismissed it leaves the board", async () => {
        const before = cell((await counts("19.06")).data!.incidentCounts, "19.06.01", "HOAX");
        const filed = await fileReport(hub, ormasOf(ids.org.pemuda), hoaxReport(`Hoaks papan wilayah (${backend})`));
        assert.ok(filed.id, filed.code);
        assert.equal(cell((await counts("19.06")).data!.incidentCounts, "19.06.01", "HOAX"), before + 1);
        const { errors } = await hub.query(`mutation ($id: ID!) { reviewIncident(id: $id, status: DISMISSED, note: "bukan pelanggaran") { status } }`, { id: filed.id }, officer());
        assert.equal(errors, undefined, JSON.stringify(errors));
        assert.equal(cell((await counts("19.06")).data!.incidentCounts, "19.06.01", "HOAX"), before);
      });

      test("grouped by regency under the province the officer may not ask for, and by a level not below the region, it is refused by name", async () => {
        const outside = await counts("19", "REGENCY");
        assert.equal(outside.errors?.[0]?.extensions?.code, "FORBIDDEN");
        assert.equal(outside.errors?.[0]?.extensions?.field, "regionCode");
        const level = await counts("19.06", "REGENCY");
        assert.equal(level.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
        assert.equal(level.errors?.[0]?.extensions?.field, "groupBy");
        const provincial = await hub.query<{ incidentCounts: Cell[] }>(COUNTS, { regionCode: "19" }, agencyOf(ids.org.bawaslu, ["19"]));
        assert.deepEqual(new Set(provincial.data!.incidentCounts.map((item) => item.region.code)), new Set(["19.06"]), "a provincial officer sees the regencies");
      });

      test("a Manggar district officer's board counts the district itself, reports of its villages included", async () => {
        const manggar = agencyOf(ids.org.bawaslu, ["19.06.01"]);
        const { data, errors } = await hub.query<{ incidentCounts: Cell[] }>(COUNTS, { regionCode: "19.06.01" }, manggar);
        assert.equal(errors, undefined, JSON.stringify(errors));
        const regency = (await counts("19.06")).data!.incidentCounts.filter((item) => item.region.code === "19.06.01");
        assert.ok(regency.length > 0, "the demo has open reports in Manggar");
        assert.deepEqual(data!.incidentCounts, regency);
      });

      test("the public gets no counts", async () => {
        const { errors } = await hub.query(COUNTS, { regionCode: "19.06" });
        assert.equal(errors?.[0]?.extensions?.code, "UNAUTHENTICATED");
      });
    });
  }
});
