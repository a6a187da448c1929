/**
 * The gateway's subscription engine: a protocol core that knows no sockets (transports such as
 * ws-adapter.ts sit on top of it) and no domain (whom a subscriber acts for is the opaque `Scope`; the
 * gateway's wiring says how to key and forward it).
 *
 * @apollo/gateway plans subscriptions but refuses to execute them, so the engine does what Apollo Router does:
 *   1. planning.ts validates the client's document against the API schema and plans it with
 *      @apollo/query-planner (a `Subscription` node: a `primary` fetch to the subgraph owning the root field,
 *      and an optional `rest` plan of entity fetches), rewriting the primary fetch for resume (cursor.ts);
 *   2. sharing.ts opens the primary fetch upstream through an `UpstreamConnector` (connector.ts), one per
 *      document, variables and scope key, and resumes it from its last cursor when the link drops;
 *   3. hydration.ts completes each upstream event ONCE with @apollo/gateway's `executeQueryPlan` and
 *      serializes it ONCE; sharing hands that same string to every subscriber of the upstream.
 */
import { GraphQLError, GraphQLSchema, ParseOptions, ValidationRule } from "graphql";
import { getVariableValues } from "graphql/execution/values";
import type { GraphQLDataSource } from "@apollo/gateway";
import type { Disclosure } from "../../caller/disclosures";
import type { UpstreamConnector } from "./connector";
import { CursorOptions, cursorOptions } from "./cursor";
import { createHydrator } from "./hydration";
import { createPlanner, Prepared, PreparedOperation } from "./planning";
import { buildEngineSchemas } from "./schemas";
import { BackoffOptions, createSharing, Feed, SharingStats, sharingKey, SubscriberSink } from "./sharing";
import { consoleOf, logger as processLogger } from "../../platform/logging";
import { describedError } from "../../platform/errors";
import { message } from "../../platform/i18n";

export * from "./connector";
export { compareCursors } from "./cursor";
export type { CursorOptions } from "./cursor";
export type { Prepared, PreparedOperation } from "./planning";
export type { BackoffOptions, SubscriberSink } from "./sharing";

/** How the engine treats whom a subscriber acts for (graphql-ws's `extra`, in the engine's terms). */
export interface ScopeOptions<Scope> {
  /**
   * The sharing key of a scope. Subscribers with the same document, variables and key share one upstream and
   * one hydration per event, and all receive what the shared scope may see: the key must cover everything the
   * subgraphs' access rules read, and should hold nothing personal, or nobody shares. Required.
   */
  key(scope: Scope): string;
  /**
   * The scope a shared upstream acts as (upstream, in hydration, in the cursor head lookup), made from the
   * scope of the subscriber that opens it and its key. The upstream outlives that subscriber, so this should
   * drop what is personal or expires. Default: that subscriber's scope as it is.
   */
  shared?(scope: Scope, key: string): Scope;
  /** The context the `services` data sources receive for a shared scope. Required. */
  dataSourceContext(scope: Scope): object;
}

export interface SubscriptionEngineOptions<Scope> {
  /** The supergraph SDL the HTTP gateway serves (the same file, so plans agree). Required. */
  supergraphSdl: string;
  /**
   * Data sources for the `rest` of each plan (entity fetches), by subgraph name; the primary subgraph's own
   * entry serves entity fetches back to it. Required.
   */
  services: Record<string, GraphQLDataSource>;
  /** How upstream subscriptions are opened. Required. */
  upstream: UpstreamConnector<Scope>;
  /** How subscribers' scopes are keyed for sharing and turned into what upstreams and data sources need. Required. */
  scope: ScopeOptions<Scope>;
  /**
   * Resume cursor; `false` disables resume (a dropped upstream re-subscribes from "now").
   * Default { field: "sequence", argument: "after", compare: compareCursors, head: none }.
   */
  cursor?: Partial<CursorOptions<Scope>> | false;
  /** Re-subscribe backoff after an upstream drop. Default 100 ms doubling up to 5,000 ms. */
  backoff?: Partial<BackoffOptions>;
  /** Most operations kept in the plan cache (least recently used dropped). Default 1,000. */
  planCacheSize?: number;
  /** Parser limits for client documents, the HTTP gateway's (e.g. operationParseOptions(limits)). Default none. */
  parseOptions?: ParseOptions;
  /**
   * Validation rules added to graphql-js's specified rules, the HTTP gateway's (e.g. operationLimitRules(limits)),
   * so a document refused over HTTP is refused over the socket too. Default none.
   */
  validationRules?: readonly ValidationRule[];
  /** Where unexpected failures are reported. Default the process log (component subscriptions). */
  logger?: Pick<Console, "warn" | "error">;
  /**
   * Told of every event payload that holds reports' reporters, once per subscriber it goes to, as the payload is
   * handed to the subscriber's transport (the audit of whistleblower data; its failure is logged). Default none.
   */
  onDisclosed?: (scope: Scope, disclosed: readonly Disclosure[]) => Promise<void>;
}

