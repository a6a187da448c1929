import crypto from "node:crypto";
import { ApolloServerPlugin, HeaderMap } from "@apollo/server";
import type { MaybeCaller } from "../caller/claims";
import { READS, Reads, rightsOf } from "../caller/reads";
import type { PubSub, Unsubscribe } from "../platform/pubsub";
import type { CachedAnswer, ResponseCache } from "./response-cache";
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
 * The key of a request's answer (`request` being its document, operation name and variables) when it read
 * `reads` of the caller (caller/reads.ts): everyone's, the same rights', the person's (with the rights they had),
 * or none: an answer that read something of its request alone is not kept.
 */
function keyFor(request: string, reads: Reads, caller: MaybeCaller): string | undefined {
  switch (reads) {
    case "public":
      return `${request}\npublic`;
    case "rights":
      return `${request}\nrights ${rightsOf(caller)}`;
    case "person":
      return `${request}\nperson ${JSON.stringify(caller?.sub ?? null)} ${rightsOf(caller)}`;
    case "request":
      return undefined;
  }
}

/** The answer kept for `request` shared most widely with this caller: everyone's, else the same rights', else the caller's own. */
function lookup(cache: ResponseCache, request: string, caller: MaybeCaller): CachedAnswer | undefined {
  for (const reads of READS) {
    const key = keyFor(request, reads, caller);
    const hit = key === undefined ? undefined : cache.lookup(key);
    if (hit) return hit;
  }
  return undefined;
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
 * header); an answer without errors is kept, shared as widely as what it read of the caller allows (keyFor):
 * the lookup tries everyone's answer, then the caller's rights', then the caller's own. An answer naming a
 * reporter is never kept. A mutation invalidates every subgraph it sent a fetch to, locally and through
 * `announce`. A client's `Cache-Control: no-cache` skips the lookup (the fresh answer is still kept). Runs for
 * HTTP and for queries over the WebSocket alike (both go through Apollo Server).
 */
export function responseCachePlugin(cache: ResponseCache, announce?: (subgraphs: string[]) => void): ApolloServerPlugin<GatewayContext> {
  const lookups = counter({ name: "kawal_gateway_response_cache_lookups_total", help: "Response cache lookups of queries, by result (hit, miss)", labelNames: ["result"] });
  return {
    async requestDidStart({ contextValue }) {
      const begun = cache.snapshot();
      let missed: string | undefined;
      return {
        async responseForOperation({ operation, queryHash, request }) {
          // No operation by that name (a mismatched operationName): nothing to look up; execution names the error.
          if (operation?.operation !== "query") return null;
          const asked = crypto.createHash("sha256").update(`${queryHash}\n${request.operationName ?? ""}\n${JSON.stringify(request.variables ?? {})}`).digest("base64url");
          const noCache = /\bno-cache\b/i.test(request.http?.headers.get("cache-control") ?? "");
          const hit = noCache ? undefined : lookup(cache, asked, contextValue.caller);
          lookups.inc({ result: hit ? "hit" : "miss" });
          if (!hit) {
            missed = asked;
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
          if (missed === undefined || response.body.kind !== "single" || contextValue.disclosed?.length) return;
          const { data, errors } = response.body.singleResult;
          // No subgraph said what it read (none answered): the person's, the safe side.
          const key = keyFor(missed, contextValue.reads ?? "person", contextValue.caller);
          if (data && !errors?.length && used && key !== undefined) cache.store(key, data, used, begun);
        },
      };
    },
  };
}
