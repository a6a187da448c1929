/**
 * The gateway's subscription engine: the protocol-independent core (no sockets here; see ws-adapter.ts).
 *
 * @apollo/gateway plans subscriptions but refuses to execute them, so this does what Apollo Router does:
 *   1. validate the client's document against the API schema and plan it with @apollo/query-planner
 *      (a `Subscription` node: a `primary` fetch to the subgraph owning the root field, and an optional
 *      `rest` plan of entity fetches);
 *   2. open the primary fetch upstream through an `UpstreamConnector` (graphql-ws in production);
 *   3. hydrate every upstream event ONCE with @apollo/gateway's `executeQueryPlan`, the event fed in as the
 *      answer to the primary fetch (the primary's data source is wrapped to answer with the event, so
 *      errors keep the real subgraph's `serviceName`);
 *   4. serialize the result ONCE and hand that same string to every client subscription sharing the upstream.
 *
 * Sharing: client subscriptions with the same document, variables and caller scope (role, org, regions,
 * scopes: what the subgraphs' access rules can see) share one upstream subscription, reference counted.
 *
 * Resume: the engine asks the upstream for the cursor field (`sequence`) under a private alias, remembers
 * the last cursor per shared upstream, and when the upstream drops it re-subscribes with the resume argument
 * (`after`) set to that cursor, with backoff, while client subscriptions stay open. Events at or below the
 * last cursor are dropped, so a subgraph that replays one too many does not duplicate.
 */
import {
  ArgumentNode,
  DocumentNode,
  ExecutionResult,
  FieldNode,
  getNamedType,
  getOperationAST,
  GraphQLError,
  GraphQLFormattedError,
  GraphQLObjectType,
  GraphQLSchema,
  isObjectType,
  Kind,
  OperationDefinitionNode,
  OperationTypeNode,
  specifiedRules,
  ValidationRule,
  parse,
  ParseOptions,
  parseType,
  print,
  validate,
  valueFromASTUntyped,
  VariableDefinitionNode,
} from "graphql";
import { getVariableValues } from "graphql/execution/values";
import { operationFromDocument, Supergraph } from "@apollo/federation-internals";
import { FetchNode, QueryPlan, QueryPlanner, SubscriptionNode } from "@apollo/query-planner";
import {
  buildOperationContext,
  executeQueryPlan,
  GraphQLDataSource,
  GraphQLDataSourceProcessOptions,
} from "@apollo/gateway";
import type { Caller } from "../../subgraphs/kit/caller";

// ---------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------

/** What an upstream event looks like: the `payload` of a graphql-ws `next` message. */
export interface UpstreamResult {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
  extensions?: Record<string, unknown>;
}

/** One upstream subscription request, as the connector must send it. */
export interface UpstreamRequest {
  /** Subgraph name in the supergraph (e.g. "incidents"). */
  serviceName: string;
  /** The primary fetch's operation, rewritten to carry the cursor field and the resume argument. */
  query: string;
  operationName?: string;
  /** Only the variables the primary fetch uses, with the resume argument set when re-subscribing. */
  variables: Record<string, unknown>;
  /**
   * The caller scope sharing this upstream: role, org, regions, scopes of the subscribers; `sub` names the
   * scope, not a person, and there is no `exp` (the gateway ends each client subscription at its own expiry).
   */
  caller: Caller;
}

/** Why an upstream subscription ended early. */
export class UpstreamError extends Error {
  constructor(
    message: string,
    /** true: the link dropped (subgraph restarting, network); the engine re-subscribes from the last cursor. */
    readonly retryable: boolean,
    /** The subgraph's GraphQL errors when it refused the operation (not retryable). */
    readonly errors?: readonly GraphQLFormattedError[],
  ) {
    super(message);
    this.name = "UpstreamError";
  }
}

/** Receives one upstream subscription's events; exactly one of error/complete ends it. */
export interface UpstreamSink {
  next(result: UpstreamResult): void;
  error(error: UpstreamError): void;
  complete(): void;
}

/** Opens subscriptions on subgraphs. The transport (graphql-ws in production) lives behind this. */
export interface UpstreamConnector {
  /** Starts the subscription; returns the function that ends it (no sink call after that). */
  subscribe(request: UpstreamRequest, sink: UpstreamSink): () => void;
  /** Closes whatever the connector holds open. */
  dispose?(): Promise<void>;
}

