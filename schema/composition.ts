import { composeServices } from "@apollo/composition";
import { printSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";
import { defaultSubgraphPort, SUBGRAPH_NAMES, SubgraphName } from "../subgraphs/kit/config";
import { buildFederatedSchema } from "../subgraphs/kit/subgraph";
import { SUBGRAPHS } from "../subgraphs";

export interface Composition {
  /** Each subgraph's SDL, printed from its type-graphql code. */
  subgraphs: Record<SubgraphName, string>;
  /** The supergraph the gateway loads; subgraph URLs are the embedded defaults (the gateway overrides them). */
  supergraphSdl: string;
}

/** Builds every subgraph's SDL from code and composes them; throws with every composition error. */
export async function composeSupergraph(): Promise<Composition> {
  const subgraphs = {} as Record<SubgraphName, string>;
  for (const name of SUBGRAPH_NAMES) subgraphs[name] = printSubgraphSchema(await buildFederatedSchema(SUBGRAPHS[name]));
  const result = composeServices(
    SUBGRAPH_NAMES.map((name) => ({
      name,
      url: `http://127.0.0.1:${defaultSubgraphPort(name)}/graphql`,
      typeDefs: parse(subgraphs[name]),
    })),
  );
  if (result.errors) throw new Error(`composition failed:\n${result.errors.map((error) => `- ${error.message}`).join("\n")}`);
  return { subgraphs, supergraphSdl: result.supergraphSdl };
}
