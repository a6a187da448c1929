import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { Supergraph } from "@apollo/federation-internals";
import { GraphQLSchema, parse, validate } from "graphql";
import { committedSupergraph } from "../../gateway/server";
import { DEFAULT_OPERATION_LIMITS, operationLimitRules, operationParseOptions } from "../../gateway/limits";

const apiSchema: GraphQLSchema = Supergraph.build(committedSupergraph()).apiSchema().toGraphQLJSSchema();
const readme = fs.readFileSync(path.join(__dirname, "..", "..", "..", "README.md"), "utf8");
const readmeOperations = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]);

/** Limit errors of a document under the default limits (a parse refusal counts as the token limit). */
function limitErrors(document: string): string[] {
  try {
    return validate(apiSchema, parse(document, operationParseOptions()), operationLimitRules()).map((error) => error.message);
  } catch (error) {
    return [String(error)];
  }
}

test("every operation of the README passes the default limits", () => {
  assert.ok(readmeOperations.length >= 3, "the README's examples were found");
  for (const operation of readmeOperations) assert.deepEqual(limitErrors(operation), [], operation);
});

test("each limit refuses the document that exceeds it, naming the limit", () => {
  const deep = `{ organization(id: "1") { region { parent { parent { parent { parent { parent { parent { parent { parent { parent { name } } } } } } } } } } } }`;
  const aliases = `{ ${Array.from({ length: DEFAULT_OPERATION_LIMITS.aliases + 1 }, (_, i) => `a${i}: __typename`).join(" ")} }`;
  const directives = `{ __typename ${Array.from({ length: DEFAULT_OPERATION_LIMITS.directives + 1 }, () => `@include(if: true)`).join(" ")} }`;
  const cost = `{ organizations(first: 100) { edges { node { hostedEvents(first: 100) { edges { node { title } } } } } } }`;
  const tokens = `{ ${"__typename ".repeat(DEFAULT_OPERATION_LIMITS.tokens)} }`;
  assert.match(limitErrors(deep).join(), /depth limit/);
  assert.match(limitErrors(aliases).join(), /Aliases limit/);
  assert.match(limitErrors(directives).join(), /Directives limit/);
  assert.match(limitErrors(cost).join(), /Cost limit/);
  assert.match(limitErrors(tokens).join(), /more \w+ 1000 tokens/);
});
