import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import type { SubgraphName } from "../../platform/config";
import { counter } from "../../platform/metrics";
import { openSpan, tracing } from "../../platform/tracing";

/**
 * What a subgraph's Apollo Server reports: errors its resolvers answered, by code
 * (kawal_subgraph_resolver_errors_total{subgraph,code}), and, when tracing is on, a span per operation and
 * per root or entity field (`Query.reports`, `Query._entities`), joined to the gateway's trace by the incoming
 * traceparent (platform/http.ts). Fields below the root are not spanned: their cost shows in the SQL spans.
 */
export function subgraphPlugins(subgraph: SubgraphName): ApolloServerPlugin<BaseContext>[] {
  const errors = counter({ name: "kawal_subgraph_resolver_errors_total", help: "Errors answered by a subgraph's resolvers, by code", labelNames: ["subgraph", "code"] });
  const plugins: ApolloServerPlugin<BaseContext>[] = [
    {
      async requestDidStart() {
        return {
          async didEncounterErrors({ errors: found }) {
            for (const error of found) errors.inc({ subgraph, code: String(error.extensions?.code ?? "INTERNAL_SERVER_ERROR") });
          },
        };
      },
    },
  ];
  if (tracing()) plugins.push(resolverSpans(subgraph));
  return plugins;
}

/** A span for each root field's resolver, a sibling of the statements it sends (both under the request's span). */
function resolverSpans(subgraph: SubgraphName): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart() {
          return {
            willResolveField({ info }) {
              if (info.path.prev !== undefined) return;
              return openSpan(`${info.parentType.name}.${info.fieldName}`, { "kawal.subgraph": subgraph, "graphql.field.name": info.fieldName });
            },
          };
        },
      };
    },
  };
}
