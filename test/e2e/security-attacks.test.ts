import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import { SignJWT } from "jose";
import { SECRET_HEADER, CALLER_HEADER } from "../../caller/claims";
import { SUBGRAPH_NAMES } from "../../platform/config";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, backends, startTestHub, TestHub } from "../support/hub";

/*
 * The attacks auditors send (graphql-cop, the OWASP GraphQL cheat sheet). Each test sends one, asserts the
 * refusal, then that the hub still answers and lost no data.
 */

interface ErrorBody {
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  data?: unknown;
}

/** What the hub holds, counted through the API: an attack must leave it unchanged. */
async function snapshot(hub: TestHub, ids: DemoIds): Promise<Record<string, number>> {
  const { data, errors } = await hub.query<{
    organizations: { totalCount: number };
    events: { totalCount: number };
    declarations: { totalCount: number };
    incidentReports: { totalCount: number };
    declaration: { signatoryCount: number };
  }>(
    `query ($d: ID!) { organizations(first: 0) { totalCount } events(first: 0) { totalCount } declarations(first: 0) { totalCount }
      incidentReports(first: 0) { totalCount } declaration(id: $d) { signatoryCount } }`,
    { d: ids.declarationId },
    agencyOf(ids.org.bawaslu),
  );
  assert.equal(errors, undefined, "the hub answers an ordinary query");
  return {
    organizations: data!.organizations.totalCount,
    events: data!.events.totalCount,
    declarations: data!.declarations.totalCount,
    incidentReports: data!.incidentReports.totalCount,
    signatures: data!.declaration.signatoryCount,
  };
}

