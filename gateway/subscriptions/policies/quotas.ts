/**
 * Per-caller limits on what a client holds open over all its connections, whatever transport carries them:
 * connections (sockets, event streams) and subscriptions. Without them one token could hold the gateway's
 * memory and upstreams. A caller is keyed by its token subject, else its network address (`quotaKey`); its
 * counters exist only while it holds something.
 */
import { GraphQLError } from "graphql";
import type { MaybeCaller } from "../../../caller/claims";
import { describedError } from "../../../platform/errors";
import { Message, message } from "../../../platform/i18n";

export interface QuotaOptions {
  /** Open connections per caller; one more is refused. Default 20. */
  maxConnectionsPerCaller?: number;
  /** Open subscriptions per caller over all its connections; one more is refused. Default 50. */
  maxSubscriptionsPerCaller?: number;
}

/** One unit of a quota taken, with the function that gives it back (idempotent), or the refusal. */
export type Lease<Refusal> = { ok: true; release: () => void } | { ok: false; refusal: Refusal };

export interface Quotas {
  /** One more connection for `key`; refused, with a reason to close with, when it holds the most. */
  acquireConnection(key: string): Lease<Message>;
  /** One more subscription for `key`; refused with a GraphQL error (TOO_MANY_SUBSCRIPTIONS) when it holds the most. */
  acquireSubscription(key: string): Lease<GraphQLError>;
  /** What `key` holds now. */
  usage(key: string): Usage;
  /** Callers holding anything: the counters kept in memory. */
  callers(): number;
}

export interface Usage {
  connections: number;
  subscriptions: number;
}

/** Whose quota a client uses: its token subject, or for the public the address it connects from. */
export function quotaKey(caller: MaybeCaller, address: string | undefined): string {
  return caller ? `sub:${caller.sub}` : `address:${address ?? "?"}`;
}

export function createQuotas(options: QuotaOptions = {}): Quotas {
  const maxConnections = options.maxConnectionsPerCaller ?? 20;
  const maxSubscriptions = options.maxSubscriptionsPerCaller ?? 50;
  const usageByKey = new Map<string, Usage>();

  function acquire<Refusal>(key: string, counter: keyof Usage, max: number, refusal: () => Refusal): Lease<Refusal> {
    const usage = usageByKey.get(key) ?? { connections: 0, subscriptions: 0 };
    if (usage[counter] >= max) return { ok: false, refusal: refusal() };
    usage[counter]++;
    usageByKey.set(key, usage);
    let released = false;
    return {
      ok: true,
      release() {
        if (released) return;
        released = true;
        usage[counter]--;
        if (usage.connections === 0 && usage.subscriptions === 0 && usageByKey.get(key) === usage) usageByKey.delete(key);
      },
    };
  }

  return {
    acquireConnection: (key) =>
      acquire(key, "connections", maxConnections, () => message("subscription.tooManyConnections", { max: maxConnections })),
    acquireSubscription: (key) =>
      acquire(
        key,
        "subscriptions",
        maxSubscriptions,
        () =>
          describedError(message("subscription.tooManySubscriptions", { max: maxSubscriptions }), { code: "TOO_MANY_SUBSCRIPTIONS" }),
      ),
    usage: (key) => ({ ...(usageByKey.get(key) ?? { connections: 0, subscriptions: 0 }) }),
    callers: () => usageByKey.size,
  };
}
