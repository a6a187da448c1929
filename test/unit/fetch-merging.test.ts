import assert from "node:assert/strict";
import { describe, test } from "node:test";
// Not exported from the package root; the enum the data source compares `kind` with.
import { GraphQLDataSourceRequestKind } from "@apollo/gateway/dist/datasources/types";
import type { GatewayGraphQLRequestContext } from "@apollo/server-gateway-interface";
import type { Fetcher, FetcherRequestInit } from "@apollo/utils.fetcher";
import { Caller, CALLER_HEADER, subgraphHeaders } from "../../caller/claims";
import { DISCLOSED_EXTENSION } from "../../caller/disclosures";
import { Reads, READS_EXTENSION } from "../../caller/reads";
import { ReadResponse } from "../../platform/http-pool";
import { mergeInFlight } from "../../gateway/fetch-merging";
import { GatewayContext, SubgraphClient } from "../../gateway/subgraph-client";

/*
 * Identical subgraph fetches in flight at the same moment are sent once (gateway/fetch-merging.ts), through the
 * gateway's SubgraphClient. The subgraph here answers only when the test says so, so whether two requests
 * overlap is the test's choice, not the clock's.
 */

interface Held {
  init: FetcherRequestInit;
  answer(data: Record<string, unknown> | null, extensions?: Record<string, unknown>): void;
  fail(error: Error): void;
}

/** A subgraph that holds every request until the test answers it. */
class HeldSubgraph {
  readonly requests: Held[] = [];
  readonly fetcher: Fetcher = (_url, init = {}) =>
    new Promise((resolve, reject) => {
      this.requests.push({
        init,
        answer: (data, extensions) => resolve(new ReadResponse("http://subgraph.test/graphql", 200, new Headers({ "content-type": "application/json" }), JSON.stringify({ data, extensions }))),
        fail: reject,
      });
    });

  /** The callers of the requests received so far, by subject. */
  subjects(): string[] {
    return this.requests.map(({ init }) => (JSON.parse(init.headers?.[CALLER_HEADER] ?? "{}") as { sub?: string }).sub ?? "public");
  }
}

const SECRET = "s".repeat(32);
const DIRECTORY = `query Directory__organizations__0 { organizations(filter: { regionCode: "19.06" }) { totalCount } }`;
const INCIDENTS = `query Incidents__incidents__0 { incidentReports(first: 20) { totalCount edges { node { id reporter { id } } } } }`;
const ME = `query Me__identity__0 { me { id } }`;
const SIGN = `mutation Sign__declarations__0 { signDeclaration(declarationId: "1", organizationId: "2", signedBy: "Ketua") { signatoryCount } }`;

const officer = (sub: string, regions = ["19.06"]): Caller => ({ sub, role: "AGENCY", org: "2", regions, scopes: [] });

/** Bawaslu Belitung Timur's officers: two with the same rights, one covering Manggar only. */
const ani = officer("officer-ani");
const budi = officer("officer-budi");
const citra = officer("officer-citra", ["19.06.01"]);

const settle = () => new Promise((resolve) => setImmediate(resolve));

function client(subgraph: HeldSubgraph, mergeFetches?: boolean): SubgraphClient {
  return new SubgraphClient("http://subgraph.test/graphql", SECRET, { name: "organizations", fetcher: subgraph.fetcher, metrics: false, mergeFetches });
}

/** One request's fetch, as the gateway's executor sends it; resolves with the answer and the request's context. */
async function fetchAs(source: SubgraphClient, query: string, caller: Caller | null) {
  const context: GatewayContext = { caller };
  const response = await source.process({
    kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
    request: { query, variables: {} },
    context,
    incomingRequestContext: {} as GatewayGraphQLRequestContext<GatewayContext>,
  });
  return { response, context };
}

/** An answer stating what it read of the caller, as the subgraph kit states it. */
const reading = (reads: Reads, more: Record<string, unknown> = {}) => ({ [READS_EXTENSION]: reads, ...more });