describe("attacks on the gateway", () => {
  let hub: TestHub;
  let ids: DemoIds;
  let baseline: Record<string, number>;
  let agencyToken: string;

  before(async () => {
    hub = await startTestHub();
    ids = await loadDemoStory(hub);
    baseline = await snapshot(hub, ids);
    agencyToken = await hub.token(agencyOf(ids.org.kesbangpol));
  });
  after(() => hub.dispose());

  /** After every attack: the hub answers and holds exactly what it held. */
  async function assertUnharmed(): Promise<void> {
    assert.deepEqual(await snapshot(hub, ids), baseline);
  }

  const postJson = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(hub.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

  async function refusal(response: Response): Promise<{ status: number; body: ErrorBody; text: string }> {
    const text = await response.text();
    let body: ErrorBody = {};
    try {
      body = JSON.parse(text) as ErrorBody;
    } catch {
      // some refusals are plain text
    }
    return { status: response.status, body, text };
  }

  const registerMutation = `mutation { registerOrganization(input: { name: "Ormas Siluman", kind: ORMAS, regionCode: "19.06.01" }) { id } }`;

  test("an alias flood of a costly field is refused before any subgraph runs it", async () => {
    const flood = `{ ${Array.from({ length: 40 }, (_, i) => `o${i}: organizations(first: 100) { totalCount }`).join(" ")} }`;
    const { status, body } = await refusal(await postJson({ query: flood }));
    assert.equal(status, 400);
    assert.equal(body.data, undefined);
    assert.ok(body.errors!.some((error) => error.extensions?.limit === "aliases"), JSON.stringify(body.errors));
    await assertUnharmed();
  });

  test("aliasing __typename is no exemption: 100 aliases of it are refused", async () => {
    const flood = `{ ${Array.from({ length: 100 }, (_, i) => `t${i}: __typename`).join(" ")} }`;
    const { status, body } = await refusal(await postJson({ query: flood }));
    assert.equal(status, 400);
    assert.ok(body.errors!.some((error) => error.extensions?.limit === "aliases"));
    await assertUnharmed();
  });

  test("field duplication (one field 3,000 times) stops at the token limit", async () => {
    const { status, body } = await refusal(await postJson({ query: `{ organizations { ${"totalCount ".repeat(3000)} } }` }));
    assert.equal(status, 400);
    assert.equal(body.errors![0].extensions?.code, "GRAPHQL_PARSE_FAILED");
    assert.match(body.errors![0].message, /1000 tokens/);
    await assertUnharmed();
  });

  test("deep nesting through Region.parent is refused by the depth limit", async () => {
    const deep = `{ region(code: "19.06.01") { ${"parent { ".repeat(15)}name${" }".repeat(15)} } }`;
    const { status, body } = await refusal(await postJson({ query: deep }));
    assert.equal(status, 400);
    assert.ok(body.errors!.some((error) => error.extensions?.limit === "depth"));
    await assertUnharmed();
  });

  test("circular fragments are refused, and the limit rules do not loop on them", async () => {
    const cycle = `query { ...A } fragment A on Query { organizations { totalCount } ...B } fragment B on Query { ...A }`;
    const { status, body } = await refusal(await postJson({ query: cycle }));
    assert.equal(status, 400);
    assert.match(JSON.stringify(body.errors), /Cannot spread fragment \\"A\\" within itself/);
    await assertUnharmed();
  });

  test("a directive flood is refused by the directive limit", async () => {
    const flood = `{ __typename ${"@include(if: true) ".repeat(60)} }`;
    const { status, body } = await refusal(await postJson({ query: flood }));
    assert.equal(status, 400);
    assert.ok(body.errors!.some((error) => error.extensions?.limit === "directives"));
    await assertUnharmed();
  });

  test("batched requests (a JSON array of operations) are refused", async () => {
    const batch = [{ query: "{ __typename }" }, { query: "{ organizations(first: 1) { totalCount } }" }];
    const { status, text } = await refusal(await postJson(batch));
    assert.equal(status, 400);
    assert.match(text, /batching disabled/i);
    await assertUnharmed();
  });

  test("GET never runs a mutation, even with a valid agency token and a CSRF preflight header", async () => {
    const url = `${hub.url}?query=${encodeURIComponent(registerMutation)}`;
    const withPreflight = await refusal(
      await fetch(url, { headers: { authorization: `Bearer ${agencyToken}`, "apollo-require-preflight": "true" } }),
    );
    assert.equal(withPreflight.status, 405);
    assert.match(withPreflight.text, /GET requests only support query operations/);
    const plain = await refusal(await fetch(url, { headers: { authorization: `Bearer ${agencyToken}` } }));
    assert.equal(plain.status, 400, "a GET without a preflight header is a CSRF candidate and refused first");
    await assertUnharmed();
  });

  test("a form-encoded mutation (what an HTML form on another site sends) is refused as CSRF", async () => {
    const response = await fetch(hub.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Bearer ${agencyToken}` },
      body: new URLSearchParams({ query: registerMutation }).toString(),
    });
    const { status, text } = await refusal(response);
    assert.equal(status, 400);
    assert.match(text, /Cross-Site Request Forgery/);
    await assertUnharmed();
  });

  test("a text/plain POST is refused as CSRF", async () => {
    const response = await fetch(hub.url, {
      method: "POST",
      headers: { "content-type": "text/plain", authorization: `Bearer ${agencyToken}` },
      body: JSON.stringify({ query: registerMutation }),
    });
    const { status, text } = await refusal(response);
    assert.equal(status, 400);
    assert.match(text, /Cross-Site Request Forgery/);
    await assertUnharmed();
  });

  test("a 5 MB body gets 413 and the hub still answers", async () => {
    const huge = JSON.stringify({ query: `{ organizations(filter: { search: "${"x".repeat(5 * 1024 * 1024)}" }) { totalCount } }` });
    const response = await fetch(hub.url, { method: "POST", headers: { "content-type": "application/json" }, body: huge });
    const { status, body } = await refusal(response);
    assert.equal(status, 413);
    assert.equal(body.errors![0].extensions?.code, "PAYLOAD_TOO_LARGE");
    await assertUnharmed();
  });

  test("an unsigned token (alg none) and a token signed with an unknown RSA key get 401", async () => {
    const claims = { sub: "intruder", role: "AGENCY", org: ids.org.kesbangpol, regions: ["19"], exp: Math.floor(Date.now() / 1000) + 3600 };
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`;
    const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const rsa = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "attacker" }).sign(privateKey);
    for (const token of [unsigned, rsa]) {
      const { status, body } = await refusal(await postJson({ query: registerMutation }, { authorization: `Bearer ${token}` }));
      assert.equal(status, 401);
      assert.equal(body.errors![0].extensions?.code, "UNAUTHENTICATED");
    }
    await assertUnharmed();
  });

  test("a token without an expiry is refused: every token must expire", async () => {
    const forever = await new SignJWT({ sub: "x", role: "AGENCY", org: ids.org.kesbangpol, regions: ["19"] })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(hub.hub.config.jwtSecret!));
    const { status } = await refusal(await postJson({ query: registerMutation }, { authorization: `Bearer ${forever}` }));
    assert.equal(status, 401);
    await assertUnharmed();
  });

  test("every subgraph refuses direct calls without the gateway's secret, _entities and _service included", async () => {
    const forgedCaller = JSON.stringify({ sub: "x", role: "AGENCY", org: ids.org.kesbangpol, regions: ["19"], scope: "" });
    const probes = [
      { query: "{ _service { sdl } }" },
      { query: `query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }`, variables: { r: [{ __typename: "Organization", id: "1" }] } },
    ];
    for (const name of SUBGRAPH_NAMES) {
      for (const probe of probes) {
        const attempts: Array<Record<string, string>> = [{}, { [SECRET_HEADER]: "guessed-".padEnd(64, "x") }, { [CALLER_HEADER]: forgedCaller }];
        for (const headers of attempts) {
          const response = await fetch(hub.hub.subgraphs[name].url, {
            method: "POST",
            headers: { "content-type": "application/json", ...headers },
            body: JSON.stringify(probe),
          });
          assert.equal(response.status, 403, `${name} ${probe.query} ${JSON.stringify(headers)}`);
        }
      }
    }
    await assertUnharmed();
  });
});

describe("injection-shaped search strings match literally", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      let hub: TestHub;
      let ids: DemoIds;
      before(async () => {
        hub = await startTestHub(backend);
        ids = await loadDemoStory(hub);
      });
      after(() => hub.dispose());

      for (const search of ["' OR 1=1 --", "%", "_", "%%", "!", "\\", `"; DROP TABLE organization; --`, "') OR ('a'='a"]) {
        test(`searching ${JSON.stringify(search)} finds nothing and raises no error`, async () => {
          const { data, errors } = await hub.query<{ organizations: { totalCount: number } }>(
            `query ($s: String!) { organizations(filter: { search: $s }) { totalCount } }`,
            { s: search },
          );
          assert.equal(errors, undefined);
          assert.equal(data!.organizations.totalCount, 0);
        });
      }

      test("after the injections the directory is whole", async () => {
        const { data } = await hub.query<{ organizations: { totalCount: number } }>(`{ organizations(first: 0) { totalCount } }`);
        assert.equal(data!.organizations.totalCount, 11);
        assert.ok(ids.org.pemuda);
      });
    });
  }
});
