import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { nameTokens } from "../../subgraphs/kit/filters";
import { organizations } from "../../subgraphs/organizations";
import { FoldedSearchTokens1736000000001 } from "../../subgraphs/organizations/migrations";
import { MAX_TOKENS_PER_WORD } from "../../subgraphs/organizations/search";
import { agencyOf, backends } from "../support/hub";
import { ORGANIZATIONS_PAGE, OrganizationsPage, REGISTER_ORGANIZATION } from "../support/directory";
import { startTestSubgraph, TestSubgraph } from "../support/subgraph";

/*
 * Name search answered from the names in memory (subgraphs/organizations/search.ts) against two references:
 * the rule itself, written here over the registered names (every word of the search begins a word of the
 * name, any order), and the general query the resolver uses when a kind filter is present, which pages the
 * same organizations in the same order. Every search is paged two at a time, so merging several tokens'
 * ranges, cursors and hasNextPage are exercised as well as the first page.
 */


/** Wide: more tokens begin "ka" than a word may begin and still be walked token by token. */
const WIDE = Array.from({ length: MAX_TOKENS_PER_WORD + 2 }, (_, n) => `Ka${String.fromCharCode(97 + n)}`);

const NAMES: Array<[string, string]> = [
  ["Forum Pemuda Peduli Manggar", "19.06.01"],
  ["Forum Pemuda Peduli Manggar", "19.06.02"], // the same name in another region: ordered by id
  ["Forum Nelayan Bersatu Manggar", "19.06.01"],
  ["Ikatan Nelayan Forum Gantung", "19.06.02"],
  ["Perkumpulan Pemuda Pemudi Sejahtera", "19.06.01"], // two words beginning "pemud": listed and counted once
  ["Yayasan Lumara Damai", "19.06.01"],
  ["Yayasan Lumari Jaya", "19.06.02"],
  ["Komunitas Lumbung Pangan", "19.01"],
  ["Forum Informasi Warga", "19.06.01"], // "form" is inside "informasi" but begins no word of it...
  ["Formasi Baru", "19.06.02"], // ...while it begins one here
  ["Gerakan Anti-Hoaks (GAH) Manggar", "19.06.01"],
  ["Relawan 2024 Damai", "19.01"],
  ...WIDE.map((word, n): [string, string] => [`Laskar ${word}${n % 3 === 0 ? " Pemuda" : ""}`, n % 2 ? "19.06.01" : "19.01"]),
];

const SEARCHES = [
  "pemuda", "PEMUDA", "pemud", "pemudi", "forum nelayan", "nelayan forum", "for forum", "lum", "luma", "lumara",
  "ka", "ka pemuda", "pemuda ka", "nelayan ka", "kab", "warga form", "form", "warga", "anti hoaks", "gah", "2024", "zzz", "forum zzz", "f", "manggar peduli",
];
const REGIONS = [undefined, "19.06", "19.06.01", "19.01"];

