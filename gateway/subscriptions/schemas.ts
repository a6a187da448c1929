/**
 * The supergraph in the forms the engine's parts need, built once from the SDL the HTTP gateway serves so
 * that both plan alike.
 */
import type { GraphQLSchema } from "graphql";
import { Schema, Supergraph } from "@apollo/federation-internals";

export interface EngineSchemas {
  supergraph: Supergraph;
  /** What clients see: documents are validated and variables coerced against it. */
  api: GraphQLSchema;
  /** The same API schema in federation's own form, which the planner and executeQueryPlan read. */
  federationApi: Schema;
  /** The whole supergraph (join directives included), which executeQueryPlan reads. */
  full: GraphQLSchema;
}

export function buildEngineSchemas(supergraphSdl: string): EngineSchemas {
  const supergraph = Supergraph.build(supergraphSdl);
  const federationApi = supergraph.apiSchema();
  return { supergraph, api: federationApi.toGraphQLJSSchema(), federationApi, full: supergraph.schema.toGraphQLJSSchema() };
}
