import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { nameTokens } from "../../subgraphs/kit/filters";
import { organizations } from "../../subgraphs/organizations";
import { backends } from "../support/hub";
import { startTestSubgraph, TestSubgraph } from "../support/subgraph";

/*
 * A region filter holds the region and what lies inside it, nothing else, however the stored codes look:
 * kit/filters.ts adds index bounds [code, code + "/") beside the exact test, and they must never let a
 * neighbour through ("19.061", "19.06-1", "19.06/1") nor keep a child out. Rows are written straight into
 * the tables, past the input checks that would refuse such codes, for both the directory's query and the
 * name search's (organizations/search.ts).
 */

const CODES = ["19.06", "19.06.01", "19.06.01.2001", "19.061", "19.06-1", "19.06/1", "19.060", "19.05", "19.07", "19", "1"];
const INSIDE_19_06 = ["19.06", "19.06.01", "19.06.01.2001"];

describe("region filter", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      let subgraph: TestSubgraph;
      before(async () => {
        subgraph = await startTestSubgraph(organizations, backend);
        const db = subgraph.running.storage.writer; // rows written in SQL, as an operator would
        for (const [n, code] of CODES.entries()) {
          const name = `Ormas Batas ${code}`;
          const [{ id }] = (await db.query("SELECT COALESCE(MAX(id), 0) + 1 AS id FROM organizations")) as Array<{ id: number }>;
          await db.query(
            "INSERT INTO organizations (id, name, nameKey, kind, regionCode, status, registeredAt) VALUES (?, ?, ?, 'ORMAS', ?, 'ACTIVE', ?)",
            [Number(id), name, name.toLowerCase(), code, `2024-01-0${(n % 9) + 1}T00:00:00.000Z`],
          );
          for (const token of nameTokens(name)) {
            await db.query("INSERT INTO organization_search_tokens (token, nameKey, organizationId, regionCode) VALUES (?, ?, ?, ?)", [token, name.toLowerCase(), Number(id), code]);
          }
        }
        // As every write to the directory must: readers then see the new rows (kit/list-versions.ts).
        await db.query("UPDATE list_versions SET version = version + 1 WHERE list = 'organizations'");
      });
      after(() => subgraph.dispose());

      async function regionsListed(filter: Record<string, unknown>): Promise<string[]> {
        const { data, errors } = await subgraph.request<{ organizations: { totalCount: number; edges: Array<{ node: { name: string } }> } }>(
          `query ($filter: OrganizationFilter) { organizations(filter: $filter, first: 100) { totalCount edges { node { name } } } }`,
          { filter },
        );
        assert.equal(errors, undefined, JSON.stringify(errors));
        assert.equal(data!.organizations.totalCount, data!.organizations.edges.length);
        return data!.organizations.edges.map((edge) => edge.node.name.replace("Ormas Batas ", "")).sort();
      }

      test("the directory by region: the region and its children only", async () => {
        assert.deepEqual(await regionsListed({ regionCode: "19.06" }), [...INSIDE_19_06].sort());
        assert.deepEqual(await regionsListed({ regionCode: "19.06.01" }), ["19.06.01", "19.06.01.2001"]);
      });

      test("a name search within a region: the region and its children only", async () => {
        assert.deepEqual(await regionsListed({ search: "ormas batas", regionCode: "19.06" }), [...INSIDE_19_06].sort());
        assert.deepEqual(await regionsListed({ search: "batas", regionCode: "19.06.01" }), ["19.06.01", "19.06.01.2001"]);
      });
    });
  }
});