describe("name search", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      let subgraph: TestSubgraph;
      const registered: Array<{ id: string; name: string; region: string }> = [];
      before(async () => {
        subgraph = await startTestSubgraph(organizations, backend);
        for (const [name, region] of NAMES) {
          const { data, errors } = await subgraph.request<{ registerOrganization: { id: string } }>(
            REGISTER_ORGANIZATION,
            { input: { name, kind: "ORMAS", regionCode: region } },
            agencyOf("1", ["19"]),
          );
          assert.equal(errors, undefined, name);
          registered.push({ id: data!.registerOrganization.id, name, region });
        }
      });
      after(() => subgraph.dispose());

      /** Every page of a search, two at a time; checks each page's totalCount and hasNextPage. */
      async function allPages(filter: Record<string, unknown>): Promise<{ ids: string[]; totalCount: number }> {
        const ids: string[] = [];
        let after: string | null = null;
        let totalCount = -1;
        for (let pages = 0; pages < 50; pages++) {
          const response: { data?: { organizations: OrganizationsPage } | null; errors?: unknown } = await subgraph.request(ORGANIZATIONS_PAGE, { filter, first: 2, after });
          assert.equal(response.errors, undefined, JSON.stringify(response.errors));
          const page = response.data!.organizations;
          if (totalCount >= 0) assert.equal(page.totalCount, totalCount, "totalCount is the same on every page");
          totalCount = page.totalCount;
          ids.push(...page.edges.map((edge) => edge.node.id));
          if (!page.pageInfo.hasNextPage) return { ids, totalCount };
          assert.equal(page.edges.length, 2, "a page before the last is full");
          after = page.pageInfo.endCursor;
        }
        throw new Error("more than 50 pages");
      }

      /** The rule: every word of the search begins a word of the name, in any order; and the region prefix. */
      function expected(search: string, region: string | undefined): string[] {
        const words = nameTokens(search);
        return registered
          .filter((org) => region === undefined || org.region === region || org.region.startsWith(`${region}.`))
          .filter((org) => words.length > 0 && words.every((word) => nameTokens(org.name).some((token) => token.startsWith(word))))
          .map((org) => org.id);
      }

      for (const region of REGIONS) {
        test(`every search${region ? ` in ${region}` : ""}: the rule's organizations, once each, in the general query's order`, async () => {
          for (const search of SEARCHES) {
            const label = `"${search}"${region ? ` in ${region}` : ""}`;
            const byToken = await allPages({ search, regionCode: region });
            const general = await allPages({ search, regionCode: region, kind: "ORMAS" });
            const rule = expected(search, region);
            assert.equal(new Set(byToken.ids).size, byToken.ids.length, `${label}: no organization twice`);
            assert.deepEqual([...byToken.ids].sort(), [...rule].sort(), `${label}: the rule's organizations`);
            assert.equal(byToken.totalCount, rule.length, `${label}: totalCount`);
            assert.deepEqual(byToken.ids, general.ids, `${label}: the general query's order`);
            assert.equal(general.totalCount, rule.length, `${label}: the general query's totalCount`);
          }
        });
      }

      test("first: 0 counts without listing; a search of punctuation matches nothing", async () => {
        const counted = await subgraph.request<{ organizations: OrganizationsPage }>(ORGANIZATIONS_PAGE, { filter: { search: "pemuda" }, first: 0 });
        assert.deepEqual(counted.data!.organizations.edges, []);
        assert.equal(counted.data!.organizations.totalCount, expected("pemuda", undefined).length);
        assert.equal(counted.data!.organizations.pageInfo.hasNextPage, true);
        const nothing = await subgraph.request<{ organizations: OrganizationsPage }>(ORGANIZATIONS_PAGE, { filter: { search: "% _" }, first: 5 });
        assert.equal(nothing.data!.organizations.totalCount, 0);
      });

      test("a search asked again is one statement: the page's rows with the directory's version", async () => {
        const filter = { search: "forum", regionCode: "19.06" };
        const first = await subgraph.request<{ organizations: OrganizationsPage }>(ORGANIZATIONS_PAGE, { filter, first: 2 });
        const before = subgraph.statements();
        const again = await subgraph.request<{ organizations: OrganizationsPage }>(ORGANIZATIONS_PAGE, { filter, first: 2 });
        assert.equal(subgraph.statements() - before, 1);
        assert.deepEqual(again.data, first.data);
      });

      test("a cursor from another list is refused, naming the argument", async () => {
        const { errors } = await subgraph.request(ORGANIZATIONS_PAGE, { filter: { search: "pemuda" }, first: 2, after: "bm90IGEgY3Vyc29y" });
        assert.equal(errors?.[0].extensions?.field, "after");
      });

      test("a new organization is found at once, by any word of its name", async () => {
        const { data } = await subgraph.request<{ registerOrganization: { id: string } }>(
          REGISTER_ORGANIZATION,
          { input: { name: "Paguyuban Penjaga Pantai Dendang", kind: "LSM", regionCode: "19.06.03" } },
          agencyOf("1", ["19"]),
        );
        const found = await subgraph.request<{ organizations: OrganizationsPage }>(ORGANIZATIONS_PAGE, { filter: { search: "pantai penj", regionCode: "19.06" } });
        assert.deepEqual(found.data!.organizations.edges.map((edge) => edge.node.id), [data!.registerOrganization.id]);
      });
    });
  }
});

