import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, Kind } from "graphql";

/**
 * A request whose `operationName` names no operation of its document (or names none where the document holds
 * several) is the client's mistake: a 400 that says which operations the document has. Left alone,
 * @apollo/gateway throws it from its executor and the client gets a 500.
 */
export function operationNamePlugin<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          if (operation) return;
          const names = document.definitions.flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION ? [definition.name?.value ?? "(anonymous)"] : []));
          const rule = request.operationName ? `names no operation of the document ("${request.operationName}")` : "must name one of the document's operations";
          throw new GraphQLError(`operationName: ${rule}; the document has ${names.join(", ") || "no operation"}`, {
            extensions: { code: "BAD_REQUEST", field: "operationName", http: { status: 400 } },
          });
        },
      };
    },
  };
}
