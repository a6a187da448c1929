import { GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from "@apollo/gateway";
import type { Fetcher } from "@apollo/utils.fetcher";
import { GraphQLError } from "graphql";
import { CLIENT_ADDRESS_HEADER, MaybeCaller, subgraphHeaders } from "../caller/claims";
import { DISCLOSED_EXTENSION, Disclosure, disclosuresOf } from "../caller/disclosures";
import { Reads, READS_EXTENSION, readsOf, widest } from "../caller/reads";
import { counter } from "../platform/metrics";
import { MergingFetcher, mergeInFlight } from "./fetch-merging";
import type { RequestRecord } from "./plugins/request-record";
import { observeFetches } from "./plugins/subgraph-fetches";
import { BatchedAnswer, FetchBatching } from "./fetch-batching";
import { injectContext } from "../platform/tracing";

/** The gateway's per-request context. */
export interface GatewayContext {
  /** The verified caller; null for the public. */
  caller: MaybeCaller;
  /** The client's address (HTTP), the rate-limit key of the public; unset for in-process calls. */
  clientAddress?: string;
  /**
   * The subgraphs this request has sent a fetch to, filled in as fetches go out: what a cached answer
   * depends on, and what a mutation may have written (response-cache-plugin.ts).
   */
  subgraphsUsed?: Set<string>;
  /** Reports whose reporter the answer holds, as the subgraphs listed them: audited, never cached (reporter-audit.ts). */
  disclosed?: Disclosure[];
  /**
   * The widest of what the subgraphs' answers read of the caller and the request (caller/reads.ts), filled in as
   * answers arrive: with whom the response cache may share the answer. Unset until one arrives.
   */
  reads?: Reads;
  /** What the request log and metrics learn of this request; unset for in-process calls. */
  request?: RequestRecord;
}

export interface SubgraphClientOptions {
  /** The subgraph's name, recorded in GatewayContext.subgraphsUsed. Default: nothing is recorded. */
  name?: string;
  /** How requests are sent. Default @apollo/gateway's own fetcher (make-fetch-happen). */
  fetcher?: Fetcher;
  /** Count and time its fetches (kawal_gateway_subgraph_fetches_total, ...). Default true. */
  metrics?: boolean;
  /**
   * Send identical queries in flight at the same moment once (fetch-merging.ts): same document, variables and
   * rights; an answer that depends on the person goes only to that person's requests; mutations are never
   * merged. Counted in kawal_gateway_subgraph_fetches_merged_total. Default true.
   */
  mergeFetches?: boolean;
  /**
   * Send a request's reads that start at the same moment as one HTTP request (fetch-batching.ts); the subgraph
   * must accept batches (Apollo Server's allowBatchedHttpRequests, on in ours). Default false; the hub sets it
   * from KAWAL_SUBGRAPH_BATCHING.
   */
  batch?: boolean;
}

type ReceivedResponse = Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>["didReceiveResponse"]>>[0];
/** A fetch as it goes to a subgraph, its HTTP part filled in by process() and willSendRequest. */
type SentRequest = GraphQLDataSourceProcessOptions<GatewayContext>["request"] & { http?: { url: string; method: string; headers: Iterable<[string, string]> } };

/**
 * A subgraph as the gateway calls it: every request carries the subgraph secret, and the verified
 * caller's claims for the subgraph's own access rules.
 */
export class SubgraphClient extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly name?: string;
  private readonly merging?: MergingFetcher;

  constructor(
    url: string,
    private readonly secret: string,
    options: SubgraphClientOptions = {},
  ) {
    super(options.fetcher ? { url, fetcher: options.fetcher } : { url });
    this.name = options.name;
    const label = options.name ?? new URL(url).host;
    const observed = options.metrics === false ? this.fetcher : observeFetches(this.fetcher, label);
    if (options.mergeFetches !== false) {
      const merged = options.metrics === false ? undefined : counter({ name: "kawal_gateway_subgraph_fetches_merged_total", help: "Subgraph fetches answered by an identical one in flight, not sent", labelNames: ["subgraph"] });
      this.merging = mergeInFlight(observed, () => merged?.inc({ subgraph: label }));
    }
    this.fetcher = sayWhatFailed(this.merging?.fetcher ?? observed, label);
    if (options.batch) {
      // sendRequest is declared private in @apollo/gateway's types but is the one step between willSendRequest
      // and didReceiveResponse that sees both the request and its context; batching takes its place.
      const sendOne = RemoteGraphQLDataSource.prototype["sendRequest"].bind(this) as (request: SentRequest, context: GatewayContext | undefined) => Promise<BatchedAnswer>;
      const batching = new FetchBatching<GatewayContext, SentRequest>({
        sendOne,
        fetcher: this.fetcher,
        errorFromResponse: (response) => this.errorFromResponse(response as Parameters<RemoteGraphQLDataSource["errorFromResponse"]>[0]),
      });
      this["sendRequest"] = ((request: SentRequest, context: GatewayContext) => batching.send(context, request)) as RemoteGraphQLDataSource<GatewayContext>["sendRequest"];
    }
  }

  /** A write reached this subgraph: no later fetch joins one already in flight (fetch-merging.ts). */
  sealInFlight(): void {
    this.merging?.seal();
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    const gatewayContext = context as Partial<GatewayContext> | undefined;
    for (const [name, value] of Object.entries(subgraphHeaders(this.secret, gatewayContext?.caller))) headers.set(name, value);
    if (gatewayContext?.clientAddress) headers.set(CLIENT_ADDRESS_HEADER, gatewayContext.clientAddress);
    if (this.name && gatewayContext) (gatewayContext.subgraphsUsed ??= new Set()).add(this.name);
    injectContext((name, value) => headers.set(name, value));
  }

  /** Takes what the subgraph's answer read of the caller, and its disclosed reporters, out of it into the request's context. */
  override didReceiveResponse({ response, context }: ReceivedResponse): ReceivedResponse["response"] {
    const gatewayContext = context as Partial<GatewayContext>;
    const reads = readsOf(response.extensions);
    gatewayContext.reads = gatewayContext.reads ? widest(gatewayContext.reads, reads) : reads;
    const disclosed = disclosuresOf(response.extensions);
    if (disclosed.length > 0) (gatewayContext.disclosed ??= []).push(...disclosed);
    if (response.extensions) {
      delete response.extensions[READS_EXTENSION];
      delete response.extensions[DISCLOSED_EXTENSION];
    }
    return response;
  }
}

/** Error codes (undici's and Node's) of a connection that was never made: the subgraph got nothing. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT", "EHOSTUNREACH"]);

function errorCode(error: unknown): string | undefined {
  for (let cause = error; typeof cause === "object" && cause !== null; cause = (cause as { cause?: unknown }).cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/**
 * A fetcher whose network failures tell the client what it may do next. A subgraph that went away after
 * the request left (reset, closed, timed out) may or may not have done the write: OUTCOME_UNKNOWN, retry with
 * the same idempotency key. One that was never reached did nothing: SUBGRAPH_UNAVAILABLE.
 */
function sayWhatFailed(fetcher: Fetcher, subgraph: string): Fetcher {
  return async (url, init) => {
    try {
      return await fetcher(url, init);
    } catch (error) {
      const code = errorCode(error);
      if (code !== undefined && NOT_SENT.has(code)) {
        throw new GraphQLError(`the ${subgraph} service is not reachable; nothing was sent to it: try again later`, {
          extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName: subgraph },
        });
      }
      throw new GraphQLError(`the ${subgraph} service went away before answering; it may or may not have done what was asked: retry with the same idempotencyKey`, {
        extensions: { code: "OUTCOME_UNKNOWN", serviceName: subgraph },
      });
    }
  };
}
