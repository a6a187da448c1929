import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { organizations } from "../../subgraphs/organizations";
import { RunningSubgraph, startSubgraph } from "../../subgraphs/kit/subgraph";
import { subgraphHeaders } from "../../subgraphs/kit/caller";
import { GraphQLResponse } from "../../gateway/graphql-fetch";
import { agencyOf, backends } from "../support/hub";
import { startTestSubgraph, TestSubgraph } from "../support/subgraph";

/*
 * Name search reads the directory's names from memory (organizations/name-index.ts), one copy per
 * instance of the subgraph. Kesbangpol registers through one instance while a Bawaslu officer searches
 * through another: the second must see the new names at once, in the database's name order.
 */

const REGISTER = `mutation ($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id } }`;
const SEARCH = `query ($filter: OrganizationFilter, $first: Int, $after: String) {
  organizations(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id name } } }
}`;

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ node: { id: string; name: string } }>;
}

describe("name search across instances", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      let registry: TestSubgraph;
      let reader: RunningSubgraph;
      before(async () => {
        registry = await startTestSubgraph(organizations, backend);
        reader = await startSubgraph(organizations, registry.config, { port: 0, host: "127.0.0.1" });
      });
      after(async () => {
        await reader.dispose();
        await registry.dispose();
      });

      async function register(name: string, regionCode = "19.06.01"): Promise<string> {
        const { data, errors } = await registry.request<{ registerOrganization: { id: string } }>(REGISTER, { input: { name, kind: "ORMAS", regionCode } }, agencyOf("1", ["19"]));
        assert.equal(errors, undefined, JSON.stringify(errors));
        return data!.registerOrganization.id;
      }

      async function readerSearch(filter: Record<string, unknown>, first: number, after: string | null = null): Promise<Page> {
        const response = await fetch(reader.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...subgraphHeaders(registry.config.subgraphSecret!, null) },
          body: JSON.stringify({ query: SEARCH, variables: { filter, first, after } }),
        });
        const { data, errors } = (await response.json()) as GraphQLResponse<{ organizations: Page }>;
        assert.equal(errors, undefined, JSON.stringify(errors));
        return data!.organizations;
      }

      /** Every page of a search on the reader, two at a time. */
      async function names(filter: Record<string, unknown>): Promise<string[]> {
        const found: string[] = [];
        let after: string | null = null;
        for (;;) {
          const page = await readerSearch(filter, 2, after);
          found.push(...page.edges.map((edge) => edge.node.name));
          if (!page.pageInfo.hasNextPage) return found;
          after = page.pageInfo.endCursor;
        }
      }

      test("names registered through one instance are found through the other at once, in the directory's order", async () => {
        for (const name of ["Forum Damai Gantung", "Forum Pemuda Manggar", "Forum Warga Kelapa Kampit"]) await register(name);
        assert.equal((await readerSearch({ search: "forum" }, 0)).totalCount, 3, "the reader has read the directory");
        // Between, before and after the names it already holds, and two beside each other.
        for (const name of ["Forum Nelayan Dendang", "Forum Nelayan Damar", "Aliansi Forum Simpang Pesak", "Forum Zona Damai", "Forum Damai Gantung"]) {
          await register(name, "19.06.02");
        }
        const bySearch = await names({ search: "forum" });
        assert.equal((await readerSearch({ search: "forum" }, 0)).totalCount, 8);
        assert.deepEqual(bySearch, await names({ search: "forum", kind: "ORMAS" }), "the general query's order, read from the database");
        assert.deepEqual(bySearch, [
          "Aliansi Forum Simpang Pesak",
          "Forum Damai Gantung",
          "Forum Damai Gantung",
          "Forum Nelayan Damar",
          "Forum Nelayan Dendang",
          "Forum Pemuda Manggar",
          "Forum Warga Kelapa Kampit",
          "Forum Zona Damai",
        ]);
      });

      test("a search ignores accents, as the officer types them or not", async () => {
        const id = await register("Yayasan José Peduli Bencana");
        for (const search of ["jose peduli", "JOSÉ", "josé bencana"]) {
          const page = await readerSearch({ search }, 5);
          assert.deepEqual(
            page.edges.map((edge) => edge.node.id),
            [id],
            search,
          );
        }
      });
    });
  }
});
