import { counter, gauge } from "../../platform/metrics";
import type { SubscriptionStats } from "../subscriptions";

type StatsSource = () => SubscriptionStats;

/** The live gateways of this process (tests run several); the gauges add them up at each scrape. */
const sources = new Set<StatsSource>();

function total(pick: (stats: SubscriptionStats) => number): number {
  let sum = 0;
  for (const source of sources) sum += pick(source());
  return sum;
}

let declared = false;

/** Declares, once, the gauges read from the subscription engine's counters at scrape time. */
function declare(): void {
  if (declared) return;
  declared = true;
  gauge({ name: "kawal_gateway_open_sockets", help: "Open subscription WebSocket connections", collect() { this.set(total((s) => s.connections)); } });
  gauge({ name: "kawal_gateway_active_subscriptions", help: "Client subscriptions currently streaming", collect() { this.set(total((s) => s.streams)); } });
  gauge({ name: "kawal_gateway_shared_upstreams", help: "Open upstream subscriptions to subgraphs, each shared by its subscribers", collect() { this.set(total((s) => s.upstreams)); } });
  // Counters kept by the engine, reported as they stand: Prometheus's rate() handles them as counters.
  let hydrations = 0;
  counter({ name: "kawal_gateway_hydrations_total", help: "Alert events completed with other subgraphs' data (one per event, whatever the subscribers)", collect() {
    const now = total((s) => s.hydrations);
    if (now > hydrations) this.inc(now - hydrations);
    hydrations = Math.max(hydrations, now);
  } });
  let deliveries = 0;
  counter({ name: "kawal_gateway_alert_deliveries_total", help: "Alert payloads handed to subscribers", collect() {
    const now = total((s) => s.deliveries);
    if (now > deliveries) this.inc(now - deliveries);
    deliveries = Math.max(deliveries, now);
  } });
}

/** Reports a gateway's subscription counters until the returned function is called. */
export function subscriptionMetrics(stats: StatsSource): () => void {
  declare();
  sources.add(stats);
  return () => sources.delete(stats);
}
