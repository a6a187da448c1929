import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, Kind, SelectionSetNode } from "graphql";
import Redis from "ioredis";
import type { GatewayContext } from "./subgraph-client";

/**
 * Mutation rate limits per caller: the token's subject, or the client address for the public. A fixed
 * window per caller (one minute by default): simple enough to share through Redis with one round trip, and
 * the window's end is an honest retry hint.
 */

export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until the caller's window resets (at least 1 when refused). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Counts `cost` hits for `key` and says whether they fit in the window. */
  hit(key: string, cost: number): Promise<RateDecision>;
  dispose(): Promise<void>;
}

export interface RateLimitOptions {
  /** Hits allowed per window per caller. */
  limit: number;
  /** Window length. Default 60 s. */
  windowMs?: number;
}

/** One process's counters; fine for a single gateway, not shared between replicas. */
export function memoryRateLimiter({ limit, windowMs = 60_000 }: RateLimitOptions): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  // Expired windows are swept now and then, so a scan of many addresses does not grow the map forever.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, window] of windows) if (window.resetAt <= now) windows.delete(key);
  }, windowMs);
  sweep.unref();
  return {
    async hit(key, cost) {
      const now = Date.now();
      let window = windows.get(key);
      if (!window || window.resetAt <= now) {
        window = { count: 0, resetAt: now + windowMs };
        windows.set(key, window);
      }
      window.count += cost;
      return { allowed: window.count <= limit, retryAfterSeconds: Math.max(1, Math.ceil((window.resetAt - now) / 1000)) };
    },
    async dispose() {
      clearInterval(sweep);
    },
  };
}

/**
 * Counters in Redis, shared by every gateway replica: SET NX starts the window with its expiry, INCRBY counts,
 * PTTL gives the retry hint, all in one MULTI. If Redis is unreachable the limiter lets requests through
 * (and logs once): on election day, a dead Redis must not turn into a dead hub (operation limits and the
 * per-subgraph rules still hold).
 */
export function redisRateLimiter(url: URL, { limit, windowMs = 60_000 }: RateLimitOptions): RateLimiter {
  // Commands wait for the connection (the first mutations after start count too) but never more than 500 ms.
  const redis = new Redis(url.toString(), { maxRetriesPerRequest: 1, commandTimeout: 500 });
  let warned = false;
  redis.on("error", (error: Error) => {
    if (!warned) console.error(`rate limits: Redis unavailable, not limiting until it is back (${error.message})`);
    warned = true;
  });
  redis.on("ready", () => (warned = false));
  return {
    async hit(key, cost) {
      const redisKey = `kawal:rate:${key}`;
      try {
        const results = await redis.multi().set(redisKey, 0, "PX", windowMs, "NX").incrby(redisKey, cost).pttl(redisKey).exec();
        const count = Number(results?.[1]?.[1] ?? 0);
        const ttl = Number(results?.[2]?.[1] ?? windowMs);
        return { allowed: count <= limit, retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)) };
      } catch {
        return { allowed: true, retryAfterSeconds: 0 };
      }
    },
    async dispose() {
      redis.disconnect();
    },
  };
}

/** Root fields of a mutation, through fragments: `{ a: reportIncident(...) b: reportIncident(...) }` is two. */
function rootFieldCount(selectionSet: SelectionSetNode, fragments: Record<string, { selectionSet: SelectionSetNode }>, seen = new Set<string>()): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) count += selection.name.value === "__typename" ? 0 : 1;
    else if (selection.kind === Kind.INLINE_FRAGMENT) count += rootFieldCount(selection.selectionSet, fragments, seen);
    else if (!seen.has(selection.name.value) && fragments[selection.name.value]) {
      seen.add(selection.name.value);
      count += rootFieldCount(fragments[selection.name.value].selectionSet, fragments, seen);
    }
  }
  return count;
}

/** Who is counted: the token's subject, else the client's address. */
export function rateKey(context: GatewayContext): string {
  if (context.caller) return `sub:${context.caller.sub}`;
  return `addr:${context.clientAddress ?? "unknown"}`;
}

export function rateLimited(retryAfterSeconds: number, limit: number): GraphQLError {
  return new GraphQLError(`too many mutations: at most ${limit} a minute per caller; retry in ${retryAfterSeconds} s`, {
    extensions: {
      code: "RATE_LIMITED",
      retryAfterSeconds,
      http: { status: 429, headers: new Map([["retry-after", String(retryAfterSeconds)]]) },
    },
  });
}

/**
 * The Apollo plugin: after the operation is known and before anything is planned or sent to a subgraph, each
 * mutation field counts one hit against its caller. Queries are not limited here (operation limits bound
 * their cost); WebSocket queries and mutations run through the same Apollo Server, so the same rule applies.
 */
export function mutationRateLimitPlugin(limiter: RateLimiter, limit: number): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue }) {
          if (operation?.operation !== "mutation") return;
          const fragments: Record<string, { selectionSet: SelectionSetNode }> = {};
          for (const definition of document.definitions) {
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          }
          const cost = Math.max(1, rootFieldCount(operation.selectionSet, fragments));
          const decision = await limiter.hit(rateKey(contextValue), cost);
          if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds, limit);
        },
      };
    },
  };
}
