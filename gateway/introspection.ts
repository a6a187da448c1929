import { GraphQLError, ValidationContext, ValidationRule } from "graphql";

/**
 * Production refuses introspection (`__schema`, `__type`) and says where the schema is instead: it is
 * published in the repository as schema/api.graphql, which any GraphQL tool can load. (`__typename` stays.)
 */
export const refuseIntrospection: ValidationRule = (context: ValidationContext) => ({
  Field(node) {
    if (node.name.value !== "__schema" && node.name.value !== "__type") return;
    context.reportError(
      new GraphQLError(
        "introspection is off on this hub (NODE_ENV=production): load the published schema, schema/api.graphql in the Kawal Damai repository, into your GraphQL tool instead",
        { nodes: node, extensions: { code: "INTROSPECTION_DISABLED" } },
      ),
    );
  },
});
