import { GraphQLError, ValidationContext, ValidationRule } from "graphql";
import { MESSAGE_EXTENSION, message, render } from "../platform/i18n";

/**
 * Production refuses introspection (`__schema`, `__type`) and says where the schema is instead: it is
 * published in the repository as schema/api.graphql, which any GraphQL tool can load. (`__typename` stays.)
 */
export const refuseIntrospection: ValidationRule = (context: ValidationContext) => ({
  Field(node) {
    if (node.name.value !== "__schema" && node.name.value !== "__type") return;
    context.reportError(
      new GraphQLError(render(message("introspection.off")), { nodes: node, extensions: { code: "INTROSPECTION_DISABLED", [MESSAGE_EXTENSION]: message("introspection.off") } }),
    );
  },
});
