import { setTimeout as delay } from "node:timers/promises";
import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, Kind, SelectionSetNode } from "graphql";
import Redis from "ioredis";
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { GatewayContext } from "./subgraph-client";
import { redisBack, redisUnreachable } from "../platform/redis-warning";
import { describedError } from "../platform/errors";
import { Message, message } from "../platform/i18n";

/**
 * Mutation rate limits per caller: the token's subject, or the client address for the public. A fixed
 * window per caller (one minute by default), counted by rate-limiter-flexible: in this process, or in Redis
 * so every gateway replica counts against one limit. The window's end is an honest retry hint.
 */

export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until the caller's window resets (at least 1). */
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
  /** Window length in whole seconds. Default 60. */
  windowSeconds?: number;
}

const MINUTE = 60;

/** Where rate-limiter-flexible keeps the counters: `kawal:rate:<caller key>`, in Redis as in memory. */
const KEY_PREFIX = "kawal:rate";

/**
 * Any limiter of rate-limiter-flexible as a RateLimiter: a consume over the limit rejects with the caller's
 * RateLimiterRes (still counted, as the window's arithmetic wants), a store failure with an Error.
 */
function decisions(limiter: RateLimiterAbstract): RateLimiter {
  const retryAfter = (result: RateLimiterRes) => Math.max(1, Math.ceil(result.msBeforeNext / 1000));
  return {
    async hit(key, cost) {
      try {
        return { allowed: true, retryAfterSeconds: retryAfter(await limiter.consume(key, cost)) };
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: retryAfter(refusal) };
        throw refusal;
      }
    },
    async dispose() {},
  };
}

function memoryLimiter({ limit, windowSeconds = MINUTE }: RateLimitOptions): RateLimiterMemory {
  return new RateLimiterMemory({ keyPrefix: KEY_PREFIX, points: limit, duration: windowSeconds });
}

/** One process's counters; fine for a single gateway, not shared between replicas. */
export function memoryRateLimiter(options: RateLimitOptions): RateLimiter {
  return decisions(memoryLimiter(options));
}

/**
 * Counters in Redis, shared by every gateway replica. While Redis cannot be reached, each gateway counts in its
 * own memory instead (rate-limiter-flexible's insurance limiter): the same limit per caller and per replica, so
 * a caller spreading mutations over N replicas gets at most N times the limit until Redis is back, and nobody
 * gets through unlimited. A Redis that is down must not slow mutations: the client queues no command while
 * disconnected and the limiter sends none unless the connection is ready (both fall to memory at once), and a
 * command to a Redis that stopped answering without closing the connection gives up after 250 ms.
 */
export function redisRateLimiter(url: URL, options: RateLimitOptions): RateLimiter {
  const redis = new Redis(url.toString(), { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 250 });
  let warned = false;
  redis.on("error", (error: Error) => {
    if (!warned) redisUnreachable(url.host, error.message);
    warned = true;
  });
  redis.on("ready", () => {
    if (warned) redisBack(url.host);
    warned = false;
  });
  // The first mutations after start wait for the first connection (500 ms at most, once), so they count in
  // Redis too; after that nothing waits for Redis.
  const firstConnection = new Promise<void>((resolve) => redis.once("ready", resolve).once("error", resolve));
  let settled = false;
  void firstConnection.then(() => (settled = true));
  let waiting: Promise<void> | undefined;
  const limiter = decisions(
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: KEY_PREFIX,
      points: options.limit,
      duration: options.windowSeconds ?? MINUTE,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memoryLimiter(options),
    }),
  );
  return {
    async hit(key, cost) {
      if (!settled) await (waiting ??= Promise.race([firstConnection, delay(500, undefined, { ref: false })]).then(() => void (settled = true)));
      return limiter.hit(key, cost);
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

/** The window a limiter counts in, as the refusals say it: "a minute", "per 10 s". */
export function rateWindow(windowSeconds: number): Message {
  return windowSeconds === MINUTE ? message("word.aMinute") : message("word.perSeconds", { seconds: windowSeconds });
}

/** The refusal, naming the window the limiter counts in: "at most 120 mutations a minute per caller; retry in 42 s". */
export function rateLimited(retryAfterSeconds: number, { limit, windowSeconds = MINUTE }: RateLimitOptions): GraphQLError {
  return describedError(message("rate.mutations", { limit, window: rateWindow(windowSeconds), seconds: retryAfterSeconds }), {
    code: "RATE_LIMITED",
    retryAfterSeconds,
    http: { status: 429, headers: new Map([["retry-after", String(retryAfterSeconds)]]) },
  });
}

/**
 * The Apollo plugin: after the operation is known and before anything is planned or sent to a subgraph, each
 * mutation field counts one hit against its caller. Queries are not limited here (operation limits bound
 * their cost); WebSocket queries and mutations run through the same Apollo Server, so the same rule applies.
 */
export function mutationRateLimitPlugin(limiter: RateLimiter, options: RateLimitOptions): ApolloServerPlugin<GatewayContext> {
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
          if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds, options);
        },
      };
    },
  };
}