/** How one subscription starts, beyond its document and variables. */
export interface SubscribeOptions {
  /**
   * Resume after this cursor, in place of the `after` the document gives (a transport's own resume
   * header, such as SSE's Last-Event-ID). Ignored when the subscription takes no resume argument.
   * Default: the document's.
   */
  after?: string;
}

export interface SubscribeResult {
  /** Variable or planning errors: nothing was started. */
  errors?: GraphQLError[];
  /** Leaves the subscription (idempotent); the upstream closes when its last subscriber leaves. */
  dispose?: () => void;
}

/** Counters for tests and benchmarks. Monotonic ones count since the engine started. */
export interface SubscriptionEngineStats extends SharingStats {
  /** Operations in the plan cache. */
  plansCached: number;
}

export interface SubscriptionEngine<Scope = unknown> {
  /** The client-facing (API) schema operations are validated against. */
  readonly apiSchema: GraphQLSchema;
  /** Parses, validates and (for subscriptions) plans; cached per (query text, operation name). */
  prepare(query: string, operationName?: string | null): Prepared;
  /** Starts a subscription for `scope` on a prepared subscription operation. */
  subscribe(
    operation: PreparedOperation,
    variables: Record<string, unknown> | null | undefined,
    scope: Scope,
    sink: SubscriberSink,
    options?: SubscribeOptions,
  ): SubscribeResult;
  stats(): SubscriptionEngineStats;
  /** Closes every upstream without notifying subscribers (the transport closes their connections). */
  dispose(): Promise<void>;
}

export function createSubscriptionEngine<Scope>(options: SubscriptionEngineOptions<Scope>): SubscriptionEngine<Scope> {
  const schemas = buildEngineSchemas(options.supergraphSdl);
  const logger = options.logger ?? consoleOf(processLogger("subscriptions"));
  const cursor = cursorOptions(options.cursor);
  const shareScope = options.scope.shared ?? ((scope: Scope) => scope);
  const planner = createPlanner({
    schemas,
    cursor,
    cacheSize: options.planCacheSize ?? 1000,
    parseOptions: options.parseOptions,
    validationRules: options.validationRules ?? [],
    logger,
  });
  const hydrate = createHydrator({ schemas, services: options.services, dataSourceContext: options.scope.dataSourceContext, logger });
  const sharing = createSharing({
    upstream: options.upstream,
    cursor,
    backoff: { initialMs: 100, maxMs: 5000, factor: 2, ...options.backoff },
    logger,
  });
  let disposed = false;

  function subscribe(
    operation: PreparedOperation,
    rawVariables: Record<string, unknown> | null | undefined,
    scope: Scope,
    sink: SubscriberSink,
    subscribeOptions: SubscribeOptions = {},
  ): SubscribeResult {
    if (disposed) return { errors: [describedError(message("subscription.shuttingDown"))] };
    const plan = operation.plan;
    if (!plan) return { errors: [describedError(message("subscription.onlySubscriptions"))] };
    const coerced = getVariableValues(schemas.api, operation.operation.variableDefinitions ?? [], rawVariables ?? {}, { maxErrors: 25 });
    if (coerced.errors) return { errors: [...coerced.errors] };
    // Coerced values are JSON for an SDL-built API schema; they are what goes upstream and into the key.
    const variables = coerced.coerced as Record<string, unknown>;
    // The resume argument is bound to a variable upstream (cursor.ts), so overriding that variable resumes.
    const resume = plan.upstream.resume;
    if (subscribeOptions.after !== undefined && resume) variables[resume.variable] = subscribeOptions.after;
    const scopeKey = options.scope.key(scope);
    const feed = (): Feed<Scope> => {
      const shared = shareScope(scope, scopeKey);
      return { operation: plan.upstream, variables, scope: shared, render: (event) => hydrate(plan.hydration, event, variables, shared) };
    };
    const onDisclosed = options.onDisclosed;
    const audited: SubscriberSink = onDisclosed
      ? {
          next: (payload, cursor, disclosed) => {
            if (disclosed?.length) onDisclosed(scope, disclosed).catch((error: unknown) => logger.error(`subscription: a reporter delivery was not audited: ${String(error)}`));
            sink.next(payload, cursor, disclosed);
          },
          error: (errors) => sink.error(errors),
          complete: () => sink.complete(),
        }
      : sink;
    return { dispose: sharing.join(sharingKey(operation.canonical, variables, scopeKey), audited, feed) };
  }

  return {
    apiSchema: schemas.api,
    prepare: planner.prepare,
    subscribe,
    stats: () => ({ ...sharing.stats(), plansCached: planner.cached }),
    async dispose() {
      disposed = true;
      sharing.close();
      await options.upstream.dispose?.();
    },
  };
}
