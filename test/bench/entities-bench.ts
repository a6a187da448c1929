import { performance } from "node:perf_hooks";
import { RunningHub, startHub } from "../../launcher/hub";
import { Caller, subgraphHeaders } from "../../caller/claims";
import type { HubConfig, SubgraphName } from "../../platform/config";
import { statementCounter } from "../../subgraphs/kit/database";
import { latencyOf, round } from "./stats";

/** Each subgraph's entity types, with a field that forces a database read (as in entity-batching.test.ts). */
export const ENTITY_TYPES: Array<{ subgraph: SubgraphName; typename: string; field: string }> = [
  { subgraph: "organizations", typename: "Organization", field: "name" },
  { subgraph: "elections", typename: "Election", field: "title" },
  { subgraph: "elections", typename: "CandidatePair", field: "headCandidate" },
  { subgraph: "events", typename: "Event", field: "title" },
  { subgraph: "declarations", typename: "Declaration", field: "title" },
  { subgraph: "incidents", typename: "IncidentReport", field: "title" },
];

export interface EntityResult {
  subgraph: SubgraphName;
  typename: string;
  representations: number;
  /** Distinct ids that exist (the rest resolve to null). */
  found: number;
  runs: number;
  latencyMs: { median: number; p95: number; max: number };
  /** SQL statements per request: the most any run issued. */
  statementsPerBatch: number;
}

/**
 * Unmeasured requests before each measured series: the entity part runs on a freshly started hub, and V8
 * optimizes a resolver path only after it has run a few times (with 2, the 1% data set's 1,000-entity
 * batches measured 20 to 50% slower than on a hub that had served load).
 */
const WARM_UP_RUNS = 10;

/**
 * POSTs `_entities` straight to each subgraph (as the gateway would, with the subgraph secret) with 1 to
 * 1,000 representations of distinct ids, timing each request and counting the SQL statements it sent.
 */
export async function benchEntities(hub: RunningHub, caller: Caller, sizes: number[], runs: number): Promise<EntityResult[]> {
  const results: EntityResult[] = [];
  for (const { subgraph, typename, field } of ENTITY_TYPES) {
    const running = hub.subgraphs[subgraph];
    const counter = statementCounter(running.db);
    for (const size of sizes) {
      const representations = Array.from({ length: size }, (_, n) => ({ __typename: typename, id: String(n + 1) }));
      const body = JSON.stringify({
        query: `query ($r: [_Any!]!) { _entities(representations: $r) { ... on ${typename} { id ${field} } } }`,
        variables: { r: representations },
      });
      const headers = { "content-type": "application/json", ...subgraphHeaders(hub.config.subgraphSecret!, caller) };
      const times: number[] = [];
      let statements = 0;
      let found = 0;
      for (let run = 0; run < runs + WARM_UP_RUNS; run++) {
        const before = counter.statements;
        const started = performance.now();
        const response = await fetch(running.url, { method: "POST", headers, body });
        const json = (await response.json()) as { data?: { _entities: Array<unknown | null> }; errors?: unknown };
        const elapsed = performance.now() - started;
        if (json.errors || !json.data) throw new Error(`_entities on ${subgraph} failed: ${JSON.stringify(json.errors).slice(0, 300)}`);
        if (run < WARM_UP_RUNS) continue; // warm-up: JIT, schema caches, pooled connections, prepared statements
        times.push(elapsed);
        statements = Math.max(statements, counter.statements - before);
        found = json.data._entities.filter((entity) => entity !== null).length;
      }
      const latency = latencyOf(times);
      results.push({ subgraph, typename, representations: size, found, runs, latencyMs: { median: latency.p50, p95: latency.p95, max: latency.max }, statementsPerBatch: statements });
    }
  }
  return results.map((result) => ({ ...result, latencyMs: { median: round(result.latencyMs.median), p95: round(result.latencyMs.p95), max: round(result.latencyMs.max) } }));
}

/**
 * benchEntities on a hub of its own with the subgraphs in this process: the statement counts need the
 * subgraphs' database handles, which forked subgraphs keep in their own processes. One request at a time
 * is measured, so sharing a process with the (idle) gateway costs nothing here.
 */
export async function benchEntitiesInProcess(config: HubConfig, caller: Caller, sizes: number[], runs: number): Promise<EntityResult[]> {
  const hub = await startHub({ ...config, host: "127.0.0.1" }, { port: 0, freePorts: true });
  try {
    return await benchEntities(hub, caller, sizes, runs);
  } finally {
    await hub.dispose();
  }
}
