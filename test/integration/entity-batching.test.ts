import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { subgraphHeaders } from "../../caller/claims";
import { SubgraphName } from "../../platform/config";
import { statementCounter } from "../../subgraphs/kit/database";
import { loadDemoStory } from "../support/demo";
import { agencyOf, backends, startTestHub, TestHub } from "../support/hub";

/** Each subgraph's entity types, with a field that forces a database read. */
const ENTITIES: Array<[SubgraphName, string, string]> = [
  ["organizations", "Organization", "name"],
  ["elections", "Election", "title"],
  ["elections", "CandidatePair", "headCandidate"],
  ["events", "Event", "title"],
  ["declarations", "Declaration", "title"],
  ["incidents", "IncidentReport", "title"],
];

describe("entity references are batched: one SQL statement per batch, whatever its size", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      let hub: TestHub;
      before(async () => {
        hub = await startTestHub(backend);
        await loadDemoStory(hub);
      });
      after(() => hub.dispose());

      for (const [subgraph, typename, field] of ENTITIES) {
        test(`${subgraph}: 200 ${typename} references, known and unknown`, async () => {
          const running = hub.hub.subgraphs[subgraph];
          const representations = Array.from({ length: 200 }, (_, n) => ({ __typename: typename, id: String((n % 7) + 1 + (n >= 100 ? 1000 : 0)) }));
          const counter = statementCounter(running.db);
          const before = counter.statements;
          const response = await fetch(running.url, {
            method: "POST",
            headers: { "content-type": "application/json", ...subgraphHeaders(hub.hub.config.subgraphSecret!, agencyOf("1", ["19"])) },
            body: JSON.stringify({ query: `query ($r: [_Any!]!) { _entities(representations: $r) { ... on ${typename} { ${field} } } }`, variables: { r: representations } }),
          });
          const body = (await response.json()) as { data: { _entities: Array<Record<string, unknown> | null> }; errors?: unknown };
          assert.equal(body.errors, undefined);
          assert.equal(counter.statements - before, 1);
          assert.equal(body.data._entities.length, 200);
          assert.ok(body.data._entities.slice(0, 1).every((entity) => entity !== null), "a known id resolves");
          assert.ok(body.data._entities.slice(100).every((entity) => entity === null), "an unknown id resolves to null");
        });
      }
    });
  }
});