/** One client subscription's receiver. Calls stop after error or complete. */
export interface SubscriberSink {
  /**
   * A serialized `ExecutionResult` (`{"data":...,"errors":[...]}`): the very same string instance for every
   * subscriber of a shared upstream, so a transport only wraps it in its frame.
   */
  next(payload: string): void;
  /** The subscription failed for good (the subgraph refused it); no more calls follow. */
  error(errors: readonly GraphQLFormattedError[]): void;
  /** The upstream ended the stream; no more calls follow. */
  complete(): void;
}

/** A client document, parsed, validated and (for subscriptions) planned; cached by text and operation name. */
export interface PreparedOperation {
  readonly kind: OperationTypeNode;
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly operationName?: string;
  /** Names of the selected root fields, e.g. ["incidentAlerts"] (for authorization). */
  readonly rootFields: readonly string[];
  /** Normalized text (printed document + operation name): part of the sharing key. */
  readonly canonical: string;
  /** @internal the compiled subscription; undefined for queries and mutations. */
  readonly plan?: CompiledSubscription;
}

export type Prepared = { ok: true; operation: PreparedOperation } | { ok: false; errors: GraphQLError[] };

export interface SubscribeResult {
  /** Variable or planning errors: nothing was started. */
  errors?: GraphQLError[];
  /** Leaves the subscription (idempotent); the upstream closes when its last subscriber leaves. */
  dispose?: () => void;
}

/** Counters for tests and benchmarks. Monotonic ones count since the engine started. */
export interface SubscriptionEngineStats {
  /** Client subscriptions currently open. */
  subscribers: number;
  /** Shared upstream subscriptions currently open (one per distinct document + variables + caller scope). */
  upstreams: number;
  /** Upstream subscribe calls made, re-subscriptions included. */
  upstreamsOpened: number;
  /** Re-subscriptions after an upstream drop. */
  resubscribes: number;
  /** Events received from upstreams. */
  eventsReceived: number;
  /** Events dropped because their cursor was not after the last one seen (replay overlap). */
  duplicatesSkipped: number;
  /** executeQueryPlan runs: one per accepted upstream event, whatever the number of subscribers. */
  hydrations: number;
  /** Payloads handed to subscriber sinks. */
  deliveries: number;
  /** Operations in the plan cache. */
  plansCached: number;
}

export interface CursorOptions {
  /** Field of the subscription's root type holding the resume cursor. Default "sequence". */
  field: string;
  /** Argument of the subscription root field that resumes after a cursor. Default "after". */
  argument: string;
  /**
   * Orders two cursors (negative: a before b). Default: digit strings numerically (any length), other
   * strings by code unit. The contract calls `sequence` opaque but strictly increasing.
   */
  compare?: (a: string, b: string) => number;
  /**
   * Reads the newest cursor from the subgraph owning the subscription (undefined when there is none or
   * the read fails). An upstream opened without a cursor first reads it and subscribes from there, so a
   * drop before the first event, or an event between the read and the subscribe, is replayed, not lost.
   * Default: none (such an upstream starts live, and resumes only once it has seen an event).
   */
  head?: (serviceName: string, caller: Caller) => Promise<string | undefined>;
}

export interface BackoffOptions {
  /** First re-subscribe delay after a drop. Default 100 ms. */
  initialMs: number;
  /** Longest delay between attempts. Default 5,000 ms. */
  maxMs: number;
  /** Growth per failed attempt. Default 2. */
  factor: number;
}

export interface SubscriptionEngineOptions {
  /** The supergraph SDL the HTTP gateway serves (the same file, so plans agree). */
  supergraphSdl: string;
  /**
   * Data sources for the `rest` of each plan (entity fetches), by subgraph name: the gateway's
   * RemoteGraphQLDataSource clients. The primary subgraph's own entry is used for entity fetches back to it.
   */
  services: Record<string, GraphQLDataSource>;
  /** How upstream subscriptions are opened. */
  upstream: UpstreamConnector;
  /**
   * The context handed to data sources for a caller scope. Default `{ caller }`, which is what the
   * gateway's SubgraphClient reads to forward claims.
   */
  dataSourceContext?: (caller: Caller) => object;
  /** Resume cursor; `false` disables resume (re-subscribe from "now"). Default { field: "sequence", argument: "after" }. */
  cursor?: Partial<CursorOptions> | false;
  /** Re-subscribe backoff. Defaults in BackoffOptions. */
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
  /** Where unexpected failures are reported. Default console. */
  logger?: Pick<Console, "warn" | "error">;
}

