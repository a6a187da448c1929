import type { ApolloServerPlugin } from "@apollo/server";
import { Kind } from "graphql";
import { describedError } from "../platform/errors";
import { message } from "../platform/i18n";

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
          const listed = names.join(", ") || message("word.noOperation");
          const text = request.operationName ? message("operation.nameUnknown", { name: request.operationName, names: listed }) : message("operation.nameMissing", { names: listed });
          throw describedError(text, { code: "BAD_REQUEST", field: "operationName", http: { status: 400 } });
        },
      };
    },
  };
}
