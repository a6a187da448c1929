import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { organizations } from "../../subgraphs/organizations";
import { agencyOf, backends, ormasOf } from "../support/hub";
import { startTestSubgraph, TestSubgraph } from "../support/subgraph";

const REGISTER = `mutation ($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id name region { code } board { name phone } } }`;
const kesbangpol = agencyOf("1", ["19.06"]);

describe("organizations subgraph", async () => {
 for (const backend of await backends()) {
  describe(`on ${backend}`, () => {
    let subgraph: TestSubgraph;
    const ids: string[] = [];
    before(async () => {
      subgraph = await startTestSubgraph(organizations, backend);
      for (let n = 1; n <= 30; n++) {
        const { data, errors } = await subgraph.request<{ registerOrganization: { id: string } }>(
          REGISTER,
          { input: { name: `Ormas Contoh ${String(n).padStart(2, "0")}`, kind: "ORMAS", regionCode: n % 2 ? "19.06.01" : "19.06.02", board: [{ name: `Ketua ${n}`, position: "Ketua", phone: "+62 812 0000 0000" }] } },
          kesbangpol,
        );
        assert.equal(errors, undefined);
        ids.push(data!.registerOrganization.id);
      }
    });
    after(() => subgraph.dispose());

    test("the region list is loaded on first start: Belitung Timur has its seven districts", async () => {
      const { data } = await subgraph.request<{ region: { name: string; level: string; children: Array<{ name: string }> } }>(
        `{ region(code: "19.06") { name level children { name } } }`,
      );
      assert.equal(data!.region.name, "Kabupaten Belitung Timur");
      assert.equal(data!.region.level, "REGENCY");
      assert.deepEqual(data!.region.children.map((child) => child.name), ["Manggar", "Gantung", "Dendang", "Kelapa Kampit", "Damar", "Simpang Renggiang", "Simpang Pesak"]);
    });

    test("paging the directory by cursor visits every organization once, in name order", async () => {
      const seen: string[] = [];
      let after: string | null = null;
      let total = 0;
      for (;;) {
        const { data }: { data?: { organizations: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: Array<{ node: { name: string } }> } } | null } =
          await subgraph.request(`query ($after: String) { organizations(first: 7, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }`, { after });
        total = data!.organizations.totalCount;
        seen.push(...data!.organizations.edges.map((edge) => edge.node.name));
        if (!data!.organizations.pageInfo.hasNextPage) break;
        after = data!.organizations.pageInfo.endCursor;
      }
      assert.equal(total, 30);
      assert.equal(new Set(seen).size, 30);
      assert.deepEqual(seen, [...seen].sort());
    });

    test("filters: region prefix and free-text search on names", async () => {
      const { data } = await subgraph.request<{ a: { totalCount: number }; b: { totalCount: number }; c: { totalCount: number }; d: { totalCount: number } }>(
        `{ a: organizations(filter: { regionCode: "19.06.01" }) { totalCount }
           b: organizations(filter: { regionCode: "19.06" }) { totalCount }
           c: organizations(filter: { search: "CONTOH 1" }) { totalCount }
           d: organizations(filter: { search: "%" }) { totalCount } }`,
      );
      assert.deepEqual(data, { a: { totalCount: 15 }, b: { totalCount: 30 }, c: { totalCount: 10 }, d: { totalCount: 0 } });
    });

    test("a directory page asked again is one statement, its rows with the list's version; a registration since shows at once", async () => {
      const PAGE = `{ organizations(filter: { regionCode: "19.06.02" }, first: 3) { totalCount edges { node { name } } } }`;
      type Page = { organizations: { totalCount: number; edges: Array<{ node: { name: string } }> } };
      const first = (await subgraph.request<Page>(PAGE)).data!;
      const statementsBefore = subgraph.statements();
      assert.deepEqual((await subgraph.request<Page>(PAGE)).data, first);
      assert.equal(subgraph.statements() - statementsBefore, 1, "the page's rows by id with the list's version: no count, no index walk");
      const registered = await subgraph.request(REGISTER, { input: { name: "Aaa Relawan Gantung", kind: "ORMAS", regionCode: "19.06.02" } }, kesbangpol);
      assert.equal(registered.errors, undefined);
      const after = (await subgraph.request<Page>(PAGE)).data!;
      assert.equal(after.organizations.totalCount, first.organizations.totalCount + 1);
      assert.equal(after.organizations.edges[0].node.name, "Aaa Relawan Gantung");
    });

    test("an officer counting a regency with first: 0 is told there is more to list, the second time too", async () => {
      const COUNT = `{ organizations(filter: { regionCode: "19.06" }, first: 0) { totalCount edges { cursor } pageInfo { hasNextPage } } }`;
      type Counted = { organizations: { totalCount: number; edges: unknown[]; pageInfo: { hasNextPage: boolean } } };
      for (const asked of ["first", "again"]) {
        const { organizations: counted } = (await subgraph.request<Counted>(COUNT)).data!;
        assert.deepEqual(counted.edges, [], asked);
        assert.ok(counted.totalCount > 0, asked);
        assert.equal(counted.pageInfo.hasNextPage, true, asked);
      }
    });

    test("two agencies register the same name at the same moment: one gets it, the other is told it is taken", async () => {
      const input = { name: "Forum Relawan Damai Dendang", kind: "ORMAS", regionCode: "19.06.03" };
      const results = await Promise.all([subgraph.request(REGISTER, { input }, kesbangpol), subgraph.request(REGISTER, { input }, kesbangpol)]);
      const errors = results.map((result) => result.errors?.[0]);
      assert.equal(errors.filter((error) => error === undefined).length, 1, JSON.stringify(errors));
      const refusal = errors.find((error) => error !== undefined)!;
      assert.equal(refusal.extensions?.code, "BAD_USER_INPUT");
      assert.equal(refusal.extensions?.field, "input.name");
      assert.match(refusal.message, /must be unique in its region/);
    });

    test("a batch of 100 entity references costs one SQL statement", async () => {
      const representations = ids.concat(ids, ids, ids).slice(0, 100).map((id, n) => ({ __typename: "Organization", id: n < 99 ? id : "999999" }));
      const before = subgraph.statements();
      const { data } = await subgraph.request<{ _entities: Array<{ name: string } | null> }>(
        `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { name } } }`,
        { r: representations },
      );
      assert.equal(subgraph.statements() - before, 1);
      assert.equal(data!._entities.length, 100);
      assert.equal(data!._entities[99], null, "an unknown id resolves to null");
    });

    test("board phones are for agencies and the organization itself; the public sees no board", async () => {
      const query = `query ($id: ID!) { organization(id: $id) { board { name phone } } }`;
      const own = await subgraph.request<{ organization: { board: Array<{ phone: string | null }> } }>(query, { id: ids[0] }, ormasOf(ids[0]));
      const other = await subgraph.request<{ organization: { board: Array<{ phone: string | null }> } }>(query, { id: ids[0] }, ormasOf(ids[1]));
      const publicView = await subgraph.request<{ organization: { board: unknown[] } }>(query, { id: ids[0] });
      assert.equal(own.data!.organization.board[0].phone, "+62 812 0000 0000");
      assert.equal(other.data!.organization.board[0].phone, null);
      assert.deepEqual(publicView.data!.organization.board, []);
    });

    test("a refused registration names the field and stores nothing", async () => {
      const count = async () => (await subgraph.request<{ organizations: { totalCount: number } }>(`{ organizations { totalCount } }`)).data!.organizations.totalCount;
      const before = await count();
      for (const [input, field] of [
        [{ name: " ", kind: "ORMAS", regionCode: "19.06" }, "input.name"],
        [{ name: "X", kind: "ORMAS", regionCode: "19.05" }, "input.regionCode"],
        [{ name: "X", kind: "AGENCY", regionCode: "19.06" }, "input.agencyType"],
        [{ name: "X", kind: "ORMAS", regionCode: "19.06", board: [{ name: "A", position: "Ketua", phone: "call me" }] }, "input.board[0].phone"],
        [{ name: "Ormas Contoh 01", kind: "ORMAS", regionCode: "19.06.01" }, "input.name"],
      ] as const) {
        const { errors } = await subgraph.request(REGISTER, { input }, kesbangpol);
        // A region outside the token's regions is an authorization refusal; it still names the field.
        const expectedCode = input.regionCode === "19.05" ? "FORBIDDEN" : "BAD_USER_INPUT";
        assert.equal(errors?.[0].extensions?.code, expectedCode, JSON.stringify(input));
        assert.equal(errors?.[0].extensions?.field, field);
      }
      assert.equal(await count(), before);
    });

    test("only agencies register organizations", async () => {
      const { errors } = await subgraph.request(REGISTER, { input: { name: "Ormas Baru", kind: "ORMAS", regionCode: "19.06" } }, ormasOf(ids[0]));
      assert.equal(errors?.[0].extensions?.code, "FORBIDDEN");
    });
  });
}
});