export interface SubscriptionEngine {
  /** The client-facing (API) schema operations are validated against. */
  readonly apiSchema: GraphQLSchema;
  /** Parses, validates and (for subscriptions) plans; cached per (query text, operation name). */
  prepare(query: string, operationName?: string | null): Prepared;
  /** Starts a client subscription on a prepared subscription operation. */
  subscribe(
    operation: PreparedOperation,
    variables: Record<string, unknown> | null | undefined,
    caller: Caller,
    sink: SubscriberSink,
  ): SubscribeResult;
  stats(): SubscriptionEngineStats;
  /** Closes every upstream without notifying subscribers (the transport closes their sockets). */
  dispose(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------------------

/** Private alias under which the upstream returns the cursor, whatever the client selected. */
const CURSOR_ALIAS = "__kawalCursor";
/** Variable the resume argument is bound to when the client gave a literal or nothing. */
const RESUME_VARIABLE = "__kawalAfter";

type RequestContext = Parameters<typeof executeQueryPlan>[2];
type OperationContext = Parameters<typeof executeQueryPlan>[3];
type FederationSchema = Parameters<typeof executeQueryPlan>[5];

/** @internal Everything the engine computes once per subscription document. */
export interface CompiledSubscription {
  primary: FetchNode;
  /** Sequence[primary, rest] (or the primary alone): executeQueryPlan refuses a Subscription node. */
  hydrationPlan: QueryPlan;
  operationContext: OperationContext;
  /** Printed client document, given to data sources as the incoming request's query. */
  clientQuery: string;
  upstreamQuery: string;
  upstreamOperationName?: string;
  variableUsages: readonly string[];
  /** Response key of the root field in the upstream result. */
  rootKey: string;
  /** Whether the upstream result carries the cursor under CURSOR_ALIAS. */
  tracksCursor: boolean;
  /** How to resume: the variable that carries the cursor and where its initial value comes from. */
  resume?: { variable: string; literal?: unknown };
}

/** Numeric-aware cursor order: "10" after "9"; non-digit strings by code unit. */
export function compareCursors(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = a.replace(/^0+(?=\d)/, "");
    const y = b.replace(/^0+(?=\d)/, "");
    if (x.length !== y.length) return x.length - y.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with sorted object keys, so {a,b} and {b,a} share an upstream. */
function stableStringify(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
}

/** What the subgraphs' access rules can see of a caller; two agencies with the same regions share. */
export function callerScopeKey(caller: Caller): string {
  return [caller.role, caller.org ?? "", [...caller.regions].sort().join(","), [...caller.scopes].sort().join(" ")].join("|");
}

function scopeCaller(caller: Caller, scopeKey: string): Caller {
  // No exp: a shared upstream outlives any one token; no personal sub: it serves everyone in the scope.
  return { sub: `gateway-subscription:${scopeKey}`, role: caller.role, org: caller.org, regions: [...caller.regions], scopes: [...caller.scopes] };
}

/** Longest document kept in the plan cache; every operation of the README and the apps is far shorter. */
const MAX_CACHED_QUERY_LENGTH = 10_000;

const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

class LruCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
  get size(): number {
    return this.map.size;
  }
}

export function createSubscriptionEngine(options: SubscriptionEngineOptions): SubscriptionEngine {
  const supergraph = Supergraph.build(options.supergraphSdl);
  const supergraphGqlSchema = supergraph.schema.toGraphQLJSSchema();
  const apiSchema: FederationSchema = supergraph.apiSchema();
  const apiGqlSchema: GraphQLSchema = apiSchema.toGraphQLJSSchema();
  const planner = new QueryPlanner(supergraph);
  const cache = new LruCache<Prepared>(options.planCacheSize ?? 1000);
  const rules: readonly ValidationRule[] = [...specifiedRules, ...(options.validationRules ?? [])];
  const logger = options.logger ?? console;
  const dataSourceContext = options.dataSourceContext ?? ((caller: Caller) => ({ caller }));
  const cursor: CursorOptions | undefined =
    options.cursor === false
      ? undefined
      : {
          field: options.cursor?.field ?? "sequence",
          argument: options.cursor?.argument ?? "after",
          compare: options.cursor?.compare ?? compareCursors,
          head: options.cursor?.head,
        };
  const backoff: BackoffOptions = { initialMs: 100, maxMs: 5000, factor: 2, ...options.backoff };
  const counters = {
    upstreamsOpened: 0,
    resubscribes: 0,
    eventsReceived: 0,
    duplicatesSkipped: 0,
    hydrations: 0,
    deliveries: 0,
  };
  /** Upstreams a new subscriber may join, by sharing key. */
  const joinable = new Map<string, SharedUpstream>();
  /** Every open upstream (joinable or not), for stats and dispose. */
  const open = new Set<SharedUpstream>();
  let subscriberCount = 0;
  let disposed = false;

  // ---- preparing ---------------------------------------------------------------------------------------

  function compile(document: DocumentNode, operationName?: string): CompiledSubscription {
    const plan = planner.buildQueryPlan(operationFromDocument(apiSchema, document, { operationName, validate: false }));
    const node = plan.node;
    if (!node || node.kind !== "Subscription") throw new Error("the planner did not produce a subscription plan");
    const { primary, rest } = node as SubscriptionNode;
    const hydrationPlan: QueryPlan = {
      kind: "QueryPlan",
      node: rest ? { kind: "Sequence", nodes: [primary, rest] } : primary,
    };
    const operationContext = buildOperationContext({ schema: apiGqlSchema, operationDocument: document, operationName });
    const upstream = rewritePrimary(primary);
    return {
      primary,
      hydrationPlan,
      operationContext,
      clientQuery: print(document),
      upstreamOperationName: primary.operationName,
      variableUsages: primary.variableUsages ?? [],
      ...upstream,
    };
  }

  /**
   * Adds the cursor field under a private alias (the client may not have selected it; executeQueryPlan's
   * response shaping drops it again) and binds the resume argument to a variable the engine can set.
   */
  function rewritePrimary(primary: FetchNode): Pick<CompiledSubscription, "upstreamQuery" | "rootKey" | "tracksCursor" | "resume"> {
    const document = parse(primary.operation);
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const root = operation?.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD);
    const subscriptionType = apiGqlSchema.getSubscriptionType();
    const fieldDef = root ? subscriptionType?.getFields()[root.name.value] : undefined;
    if (!operation || !root || !fieldDef || !cursor) {
      return { upstreamQuery: primary.operation, rootKey: root ? (root.alias ?? root.name).value : "", tracksCursor: false };
    }
    const rootKey = (root.alias ?? root.name).value;
    const returnType = getNamedType(fieldDef.type);
    const tracksCursor = isObjectType(returnType) && cursor.field in (returnType as GraphQLObjectType).getFields() && !!root.selectionSet;
    let selectionSet = root.selectionSet;
    if (tracksCursor && selectionSet) {
      const cursorSelection: FieldNode = {
        kind: Kind.FIELD,
        alias: { kind: Kind.NAME, value: CURSOR_ALIAS },
        name: { kind: Kind.NAME, value: cursor.field },
      };
      selectionSet = { ...selectionSet, selections: [...selectionSet.selections, cursorSelection] };
    }
    const argDef = fieldDef.args.find((a) => a.name === cursor.argument);
    let args = root.arguments ?? [];
    let variableDefinitions = operation.variableDefinitions ?? [];
    let resume: CompiledSubscription["resume"];
    if (argDef) {
      const given = args.find((a) => a.name.value === cursor.argument);
      if (given && given.value.kind === Kind.VARIABLE) {
        resume = { variable: given.value.name.value };
      } else {
        const literal = given ? valueFromASTUntyped(given.value) : undefined;
        resume = { variable: RESUME_VARIABLE, literal };
        const bound: ArgumentNode = {
          kind: Kind.ARGUMENT,
          name: { kind: Kind.NAME, value: cursor.argument },
          value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: RESUME_VARIABLE } },
        };
        args = given ? args.map((a) => (a === given ? bound : a)) : [...args, bound];
        const definition: VariableDefinitionNode = {
          kind: Kind.VARIABLE_DEFINITION,
          variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: RESUME_VARIABLE } },
          type: parseType(String(argDef.type)),
        };
        variableDefinitions = [...variableDefinitions, definition];
      }
    }
    const newRoot: FieldNode = { ...root, arguments: args, selectionSet };
    const newOperation: OperationDefinitionNode = {
      ...operation,
      variableDefinitions,
      selectionSet: { ...operation.selectionSet, selections: operation.selectionSet.selections.map((s) => (s === root ? newRoot : s)) },
    };
    const newDocument: DocumentNode = { ...document, definitions: document.definitions.map((d) => (d === operation ? newOperation : d)) };
    return { upstreamQuery: print(newDocument), rootKey, tracksCursor, resume };
  }

  function prepare(query: string, operationName?: string | null): Prepared {
    const name = operationName ?? undefined;
    const cacheKey = `${name ?? ""}\u0000${query}`;
    const cached = cache.get(cacheKey);
    if (cached) return cached;
    const prepared = prepareUncached(query, name);
    // Only what is worth keeping: refused documents and very large ones (anyone may send them, before any
    // token check) would let a stranger fill the cache, entry by entry, with memory of their choosing.
    if (prepared.ok && query.length <= MAX_CACHED_QUERY_LENGTH) cache.set(cacheKey, prepared);
    return prepared;
  }

  function prepareUncached(query: string, operationName?: string): Prepared {
    let document: DocumentNode;
    try {
      document = parse(query, options.parseOptions);
    } catch (error) {
      return { ok: false, errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error))] };
    }
    const validationErrors = validate(apiGqlSchema, document, rules);
    if (validationErrors.length > 0) return { ok: false, errors: [...validationErrors] };
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      return { ok: false, errors: [new GraphQLError(operationName ? `unknown operation "${operationName}"` : "the document must name the operation to run")] };
    }
    const rootFields = operation.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
    const canonical = `${operation.name?.value ?? ""}\u0000${print(document)}`;
    const base = { kind: operation.operation, document, operation, operationName, rootFields, canonical };
    if (operation.operation !== OperationTypeNode.SUBSCRIPTION) return { ok: true, operation: base };
    try {
      return { ok: true, operation: { ...base, plan: compile(document, operationName) } };
    } catch (error) {
      logger.warn(`subscription planning failed: ${String(error)}`);
      return { ok: false, errors: [new GraphQLError(`this subscription cannot be planned: ${error instanceof Error ? error.message : String(error)}`)] };
    }
  }

  // ---- hydration ---------------------------------------------------------------------------------------

  async function hydrate(plan: CompiledSubscription, payload: UpstreamResult, variables: Record<string, unknown>, caller: Caller): Promise<ExecutionResult> {
    const real = options.services[plan.primary.serviceName];
    // Variant B: the primary fetch is answered with the event; any other fetch to the same subgraph
    // (an entity fetch in `rest`) still reaches the real data source.
    const primarySource: GraphQLDataSource = {
      process: (processOptions: GraphQLDataSourceProcessOptions) => {
        if (processOptions.request.query === plan.primary.operation) return Promise.resolve(payload as ExecutionResult as never);
        if (!real) return Promise.reject(new Error(`no data source for subgraph "${plan.primary.serviceName}"`));
        return real.process(processOptions);
      },
    };
    const serviceMap = { ...options.services, [plan.primary.serviceName]: primarySource };
    // executeQueryPlan reads only request, logger, context and metrics (it writes metrics.nonFtv1ErrorPaths);
    // the rest of Apollo Server's request context does not exist outside a server request. Fresh per event
    // because metrics are mutated.
    const requestContext = {
      request: { query: plan.clientQuery, operationName: plan.operationContext.operation.name?.value, variables },
      logger: silentLogger,
      context: dataSourceContext(caller),
      metrics: {},
      cache: undefined,
      overallCachePolicy: undefined,
      operationName: plan.operationContext.operation.name?.value ?? null,
      operation: plan.operationContext.operation,
      schema: apiGqlSchema,
    } as unknown as RequestContext;
    const result = await executeQueryPlan(plan.hydrationPlan, serviceMap, requestContext, plan.operationContext, supergraphGqlSchema, apiSchema);
    return { data: result.data, ...(result.errors && result.errors.length > 0 ? { errors: result.errors } : {}) };
  }

  // ---- shared upstreams -------------------------------------------------------------------------------

  class SharedUpstream {
    readonly subscribers = new Set<SubscriberSink>();
    /** Last cursor accepted; starts at the client's `after` so a replay that overlaps it is trimmed. */
    lastCursor: string | undefined;
    /** Whether any event went out: a late joiner of an explicit-`after` upstream would miss the replay. */
    delivered = false;
    private attempt = 0;
    private generation = 0;
    private stopUpstream: (() => void) | undefined;
    private retryTimer: NodeJS.Timeout | undefined;
    private chain: Promise<void> = Promise.resolve();
    private closed = false;
    private readonly request: Omit<UpstreamRequest, "variables">;
    private readonly upstreamVariables: Record<string, unknown>;

    constructor(
      readonly key: string,
      private readonly plan: CompiledSubscription,
      private readonly variables: Record<string, unknown>,
      private readonly caller: Caller,
      /** true when the client asked to resume from a cursor: late joiners must not share after delivery. */
      readonly explicitCursor: boolean,
    ) {
      this.request = { serviceName: plan.primary.serviceName, query: plan.upstreamQuery, operationName: plan.upstreamOperationName, caller };
      this.upstreamVariables = {};
      for (const name of plan.variableUsages) if (name in variables) this.upstreamVariables[name] = variables[name];
      if (plan.resume) {
        const initial = plan.resume.variable in variables ? variables[plan.resume.variable] : plan.resume.literal;
        if (initial !== undefined) this.upstreamVariables[plan.resume.variable] = initial;
        if (typeof initial === "string") this.lastCursor = initial;
      }
    }

    /** Reads the newest cursor before the first subscribe, when the subscription has none yet. */
    async start(): Promise<void> {
      if (this.plan.resume && this.lastCursor === undefined && cursor?.head) {
        const head = await cursor.head(this.plan.primary.serviceName, this.caller).catch(() => undefined);
        if (head !== undefined && this.lastCursor === undefined) this.lastCursor = head;
      }
      this.open();
    }

    open(): void {
      if (this.closed) return;
      const generation = ++this.generation;
      const variables = { ...this.upstreamVariables };
      if (this.plan.resume && this.lastCursor !== undefined) variables[this.plan.resume.variable] = this.lastCursor;
      counters.upstreamsOpened++;
      // Guard every callback by generation: a dropped upstream's late callbacks must not touch the new one.
      const live = () => generation === this.generation && !this.closed;
      try {
        this.stopUpstream = options.upstream.subscribe(
          { ...this.request, variables },
          {
            next: (result) => live() && this.onEvent(result),
            error: (error) => live() && this.onError(error),
            complete: () => live() && this.finish(() => this.forEach((s) => s.complete())),
          },
        );
      } catch (error) {
        this.onError(new UpstreamError(String(error), true));
      }
    }

    private onEvent(result: UpstreamResult): void {
      counters.eventsReceived++;
      this.attempt = 0; // the link works again: the next drop starts the backoff from the beginning
      if (this.plan.tracksCursor && cursor?.compare) {
        const root = result.data?.[this.plan.rootKey];
        const value = root && typeof root === "object" ? (root as Record<string, unknown>)[CURSOR_ALIAS] : undefined;
        if (typeof value === "string" || typeof value === "number") {
          const current = String(value);
          if (this.lastCursor !== undefined && cursor.compare(current, this.lastCursor) <= 0) {
            counters.duplicatesSkipped++;
            return;
          }
          this.lastCursor = current;
        }
      }
      if (!this.delivered) {
        this.delivered = true;
        if (this.explicitCursor && joinable.get(this.key) === this) joinable.delete(this.key);
      }
      // One chain per upstream keeps events in order although hydration is asynchronous.
      this.chain = this.chain.then(() => this.hydrateAndFanOut(result));
    }

    private async hydrateAndFanOut(result: UpstreamResult): Promise<void> {
      if (this.closed) return;
      counters.hydrations++;
      let payload: string;
      try {
        payload = JSON.stringify(await hydrate(this.plan, result, this.variables, this.caller));
      } catch (error) {
        logger.error("subscription hydration failed:", error);
        payload = JSON.stringify({ data: null, errors: [{ message: "the alert could not be completed with data from the other subgraphs", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
      }
      this.forEach((sink) => {
        counters.deliveries++;
        sink.next(payload);
      });
    }

    private onError(error: UpstreamError): void {
      if (!error.retryable) {
        const errors = error.errors && error.errors.length > 0 ? error.errors : [{ message: error.message, extensions: { code: "SUBGRAPH_REFUSED" } }];
        this.finish(() => this.forEach((s) => s.error(errors)));
        return;
      }
      // Client subscriptions stay open; the upstream comes back from the last cursor.
      this.stopUpstream = undefined;
      this.generation++;
      const delay = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** this.attempt);
      this.attempt++;
      const jittered = delay / 2 + Math.random() * (delay / 2); // spread a subgraph restart's reconnect storm
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        counters.resubscribes++;
        this.open();
      }, jittered);
      this.retryTimer.unref?.();
    }

    private forEach(fn: (sink: SubscriberSink) => void): void {
      for (const sink of [...this.subscribers]) {
        try {
          fn(sink);
        } catch (error) {
          logger.error("subscriber sink threw:", error);
        }
      }
    }

    /** Ends the upstream after the pending deliveries, then runs `notify` (complete/error to subscribers). */
    private finish(notify: () => void): void {
      this.stopUpstream = undefined;
      this.generation++;
      if (joinable.get(this.key) === this) joinable.delete(this.key);
      this.chain = this.chain.then(() => {
        if (this.closed) return;
        notify();
        this.close();
      });
    }

    leave(sink: SubscriberSink): void {
      if (!this.subscribers.delete(sink)) return;
      subscriberCount--;
      if (this.subscribers.size === 0) this.close();
    }

    close(): void {
      if (this.closed) return;
      this.closed = true;
      subscriberCount -= this.subscribers.size;
      this.subscribers.clear();
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      const stop = this.stopUpstream;
      this.stopUpstream = undefined;
      this.generation++;
      if (joinable.get(this.key) === this) joinable.delete(this.key);
      open.delete(this);
      try {
        stop?.();
      } catch (error) {
        logger.warn(`closing an upstream subscription failed: ${String(error)}`);
      }
    }
  }

  function subscribe(
    operation: PreparedOperation,
    rawVariables: Record<string, unknown> | null | undefined,
    caller: Caller,
    sink: SubscriberSink,
  ): SubscribeResult {
    if (disposed) return { errors: [new GraphQLError("the gateway is shutting down; reconnect")] };
    const plan = operation.plan;
    if (!plan) return { errors: [new GraphQLError("only subscription operations can be subscribed to")] };
    const coerced = getVariableValues(apiGqlSchema, operation.operation.variableDefinitions ?? [], rawVariables ?? {}, { maxErrors: 25 });
    if (coerced.errors) return { errors: [...coerced.errors] };
    // Coerced values are JSON for an SDL-built API schema; they are what goes upstream and into the key.
    const variables = coerced.coerced as Record<string, unknown>;
    const scopeKey = callerScopeKey(caller);
    const key = `${operation.canonical}\u0000${stableStringify(variables)}\u0000${scopeKey}`;
    let shared = joinable.get(key);
    if (!shared) {
      const explicit = plan.resume !== undefined &&
        ((plan.resume.variable in variables && variables[plan.resume.variable] != null) || plan.resume.literal != null);
      shared = new SharedUpstream(key, plan, variables, scopeCaller(caller, scopeKey), explicit);
      joinable.set(key, shared);
      open.add(shared);
      shared.subscribers.add(sink);
      subscriberCount++;
      void shared.start();
    } else {
      shared.subscribers.add(sink);
      subscriberCount++;
    }
    const owner = shared;
    let left = false;
    return {
      dispose: () => {
        if (left) return;
        left = true;
        owner.leave(sink);
      },
    };
  }

  return {
    apiSchema: apiGqlSchema,
    prepare,
    subscribe,
    stats: () => ({
      subscribers: subscriberCount,
      upstreams: open.size,
      ...counters,
      plansCached: cache.size,
    }),
    async dispose() {
      disposed = true;
      for (const shared of [...open]) shared.close();
      await options.upstream.dispose?.();
    },
  };
}

