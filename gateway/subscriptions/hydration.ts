/**
 * Hydration: completing an upstream event with the fields other subgraphs own (the `rest` of the
 * subscription's plan) and encoding the result as the payload every subscriber of a shared upstream receives.
 *
 * @apollo/gateway's executeQueryPlan runs the plan. It refuses a Subscription node, so it gets
 * Sequence[primary, rest], and the primary fetch is answered with the event by wrapping the primary
 * subgraph's data source: errors keep the real subgraph's `serviceName`, and an entity fetch back to that
 * subgraph in `rest` still reaches it.
 */
import type { ExecutionResult } from "graphql";
import type { FetchNode, QueryPlan } from "@apollo/query-planner";
import { buildOperationContext, executeQueryPlan, GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { Disclosure, disclosuresOf } from "../../caller/disclosures";
import type { UpstreamResult } from "./connector";
import type { Rendered } from "./sharing";
import type { EngineSchemas } from "./schemas";

type RequestContext = Parameters<typeof executeQueryPlan>[2];

/** What hydration needs of a subscription document, computed once at planning. */
export interface HydrationPlan {
  /** The fetch the event answers. */
  readonly primary: Pick<FetchNode, "serviceName" | "operation">;
  /** Sequence[primary, rest], or the primary alone. */
  readonly plan: QueryPlan;
  readonly operationContext: ReturnType<typeof buildOperationContext>;
  /** The printed client document, given to data sources as the incoming request's query. */
  readonly clientQuery: string;
}

export interface HydratorOptions<Scope> {
  schemas: EngineSchemas;
  /** Data sources for the entity fetches of `rest`, by subgraph name. */
  services: Record<string, GraphQLDataSource>;
  /** The context data sources receive for a scope. */
  dataSourceContext: (scope: Scope) => object;
  logger: Pick<Console, "error">;
}

/**
 * Hydrates one event as `scope` and serializes it, with the reporters it discloses (listed by the subgraph of the
 * event, or by those of its entity fetches); a failure becomes an error payload, never a rejection.
 */
export type Hydrator<Scope> = (plan: HydrationPlan, event: UpstreamResult, variables: Record<string, unknown>, scope: Scope) => Promise<Rendered>;

const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** What subscribers receive when an event cannot be completed: they keep their subscription. */
const HYDRATION_FAILED = JSON.stringify({
  data: null,
  errors: [{ message: "the event could not be completed with data from the other subgraphs", extensions: { code: "INTERNAL_SERVER_ERROR" } }],
});

export function createHydrator<Scope>(options: HydratorOptions<Scope>): Hydrator<Scope> {
  const { schemas, services, logger } = options;

  async function execute(hydration: HydrationPlan, event: UpstreamResult, variables: Record<string, unknown>, scope: Scope): Promise<{ result: ExecutionResult; disclosed: Disclosure[] }> {
    const { primary, operationContext } = hydration;
    const real = services[primary.serviceName];
    const primarySource: GraphQLDataSource = {
      process: (processOptions: GraphQLDataSourceProcessOptions) => {
        if (processOptions.request.query === primary.operation) return Promise.resolve(event as ExecutionResult as never);
        if (!real) return Promise.reject(new Error(`no data source for subgraph "${primary.serviceName}"`));
        return real.process(processOptions);
      },
    };
    const operationName = operationContext.operation.name?.value;
    // executeQueryPlan reads only request, logger, context and metrics (it writes metrics.nonFtv1ErrorPaths);
    // the rest of Apollo Server's request context does not exist outside a server request. Fresh per event
    // because metrics are written.
    // The entity fetches' data sources list what their answers disclosed here (GatewayContext.disclosed).
    const context = options.dataSourceContext(scope) as { disclosed?: Disclosure[] };
    const requestContext = {
      request: { query: hydration.clientQuery, operationName, variables },
      logger: silentLogger,
      context,
      metrics: {},
      cache: undefined,
      overallCachePolicy: undefined,
      operationName: operationName ?? null,
      operation: operationContext.operation,
      schema: schemas.api,
    } as unknown as RequestContext;
    const serviceMap = { ...services, [primary.serviceName]: primarySource };
    const result = await executeQueryPlan(hydration.plan, serviceMap, requestContext, operationContext, schemas.full, schemas.federationApi);
    return {
      result: { data: result.data, ...(result.errors && result.errors.length > 0 ? { errors: result.errors } : {}) },
      disclosed: [...disclosuresOf(event.extensions), ...(context.disclosed ?? [])],
    };
  }

  return async (hydration, event, variables, scope) => {
    try {
      const { result, disclosed } = await execute(hydration, event, variables, scope);
      return { payload: JSON.stringify(result), disclosed };
    } catch (error) {
      logger.error("subscription hydration failed:", error);
      return { payload: HYDRATION_FAILED, disclosed: [] };
    }
  };
}