describe("one search semantics on every path: accents and ß are folded alone and with any filter", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      let subgraph: TestSubgraph;
      const ids: Record<string, string> = {};
      before(async () => {
        subgraph = await startTestSubgraph(organizations, backend);
        for (const [name, region] of [
          ["Yayasan José Peduli Bencana", "19.06.01"],
          ["Paguyuban Straße Damai", "19.06.02"],
          ["Forum Jose Nelayan", "19.06.01"],
        ]) {
          const { data, errors } = await subgraph.request<{ registerOrganization: { id: string } }>(REGISTER_ORGANIZATION, { input: { name, kind: "ORMAS", regionCode: region } }, agencyOf("1", ["19"]));
          assert.equal(errors, undefined, name);
          ids[name] = data!.registerOrganization.id;
        }
      });
      after(() => subgraph.dispose());

      // Alone and with a region: the names in memory. With kind or status: the token table in SQL.
      const PATHS: Array<[string, Record<string, string>]> = [
        ["alone", {}],
        ["with a region", { regionCode: "19.06" }],
        ["with a kind", { kind: "ORMAS" }],
        ["with a status", { status: "ACTIVE" }],
        ["with a kind and a region", { kind: "ORMAS", regionCode: "19.06" }],
      ];
      const EXPECTED: Array<[string, string[]]> = [
        ["jose", ["Forum Jose Nelayan", "Yayasan José Peduli Bencana"]],
        ["JOSÉ peduli", ["Yayasan José Peduli Bencana"]],
        ["strasse", ["Paguyuban Straße Damai"]],
        ["STRASSE damai", ["Paguyuban Straße Damai"]],
        ["straße", ["Paguyuban Straße Damai"]],
      ];
      test("a directory written before tokens were folded is folded by its migration, and found with a filter", async () => {
        const writer = subgraph.running.storage.writer;
        const name = "Lembaga Müller Peduli";
        const [{ id }] = (await writer.query("SELECT COALESCE(MAX(id), 0) + 1 AS id FROM organizations")) as Array<{ id: number }>;
        await writer.query("INSERT INTO organizations (id, name, nameKey, kind, regionCode, status, registeredAt) VALUES (?, ?, ?, 'ORMAS', '19.06.01', 'ACTIVE', ?)", [Number(id), name, name.toLowerCase(), new Date().toISOString()]);
        for (const token of nameTokens(name)) {
          await writer.query("INSERT INTO organization_search_tokens (token, nameKey, organizationId, regionCode) VALUES (?, ?, ?, '19.06.01')", [token, name.toLowerCase(), Number(id)]);
        }
        await writer.query("UPDATE list_versions SET version = version + 1 WHERE list = 'organizations'");
        const runner = writer.createQueryRunner();
        try {
          await new FoldedSearchTokens1736000000001().up(runner);
        } finally {
          await runner.release();
        }
        const { data } = await subgraph.request<{ organizations: OrganizationsPage }>(ORGANIZATIONS_PAGE, { filter: { search: "muller", kind: "ORMAS" }, first: 10 });
        assert.deepEqual(data!.organizations.edges.map((edge) => edge.node.name), [name]);
      });

      for (const [path, filter] of PATHS) {
        test(`an officer typing with or without accents finds the same organizations, ${path}`, async () => {
          for (const [search, names] of EXPECTED) {
            const { data, errors } = await subgraph.request<{ organizations: OrganizationsPage }>(ORGANIZATIONS_PAGE, { filter: { ...filter, search }, first: 10 });
            assert.equal(errors, undefined);
            assert.deepEqual(data!.organizations.edges.map((edge) => edge.node.id).sort(), names.map((name) => ids[name]).sort(), `"${search}" ${path}`);
            assert.equal(data!.organizations.totalCount, names.length, `"${search}" ${path}: count`);
          }
        });
      }
    });
  }
});
