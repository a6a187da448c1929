import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "graphql";
import { operationFromDocument, Supergraph } from "@apollo/federation-internals";
import { prettyFormatQueryPlan, QueryPlanner } from "@apollo/query-planner";
import { composeSupergraph } from "../../schema/composition";

/*
 * What the gateway asks of the subgraphs for a screen: each fetch is an HTTP request, so a field answered
 * where its list is saves a hop on every request.
 */

async function planOf(query: string): Promise<string> {
  const supergraph = Supergraph.build((await composeSupergraph()).supergraphSdl);
  return prettyFormatQueryPlan(new QueryPlanner(supergraph).buildQueryPlan(operationFromDocument(supergraph.schema, parse(query))));
}

const fetchedFrom = (plan: string) => [...plan.matchAll(/Fetch\(service: "(\w+)"\)/g)].map((match) => match[1]);

test("a Bawaslu officer's incident list names each report's region without asking the organizations subgraph", async () => {
  const plan = await planOf(`{
    incidentReports(first: 20) { edges { node { title region { code name } reporter { name } event { title } } } }
  }`);
  assert.deepEqual(fetchedFrom(plan).sort(), ["events", "incidents", "organizations"], plan);
  assert.doesNotMatch(plan, /\.\.\. on Region/, "no Region is looked up");
});

test("a region's parent still comes from the organizations subgraph, which owns the region tree", async () => {
  const plan = await planOf(`{ incidentReports(first: 20) { edges { node { region { name parent { name } } } } } }`);
  assert.deepEqual(fetchedFrom(plan), ["incidents", "organizations"], plan);
});
