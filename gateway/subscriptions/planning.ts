/**
 * Planning: a client document parsed, validated against the API schema and, for a subscription, planned
 * with @apollo/query-planner into what the upstream subscribes to and what hydration runs per event.
 * Prepared documents are kept in a bounded cache by text and operation name.
 */
import {
  DocumentNode,
  getOperationAST,
  GraphQLError,
  Kind,
  OperationDefinitionNode,
  OperationTypeNode,
  parse,
  ParseOptions,
  print,
  specifiedRules,
  validate,
  ValidationRule,
} from "graphql";
import { LRUCache } from "lru-cache";
import { operationFromDocument } from "@apollo/federation-internals";
import { QueryPlanner, SubscriptionNode } from "@apollo/query-planner";
import { buildOperationContext } from "@apollo/gateway";
import { CursorOptions, UpstreamOperation, upstreamOperation } from "./cursor";
import type { HydrationPlan } from "./hydration";
import type { EngineSchemas } from "./schemas";
import { describedError } from "../../platform/errors";
import { message } from "../../platform/i18n";

/** A client document, parsed, validated and (for subscriptions) planned. */
export interface PreparedOperation {
  readonly kind: OperationTypeNode;
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly operationName?: string;
  /** Names of the selected root fields (for authorization). */
  readonly rootFields: readonly string[];
  /** Normalized text (printed document + operation name): part of the sharing key. */
  readonly canonical: string;
  /** @internal the compiled subscription; undefined for queries and mutations. */
  readonly plan?: CompiledSubscription;
}

export type Prepared = { ok: true; operation: PreparedOperation } | { ok: false; errors: GraphQLError[] };

/** @internal Everything the engine computes once per subscription document. */
export interface CompiledSubscription {
  readonly upstream: UpstreamOperation;
  readonly hydration: HydrationPlan;
}

export interface PlannerOptions {
  schemas: EngineSchemas;
  /** Where the resume cursor is; undefined: the primary fetch goes upstream as planned. */
  cursor: Pick<CursorOptions, "field" | "argument"> | undefined;
  /** Most prepared documents kept (least recently used dropped). */
  cacheSize: number;
  /** Parser limits for client documents. */
  parseOptions: ParseOptions | undefined;
  /** Validation rules added to graphql-js's specified rules. */
  validationRules: readonly ValidationRule[];
  logger: Pick<Console, "warn">;
}

export interface Planner {
  /** Parses, validates and (for subscriptions) plans; cached per (query text, operation name). */
  prepare(query: string, operationName?: string | null): Prepared;
  /** Documents in the cache. */
  readonly cached: number;
}

/**
 * Longest document kept in the cache; every operation of the README and the apps is far shorter. Refused
 * documents are not kept either: anyone may send them, before any token check, and would otherwise fill the
 * cache, entry by entry, with memory of their choosing.
 */
const MAX_CACHED_QUERY_LENGTH = 10_000;

export function createPlanner(options: PlannerOptions): Planner {
  const { schemas, logger } = options;
  const planner = new QueryPlanner(schemas.supergraph);
  const cache = new LRUCache<string, Prepared>({ max: options.cacheSize });
  const rules: readonly ValidationRule[] = [...specifiedRules, ...options.validationRules];

  function compile(document: DocumentNode, operationName?: string): CompiledSubscription {
    const plan = planner.buildQueryPlan(operationFromDocument(schemas.federationApi, document, { operationName, validate: false }));
    if (plan.node?.kind !== "Subscription") throw new Error("the planner did not produce a subscription plan");
    const { primary, rest }: SubscriptionNode = plan.node;
    return {
      upstream: upstreamOperation(primary, schemas.api, options.cursor),
      hydration: {
        primary,
        plan: { kind: "QueryPlan", node: rest ? { kind: "Sequence", nodes: [primary, rest] } : primary },
        operationContext: buildOperationContext({ schema: schemas.api, operationDocument: document, operationName }),
        clientQuery: print(document),
      },
    };
  }

  function prepareUncached(query: string, operationName?: string): Prepared {
    let document: DocumentNode;
    try {
      document = parse(query, options.parseOptions);
    } catch (error) {
      return { ok: false, errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error))] };
    }
    const validationErrors = validate(schemas.api, document, rules);
    if (validationErrors.length > 0) return { ok: false, errors: [...validationErrors] };
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      return { ok: false, errors: [describedError(operationName ? message("operation.unknown", { name: operationName }) : message("operation.mustName"))] };
    }
    const rootFields = operation.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
    const canonical = `${operation.name?.value ?? ""}\u0000${print(document)}`;
    const base = { kind: operation.operation, document, operation, operationName, rootFields, canonical };
    if (operation.operation !== OperationTypeNode.SUBSCRIPTION) return { ok: true, operation: base };
    try {
      return { ok: true, operation: { ...base, plan: compile(document, operationName) } };
    } catch (error) {
      logger.warn(`subscription planning failed: ${String(error)}`);
      return { ok: false, errors: [describedError(message("subscription.cannotPlan", { detail: error instanceof Error ? error.message : String(error) }))] };
    }
  }

  return {
    prepare(query, operationName) {
      const name = operationName ?? undefined;
      const key = `${name ?? ""}\u0000${query}`;
      const cached = cache.get(key);
      if (cached) return cached;
      const prepared = prepareUncached(query, name);
      if (prepared.ok && query.length <= MAX_CACHED_QUERY_LENGTH) cache.set(key, prepared);
      return prepared;
    },
    get cached() {
      return cache.size;
    },
  };
}
