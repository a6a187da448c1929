import { costLimitRule } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import { GraphQLError, ParseOptions, ValidationContext, ValidationRule } from "graphql";
import { describedError } from "../platform/errors";
import { message } from "../platform/i18n";

/**
 * Operation limits, the same on HTTP (Apollo Server's validationRules and parseOptions) and on WebSocket
 * (graphql-ws's validate/parse): a document that breaks one is refused before anything runs, so a flood of
 * aliases, duplicated fields, nesting or directives never reaches the query planner or a subgraph.
 *
 * The defaults were measured against every operation of the README, launcher/demo.ts and the test suite
 * (largest seen: depth 7, 1 alias, 89 tokens, 0 directives, cost 1438 for `events(first: 100)`), and leave
 * room for real clients while refusing floods; test/unit/limits.test.ts keeps the README inside them.
 */
export interface OperationLimits {
  /** Deepest field nesting; fragments count as their fields' depth. */
  depth: number;
  /** Aliased fields in one operation, `__typename` included (no allow-list: aliasing it is a free flood). */
  aliases: number;
  /** Lexer tokens in the document: the guard against duplicated fields and giant documents. */
  tokens: number;
  /** Directives in one operation. */
  directives: number;
  /** graphql-armor's cost: objects 2, scalars 1, times 1.5 per level, times a literal `first`. */
  cost: number;
}

export const DEFAULT_OPERATION_LIMITS: OperationLimits = {
  depth: 10,
  aliases: 30,
  tokens: 1000,
  directives: 10,
  cost: 5000,
};

/** Which limit an error is about, in `extensions.limit`, so clients and logs can tell them apart. */
export type LimitName = keyof OperationLimits;

/**
 * graphql-armor's rules throw by default, which escapes graphql-js `validate` (a 500 instead of a validation
 * error) and stops the other rules; reporting through the context keeps the refusal an ordinary validation
 * error on both transports.
 */
function reportAs(limit: Exclude<LimitName, "tokens">, max: number) {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        const detail = error.message.replace(/^Syntax Error: /, "");
        context?.reportError(describedError(message(`limit.${limit}`, { detail, max }), { limit }));
      },
    ],
  };
}

/** The validation rules enforcing `limits`: pass them to Apollo Server's validationRules and to graphql-ws. */
export function operationLimitRules(limits: OperationLimits = DEFAULT_OPERATION_LIMITS): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.depth, ...reportAs("depth", limits.depth) }),
    maxAliasesRule({ n: limits.aliases, allowList: [], ...reportAs("aliases", limits.aliases) }),
    maxDirectivesRule({ n: limits.directives, ...reportAs("directives", limits.directives) }),
    costLimitRule({ maxCost: limits.cost, ...reportAs("cost", limits.cost) }),
  ] as ValidationRule[];
}

/**
 * Parse options enforcing the token limit: graphql-js stops lexing at `maxTokens`, so a 1 MB document of
 * repeated fields costs the gateway a few microseconds, not a parse and a validation.
 */
export function operationParseOptions(limits: OperationLimits = DEFAULT_OPERATION_LIMITS): ParseOptions {
  return { maxTokens: limits.tokens };
}
