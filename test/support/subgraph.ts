import "reflect-metadata";
import { Caller, subgraphHeaders } from "../../caller/claims";
import { HubConfig } from "../../platform/config";
import { statementCounter } from "../../subgraphs/kit/database";
import { RunningSubgraph, startSubgraph, SubgraphDefinition } from "../../subgraphs/kit/subgraph";
import { GraphQLResponse } from "../../platform/graphql-fetch";
import { Backend, dropTestData, testConfig } from "./hub";

export interface TestSubgraph {
  running: RunningSubgraph;
  config: HubConfig;
  /** Calls the subgraph as the gateway would (with the secret), as `caller` or the public. */
  request<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, caller?: Caller | null): Promise<GraphQLResponse<T>>;
  /** SQL statements sent since the subgraph started. */
  statements(): number;
  dispose(): Promise<void>;
}

/** One subgraph alone on a free port and a fresh database of the given backend. */
export async function startTestSubgraph(definition: SubgraphDefinition, backend: Backend): Promise<TestSubgraph> {
  const config = testConfig(backend);
  const running = await startSubgraph(definition, config, { port: 0, host: "127.0.0.1" });
  return {
    running,
    config,
    async request(query, variables = {}, caller = null) {
      const response = await fetch(running.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...subgraphHeaders(config.subgraphSecret!, caller) },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse<never>;
    },
    statements: () => statementCounter(running.db).statements,
    async dispose() {
      await running.dispose();
      await dropTestData(config);
    },
  };
}