describe("identical subgraph fetches in flight are sent once", () => {
  test("two officers of Bawaslu Belitung Timur with the same rights open the directory at once: one fetch, both answered", async () => {
    const subgraph = new HeldSubgraph();
    const source = client(subgraph);
    const both = Promise.all([fetchAs(source, DIRECTORY, ani), fetchAs(source, DIRECTORY, budi)]);
    await settle();
    assert.deepEqual(subgraph.subjects(), ["officer-ani"]);
    subgraph.requests[0].answer({ organizations: { totalCount: 7 } }, reading("public"));
    const [anis, budis] = await both;
    assert.deepEqual(anis.response.data, { organizations: { totalCount: 7 } });
    assert.deepEqual(budis.response.data, anis.response.data);
    assert.equal(budis.context.reads, "public");
    // What the subgraph read is the gateway's business: the client never sees the statement.
    assert.equal(budis.response.extensions?.[READS_EXTENSION], undefined);
  });

  test("an officer covering other regions never shares the fetch: hers is sent with her own rights", async () => {
    const subgraph = new HeldSubgraph();
    const source = client(subgraph);
    const both = Promise.all([fetchAs(source, INCIDENTS, ani), fetchAs(source, INCIDENTS, citra)]);
    await settle();
    assert.deepEqual(subgraph.subjects(), ["officer-ani", "officer-citra"]);
    subgraph.requests[0].answer({ incidentReports: { totalCount: 3, edges: [] } }, reading("rights"));
    subgraph.requests[1].answer({ incidentReports: { totalCount: 1, edges: [] } }, reading("rights"));
    const [, citras] = await both;
    assert.deepEqual(citras.response.data, { incidentReports: { totalCount: 1, edges: [] } });
  });

  test("an answer naming a reporter, shown on rights alone, reaches a colleague with the same rights from one fetch, each delivery audited for its own caller", async () => {
    const subgraph = new HeldSubgraph();
    const source = client(subgraph);
    const both = Promise.all([fetchAs(source, INCIDENTS, ani), fetchAs(source, INCIDENTS, budi)]);
    await settle();
    const named = { incidentReports: { totalCount: 1, edges: [{ node: { id: "9", reporter: { id: "5" } } }] } };
    subgraph.requests[0].answer(named, reading("rights", { [DISCLOSED_EXTENSION]: [{ reportId: "9", regionCode: "19.06.01" }] }));
    const [anis, budis] = await both;
    assert.deepEqual(subgraph.subjects(), ["officer-ani"]);
    assert.deepEqual(budis.response.data, named);
    // The disclosure travels with the answer into each request, whose audit records its own caller.
    assert.deepEqual(anis.context.disclosed, [{ reportId: "9", regionCode: "19.06.01" }]);
    assert.deepEqual(budis.context.disclosed, [{ reportId: "9", regionCode: "19.06.01" }]);
  });

  test("an answer naming a reporter that the subgraph chose by the person never reaches a colleague", async () => {
    const subgraph = new HeldSubgraph();
    const source = client(subgraph);
    const both = Promise.all([fetchAs(source, INCIDENTS, ani), fetchAs(source, INCIDENTS, budi)]);
    await settle();
    const named = { incidentReports: { totalCount: 1, edges: [{ node: { id: "9", reporter: { id: "5" } } }] } };
    subgraph.requests[0].answer(named, reading("person", { [DISCLOSED_EXTENSION]: [{ reportId: "9", regionCode: "19.06.01" }] }));
    await settle();
    assert.deepEqual(subgraph.subjects(), ["officer-ani", "officer-budi"]);
    subgraph.requests[1].answer({ incidentReports: { totalCount: 0, edges: [] } }, reading("person"));
    const [, budis] = await both;
    assert.deepEqual(budis.response.data, { incidentReports: { totalCount: 0, edges: [] } });
    assert.equal(budis.context.disclosed, undefined);
  });

  test("`me` read the person: another officer with the same rights gets her own account, the same officer's second tab shares", async () => {
    const subgraph = new HeldSubgraph();
    const source = client(subgraph);
    const all = Promise.all([fetchAs(source, ME, ani), fetchAs(source, ME, budi), fetchAs(source, ME, ani)]);
    await settle();
    assert.equal(subgraph.requests.length, 1);
    subgraph.requests[0].answer({ me: { id: "ani" } }, reading("person"));
    await settle();
    assert.deepEqual(subgraph.subjects(), ["officer-ani", "officer-budi"]);
    subgraph.requests[1].answer({ me: { id: "budi" } }, reading("person"));
    const [anis, budis, anisAgain] = await all;
    assert.deepEqual([anis.response.data, budis.response.data, anisAgain.response.data], [{ me: { id: "ani" } }, { me: { id: "budi" } }, { me: { id: "ani" } }]);
  });

  test("an answer that does not say what it read counts as the person's", async () => {
    const subgraph = new HeldSubgraph();
    const source = client(subgraph);
    const both = Promise.all([fetchAs(source, DIRECTORY, ani), fetchAs(source, DIRECTORY, budi)]);
    await settle();
    subgraph.requests[0].answer({ organizations: { totalCount: 7 } });
    await settle();
    assert.equal(subgraph.requests.length, 2);
    subgraph.requests[1].answer({ organizations: { totalCount: 7 } });
    const [anis] = await both;
    assert.equal(anis.context.reads, "person");
  });

  test("two identical signatures are never merged: each is sent", async () => {
    const subgraph = new HeldSubgraph();
    const source = client(subgraph);
    const both = Promise.all([fetchAs(source, SIGN, ani), fetchAs(source, SIGN, ani)]);
    await settle();
    assert.equal(subgraph.requests.length, 2);
    for (const request of subgraph.requests) request.answer({ signDeclaration: { signatoryCount: 4 } }, reading("person"));
    await both;
  });

  test("a read that starts after a write landed never joins a fetch begun before it", async () => {
    const subgraph = new HeldSubgraph();
    const source = client(subgraph);
    const before = fetchAs(source, DIRECTORY, ani);
    const write = fetchAs(source, SIGN, citra);
    await settle();
    subgraph.requests[1].answer({ signDeclaration: { signatoryCount: 4 } }, reading("person"));
    await write;
    const afterWrite = fetchAs(source, DIRECTORY, budi);
    await settle();
    assert.deepEqual(subgraph.subjects(), ["officer-ani", "officer-citra", "officer-budi"]);
    subgraph.requests[0].answer({ organizations: { totalCount: 7 } }, reading("public"));
    subgraph.requests[2].answer({ organizations: { totalCount: 8 } }, reading("public"));
    assert.deepEqual((await afterWrite).response.data, { organizations: { totalCount: 8 } });
    await before;
  });

  test("when the leader's connection is reset, a follower is not failed with it: it sends its own fetch", async () => {
    const subgraph = new HeldSubgraph();
    const source = client(subgraph);
    const anis = fetchAs(source, DIRECTORY, ani);
    const budis = fetchAs(source, DIRECTORY, budi);
    await settle();
    subgraph.requests[0].fail(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
    await assert.rejects(anis, /went away before answering/);
    await settle();
    assert.equal(subgraph.requests.length, 2);
    subgraph.requests[1].answer({ organizations: { totalCount: 7 } }, reading("public"));
    assert.deepEqual((await budis).response.data, { organizations: { totalCount: 7 } });
  });

  test("turned off (mergeFetches: false), every fetch is sent", async () => {
    const subgraph = new HeldSubgraph();
    const source = client(subgraph, false);
    const both = Promise.all([fetchAs(source, DIRECTORY, ani), fetchAs(source, DIRECTORY, budi)]);
    await settle();
    assert.equal(subgraph.requests.length, 2);
    for (const request of subgraph.requests) request.answer({ organizations: { totalCount: 7 } }, reading("public"));
    await both;
  });

  test("two officers' identical batches of the Manggar look-ups go once; a batch holding one answer read by the person goes only to that person", async () => {
    const batchAs = (caller: Caller) => ({ method: "POST", headers: subgraphHeaders(SECRET, caller), body: JSON.stringify([{ query: DIRECTORY }, { query: ME }]) });
    const held: Array<(answers: unknown[]) => void> = [];
    const merging = mergeInFlight(
      () => new Promise((resolve) => held.push((answers) => resolve(new ReadResponse("http://subgraph.test/graphql", 200, new Headers(), JSON.stringify(answers))))),
    );
    const publicOnly = Promise.all([merging.fetcher("http://subgraph.test/graphql", batchAs(ani)), merging.fetcher("http://subgraph.test/graphql", batchAs(budi))]);
    await settle();
    assert.equal(held.length, 1);
    held[0]([{ data: {}, extensions: reading("public") }, { data: {}, extensions: reading("rights") }]);
    await publicOnly;
    assert.equal(held.length, 1, "the colleague took the batch's answers");

    const personal = Promise.all([merging.fetcher("http://subgraph.test/graphql", batchAs(ani)), merging.fetcher("http://subgraph.test/graphql", batchAs(budi))]);
    await settle();
    held[1]([{ data: {}, extensions: reading("public") }, { data: { me: { id: "ani" } }, extensions: reading("person") }]);
    await settle();
    assert.equal(held.length, 3, "the colleague asks for her own");
    held[2]([{ data: {}, extensions: reading("public") }, { data: { me: { id: "budi" } }, extensions: reading("person") }]);
    const [, budis] = await personal;
    assert.deepEqual(((await budis.json()) as Array<{ data: unknown }>)[1].data, { me: { id: "budi" } });
  });
});
