import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SignJWT } from "jose";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, ormasOf, startTestHub, TestHub } from "../support/hub";

describe("the gateway", () => {
  let hub: TestHub;
  let ids: DemoIds;
  before(async () => {
    hub = await startTestHub();
    ids = await loadDemoStory(hub);
  });
  after(() => hub.dispose());

  const post = (token: string) =>
    fetch(hub.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: "{ organizations(first: 1) { totalCount } }" }),
    });

  test("a forged token is refused with 401, not treated as the public", async () => {
    const forged = await new SignJWT({ sub: "x", role: "AGENCY", org: "1", regions: ["19"] })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("an-attacker-guessed-this-secret-000000"));
    const response = await post(forged);
    assert.equal(response.status, 401);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    assert.equal(body.errors[0].extensions.code, "UNAUTHENTICATED");
  });

  test("an expired token is refused with 401 and says it expired", async () => {
    const expired = await new SignJWT({ sub: "x", role: "AGENCY", org: "1", regions: ["19"] })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(hub.hub.config.jwtSecret!));
    const response = await post(expired);
    assert.equal(response.status, 401);
    assert.match(JSON.stringify(await response.json()), /expired/);
  });

  test("incidentReportsFiled is for agencies and the organization itself", async () => {
    const query = `query ($id: ID!) { organization(id: $id) { incidentReportsFiled { totalCount } } }`;
    const own = await hub.query<{ organization: { incidentReportsFiled: { totalCount: number } } }>(query, { id: ids.org.pemuda }, ormasOf(ids.org.pemuda));
    const agency = await hub.query<{ organization: { incidentReportsFiled: { totalCount: number } } }>(query, { id: ids.org.pemuda }, agencyOf(ids.org.bawaslu));
    const other = await hub.query(query, { id: ids.org.pemuda }, ormasOf(ids.org.gantung));
    assert.ok(own.data!.organization.incidentReportsFiled.totalCount >= 1);
    assert.equal(agency.data!.organization.incidentReportsFiled.totalCount, own.data!.organization.incidentReportsFiled.totalCount);
    assert.equal(other.errors?.[0]?.extensions?.code, "FORBIDDEN");
  });

  test("paging events through the gateway has no overlap and no gap", async () => {
    const all = await hub.query<{ events: { totalCount: number; edges: Array<{ node: { id: string } }> } }>(`{ events(first: 100) { totalCount edges { node { id } } } }`);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { data?: { events: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: Array<{ node: { id: string } }> } } | null } = await hub.query(
        `query ($after: String) { events(first: 1, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } }`,
        { after },
      );
      seen.push(...page.data!.events.edges.map((edge) => edge.node.id));
      if (!page.data!.events.pageInfo.hasNextPage) break;
      after = page.data!.events.pageInfo.endCursor;
    }
    assert.deepEqual(seen, all.data!.events.edges.map((edge) => edge.node.id));
    assert.equal(seen.length, all.data!.events.totalCount);
  });

  test("an unknown id is null, not a crash", async () => {
    const { data, errors } = await hub.query(`{ organization(id: "424242") { name } event(id: "nope") { title } election(id: "99999") { title } }`);
    assert.equal(errors, undefined);
    assert.deepEqual(data, { organization: null, event: null, election: null });
  });

  test("an operationName that names no operation of the document is a clear error, not a 500", async () => {
    const response = await fetch(hub.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "query Directory { organizations(first: 1) { totalCount } }", operationName: "Beltim" }),
    });
    const body = (await response.json()) as { errors?: Array<{ message: string; extensions?: { code?: string } }> };
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.equal(body.errors?.[0]?.message, 'operationName: names no operation of the document ("Beltim"); the document has Directory');
  });

  test("health and readiness answer on the gateway and every subgraph", async () => {
    const base = new URL(hub.url);
    assert.equal((await fetch(new URL("/health", base))).status, 200);
    const ready = (await (await fetch(new URL("/ready", base))).json()) as { status: string; subgraphs: Record<string, { status: string }> };
    assert.equal(ready.status, "ready");
    assert.deepEqual(Object.keys(ready.subgraphs).sort(), ["declarations", "elections", "events", "identity", "incidents", "organizations"]);
    assert.deepEqual(Object.values(ready.subgraphs).map((subgraph) => subgraph.status), ["ready", "ready", "ready", "ready", "ready", "ready"]);
  });

  test("subgraphs refuse requests that do not come from the gateway", async () => {
    const response = await fetch(hub.hub.subgraphs.incidents.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ _service { sdl } }" }),
    });
    assert.equal(response.status, 403);
  });

  // Last: it stops a subgraph.
  test("with the elections subgraph down, the rest of the graph still answers and the gateway stays up", async () => {
    await hub.hub.subgraphs.elections.dispose();
    const { data, errors } = await hub.query<{ event: { title: string; organizer: { name: string }; election: { title: string } | null } }>(
      `query ($id: ID!) { event(id: $id) { title organizer { name } election { title } } }`,
      { id: ids.eventId },
    );
    assert.ok(data?.event.title, "the event still comes back");
    assert.ok(data?.event.organizer.name);
    assert.ok(errors && errors.length > 0, "an error tells what is missing");
    const after = await hub.query<{ organizations: { totalCount: number } }>(`{ organizations(first: 0) { totalCount } }`);
    assert.ok(after.data!.organizations.totalCount > 0);
  });
});
