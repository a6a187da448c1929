import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { organizations } from "../../subgraphs/organizations";
import { RunningSubgraph, startSubgraph } from "../../subgraphs/kit/subgraph";
import type { OrganizationsState } from "../../subgraphs/organizations/state";
import { subgraphHeaders } from "../../caller/claims";
import { GraphQLResponse } from "../../platform/graphql-fetch";
import { agencyOf, backends } from "../support/hub";
import { ORGANIZATIONS_PAGE, OrganizationsPage, REGISTER_ORGANIZATION } from "../support/directory";
import { startTestSubgraph, TestSubgraph } from "../support/subgraph";

/*
 * Name search reads the directory's names from memory (organizations/name-index.ts), one copy per
 * instance of the subgraph. Kesbangpol registers through one instance while a Bawaslu officer searches
 * through another: the second must see the new names at once, in the database's name order.
 */


describe("name search across instances", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      let registry: TestSubgraph;
      let reader: RunningSubgraph<OrganizationsState>;
      before(async () => {
        registry = await startTestSubgraph(organizations, backend);
        reader = await startSubgraph(organizations, registry.config, { port: 0, host: "127.0.0.1" });
      });
      after(async () => {
        await reader.dispose();
        await registry.dispose();
      });

      async function register(name: string, regionCode = "19.06.01"): Promise<string> {
        const { data, errors } = await registry.request<{ registerOrganization: { id: string } }>(REGISTER_ORGANIZATION, { input: { name, kind: "ORMAS", regionCode } }, agencyOf("1", ["19"]));
        assert.equal(errors, undefined, JSON.stringify(errors));
        return data!.registerOrganization.id;
      }

      async function readerSearch(filter: Record<string, unknown>, first: number, after: string | null = null): Promise<OrganizationsPage> {
        const response = await fetch(reader.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...subgraphHeaders(registry.config.subgraphSecret!, null) },
          body: JSON.stringify({ query: ORGANIZATIONS_PAGE, variables: { filter, first, after } }),
        });
        const { data, errors } = (await response.json()) as GraphQLResponse<{ organizations: OrganizationsPage }>;
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

      test("a cursor the registering instance handed out pages on through the other, before it has read the new names", async () => {
        await register("Relawan Damai Dendang", "19.06.03");
        assert.equal((await readerSearch({ search: "relawan" }, 0)).totalCount, 1, "the reader has read the directory");
        const newer = await register("Relawan Damar Timur", "19.06.03");
        await register("Relawan Dukong Jaya", "19.06.03");
        const { data } = await registry.request<{ organizations: OrganizationsPage }>(ORGANIZATIONS_PAGE, { filter: { search: "relawan" }, first: 2 });
        assert.deepEqual(data!.organizations.edges.map((edge) => edge.node.id).slice(-1), [newer], "the registry's first page ends at the newer name");
        const next = await readerSearch({ search: "relawan" }, 2, data!.organizations.pageInfo.endCursor);
        assert.deepEqual(next.edges.map((edge) => edge.node.name), ["Relawan Dukong Jaya"]);
      });

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

      test("a name with two spellings MySQL's collation calls equal is registered, and found by either", async () => {
        const id = await register("Paguyuban Straße Strasse Kelapa");
        for (const search of ["strasse kelapa", "straße"]) {
          assert.deepEqual(
            (await readerSearch({ search }, 5)).edges.map((edge) => edge.node.id),
            [id],
            search,
          );
        }
        const general = await readerSearch({ search: "paguyuban kelapa", kind: "ORMAS" }, 5);
        assert.deepEqual(general.edges.map((edge) => edge.node.id), [id], "its words are in the token table too");
      });

      test("a bulk registration larger than a catch-up takes is found too: the reader loads the names again", async () => {
        const names = Array.from({ length: 120 }, (_, n) => `Relawan Pemantau TPS ${String(n).padStart(3, "0")}`);
        const ids = [];
        for (const name of names) ids.push(await register(name, "19.06.03"));
        const page = await readerSearch({ search: "pemantau tps", regionCode: "19.06.03" }, 100);
        assert.equal(page.totalCount, 120);
        assert.deepEqual(
          page.edges.map((edge) => edge.node.id),
          ids.slice(0, 100),
        );
      });

      test("a catch-up that fails (the database away for a moment) keeps the names, and the next search catches up from them", async () => {
        const db = reader.db;
        const { directory, names } = reader.state!;
        const before = await names.at((await directory.at()).version);
        const id = await register("Forum Pemantau Sementara");
        const version = (await directory.at()).version;
        const query = db.query.bind(db);
        db.query = (async () => {
          throw new Error("connection lost");
        }) as typeof db.query;
        try {
          await assert.rejects(names.at(version), /connection lost/);
        } finally {
          db.query = query;
        }
        const after = await names.at(version);
        assert.equal(after, before, "caught up in place, not loaded again");
        assert.equal(after.slotOf(Number(id)) !== undefined, true);
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
