import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, startTestHub, TestHub } from "../support/hub";

type Errors = Array<{ message: string; extensions?: Record<string, unknown> }>;

/* NODE_ENV=production: the schema stays private (no introspection, no suggestions) and errors carry no stack traces. */
describe("a hub started with NODE_ENV=production", () => {
  let hub: TestHub;
  let ids: DemoIds;
  before(async () => {
    hub = await startTestHub("sqlite", { NODE_ENV: "production" });
    ids = await loadDemoStory(hub);
  });
  after(() => hub.dispose());

  const post = async (query: string, headers: Record<string, string> = {}) => {
    const response = await fetch(hub.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query }) });
    return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: Errors } };
  };

  test("reads the production flag from the environment", () => {
    assert.equal(hub.hub.config.production, true);
  });

  test("refuses introspection of the schema and of a type", async () => {
    for (const probe of [`{ __schema { types { name } } }`, `{ __type(name: "IncidentReport") { fields { name } } }`]) {
      const { status, body } = await post(probe);
      assert.equal(status, 400, probe);
      assert.match(body.errors![0].message, /introspection/i);
      assert.match(body.errors![0].message, /schema\/api\.graphql/, "it says where the schema is published instead");
      assert.equal(body.data, undefined);
    }
  });

  test("gives no field suggestions for a misspelt field", async () => {
    const { status, body } = await post(`{ organizaton(id: "1") { name } incidentReport { reportr } }`);
    assert.equal(status, 400);
    const text = JSON.stringify(body.errors);
    assert.doesNotMatch(text, /Did you mean/);
    assert.doesNotMatch(text, /organization|reporter/, "no real field name leaks");
  });

  test("errors carry no stack trace: validation, bad input, refused tokens", async () => {
    const validation = await post(`{ nope }`);
    const badInput = await post(`{ regions(parentCode: "99.99") { name } }`);
    const refused = await post(`{ __typename }`, { authorization: "Bearer not.a.token" });
    const forbidden = await hub.query(`mutation { reviewIncident(id: "1", status: DISMISSED) { id } }`, {}, agencyOf(ids.org.bawaslu, ["31"]));
    for (const errors of [validation.body.errors, badInput.body.errors, refused.body.errors, forbidden.errors]) {
      assert.ok(errors && errors.length > 0);
      for (const error of errors) assert.equal(error.extensions?.stacktrace, undefined, JSON.stringify(error));
    }
  });

  test("still answers ordinary queries, __typename included", async () => {
    const { status, body } = await post(`{ __typename organizations(first: 0) { totalCount } }`);
    assert.equal(status, 200);
    assert.deepEqual(body.data, { __typename: "Query", organizations: { totalCount: 11 } });
  });
});
