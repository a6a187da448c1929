import crypto from "node:crypto";
import { ApolloServerPlugin, HeaderMap } from "@apollo/server";
import type { MaybeCaller } from "../caller/claims";
import type { PubSub, Unsubscribe } from "../platform/pubsub";
import type { ResponseCache } from "./response-cache";
import type { GatewayContext } from "./subgraph-client";
import { logger } from "../platform/logging";
import { counter } from "../platform/metrics";

const log = logger("response-cache");

/** The pub/sub topic gateways announce their writes on, so each drops what its cache read of them. */
export const INVALIDATIONS_TOPIC = "response-cache-invalidations";

interface Invalidation {
  subgraphs: string[];
}

function isInvalidation(message: unknown): message is Invalidation {
  const subgraphs = (message as Partial<Invalidation> | null)?.subgraphs;
  return Array.isArray(subgraphs) && subgraphs.every((name) => typeof name === "string");
}

/**
 * Whose answer it is: everything in the token that access rules read. The subject is part of it, so no
 * answer computed for one person is ever served to another, whatever a subgraph's rules look at.
 */
function callerKey(caller: MaybeCaller): string {
  return caller ? JSON.stringify([caller.sub, caller.role, caller.org ?? null, caller.regions, caller.scopes]) : "public";
}

/** The cache's link to other gateways. */
export interface SharedInvalidations {
  /** Tells the other gateways that this one's mutation reached these subgraphs. */
  announce(subgraphs: string[]): void;
  /** Stops listening to the other gateways. */
  dispose(): Promise<void>;
}

/**
 * Connects the cache to other gateways: their writes invalidate ours, ours theirs. The cache serves only while
 * that link is live: it is suspended until the subscription is (Redis may be unreachable at start), again
 * whenever the link drops, and resumes empty when it is back (invalidations sent meanwhile were missed). The
 * gateway answers throughout, computing every answer while suspended.
 */
export function shareInvalidations(cache: ResponseCache, bus: PubSub): SharedInvalidations {
  cache.suspend();
  let subscribed = false;
  let disposed = false;
  const resumeIfLive = () => {
    if (subscribed && !disposed && bus.isLive()) cache.resume();
  };
  const stopDown = bus.onLinkDown(() => cache.suspend());
  const stopResync = bus.onResync(resumeIfLive);
  const subscription: Promise<Unsubscribe | undefined> = bus
    .subscribe(INVALIDATIONS_TOPIC, (message) => {
      if (isInvalidation(message)) cache.invalidate(message.subgraphs);
    })
    .then(
      (unsubscribe) => {
        subscribed = true;
        resumeIfLive();
        return unsubscribe;
      },
      (error: unknown) => {
        if (!disposed) log.error({ err: error }, "response cache stays off: no link to the other gateways");
        return undefined;
      },
    );
  return {
    announce(subgraphs) {
      // Not awaited: a write's answer must not wait on Redis; the time limit bounds a lost announcement.
      bus.publish(INVALIDATIONS_TOPIC, { subgraphs } satisfies Invalidation).catch((error: unknown) => {
        log.warn({ err: error }, "response cache: could not announce a write to other gateways");
      });
    },
    async dispose() {
      disposed = true;
      cache.suspend();
      await Promise.all([stopDown(), stopResync()]);
      // Not awaited: while Redis is down the UNSUBSCRIBE waits for it, until the bus closes.
      void subscription.then((unsubscribe) => unsubscribe?.());
    },
  };
}

/**
 * The Apollo plugin: after validation, a query found in the cache is answered from it (with an HTTP `Age`
 * header); an answer without errors is kept. A mutation invalidates every subgraph it sent a fetch to,
 * locally and through `announce`. A client's `Cache-Control: no-cache` skips the lookup (the fresh answer
 * is still kept). Runs for HTTP and for queries over the WebSocket alike (both go through Apollo Server).
 */
export function responseCachePlugin(cache: ResponseCache, announce?: (subgraphs: string[]) => void): ApolloServerPlugin<GatewayContext> {
  const lookups = counter({ name: "kawal_gateway_response_cache_lookups_total", help: "Response cache lookups of queries, by result (hit, miss)", labelNames: ["result"] });
  return {
    async requestDidStart({ contextValue }) {
      const begun = cache.snapshot();
      let missedKey: string | undefined;
      return {
        async responseForOperation({ operation, queryHash, request }) {
          // No operation by that name (a mismatched operationName): nothing to look up; execution names the error.
          if (operation?.operation !== "query") return null;
          const key = crypto
            .createHash("sha256")
            .update(`${queryHash}\n${request.operationName ?? ""}\n${JSON.stringify(request.variables ?? {})}\n${callerKey(contextValue.caller)}`)
            .digest("base64url");
          const noCache = /\bno-cache\b/i.test(request.http?.headers.get("cache-control") ?? "");
          const hit = noCache ? undefined : cache.lookup(key);
          lookups.inc({ result: hit ? "hit" : "miss" });
          if (!hit) {
            missedKey = key;
            return null;
          }
          return { http: { status: undefined, headers: new HeaderMap([["age", String(hit.ageSeconds)]]) }, body: { kind: "single", singleResult: { data: hit.data } } };
        },
        async willSendResponse({ operation, response }) {
          const used = contextValue.subgraphsUsed;
          if (operation?.operation === "mutation" && used && used.size > 0) {
            const written = [...used];
            cache.invalidate(written);
            announce?.(written);
            return;
          }
          // An answer holding a reporter is audited at each delivery (reporter-audit.ts): never kept.
          if (missedKey === undefined || response.body.kind !== "single" || contextValue.disclosed?.length) return;
          const { data, errors } = response.body.singleResult;
          if (data && !errors?.length && used) cache.store(missedKey, data, used, begun);
        },
      };
    },
  };
}
