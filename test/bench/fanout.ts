import { fork } from "node:child_process";
import { performance } from "node:perf_hooks";
import v8 from "node:v8";
import vm from "node:vm";
import { ALERTS_TOPIC, AlertMessage } from "../../subgraphs/incidents/alert-subscription";
import type { IncidentsState } from "../../subgraphs/incidents/state";
import { formatSequence } from "../../subgraphs/incidents/alerts";
import { signToken } from "../../caller/tokens";
import { mustGraphQL } from "../../platform/graphql-fetch";
import { RunningHub, startHub } from "../../launcher/hub";
import { loadDemo } from "../../launcher/demo";
import type { HubConfig } from "../../platform/config";
import { dropTestData, testConfig } from "../support/hub";
import { latencyOf, Latency, round } from "./stats";

/** How the subscribers reach the gateway: a graphql-ws socket, an SSE stream or a multipart stream each. */
export type FanoutTransport = "graphql-ws" | "sse" | "multipart";

/*
 * Live-alert fan-out (issues 3 and 15): N subscribers on one gateway, in a second process, over one
 * transport; an ormas files
 * reports; for each report, the time from its commit (the incidents subgraph publishing the committed
 * alert) to the last subscriber's receipt. Also: upstream subscriptions opened and hydrations per report
 * (the sharing), and the gateway process's memory per idle subscriber.
 */

export interface FanoutRun {
  /** Absent in results from before issue 15: graphql-ws. */
  transport?: FanoutTransport;
  subscribers: number;
  distinctSubscriptions: number;
  reports: number;
  /** Commit to the last subscriber's receipt, over the reports. */
  commitToLastReceiptMs: Latency;
  /** Commit to every single receipt. */
  commitToReceiptMs: Latency;
  /** Null where the gateway keeps no count (Hive Gateway). */
  upstreamSubscriptionsOpened: number | null;
  hydrationsPerReport: number | null;
  /** Gateway process memory (JS heap and Buffers) per idle subscriber (sockets, subscriptions), in KB. */
  memoryPerIdleSubscriberKB: number | null;
  missedReceipts: number;
}

const SUBSCRIPTION = (alias: string) => `subscription { incidentAlerts {
  sequence kind raisedAt ${alias}
  report { title category severity region { code name } reporter { name } candidatePair { ballotNumber headCandidate } event { title } }
} }`;

const gc = (() => {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
})();

/**
 * Live JS heap plus Buffers after full collections: what subscribers cost the gateway process. (RSS moves
 * with when V8 returns pages, and went negative between rounds.)
 */
function settledMemory(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

interface Child {
  send(message: object): void;
  next<T>(type: string): Promise<T>;
  close(): void;
}

function startClients(): Child {
  const child = fork(`${__dirname}/fanout-clients.js`, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return {
    send: (message) => child.send(message),
    next: <T>(type: string) =>
      new Promise<T>((resolve, reject) => {
        const onMessage = (message: { type: string }) => {
          if (message.type !== type) return;
          child.off("message", onMessage);
          resolve(message as T);
        };
        child.on("message", onMessage);
        child.once("exit", (code) => reject(new Error(`the subscriber process exited (${code})`)));
      }),
    close: () => child.send({ type: "close" }),
  };
}

export interface Round {
  transport: FanoutTransport;
  subscribers: number;
  distinct: number;
  reports: number;
}

export const fanoutRound = (transport: FanoutTransport, subscribers: number, distinct: number, reports: number): Round => ({ transport, subscribers, distinct, reports });

/** The fan-out rounds: graphql-ws at every size, SSE and multipart beside it at 1,000. */
const ROUNDS: Record<"full" | "quick", Round[]> = {
  full: [
    fanoutRound("graphql-ws", 1, 1, 30),
    fanoutRound("graphql-ws", 1000, 1, 30),
    fanoutRound("sse", 1000, 1, 30),
    fanoutRound("multipart", 1000, 1, 30),
    fanoutRound("graphql-ws", 5000, 1, 30),
    fanoutRound("graphql-ws", 10000, 1, 30),
    fanoutRound("graphql-ws", 100, 100, 10),
  ],
  quick: [fanoutRound("graphql-ws", 1, 1, 10), fanoutRound("graphql-ws", 200, 1, 10), fanoutRound("sse", 200, 1, 10), fanoutRound("multipart", 200, 1, 10), fanoutRound("graphql-ws", 20, 20, 5)],
};

/** A fresh hub's configuration for a fan-out round (SQLite). */
export function fanoutConfig(): HubConfig {
  // The benchmark's ormas files hundreds of reports a minute: no rate limit here.
  // One bench token stands for thousands of officers: lift the per-caller caps too.
  return testConfig("sqlite", {
    KAWAL_RATE_LIMIT_MUTATIONS: "0",
    KAWAL_WS_MAX_CONNECTIONS_PER_CALLER: "20000",
    KAWAL_WS_MAX_SUBSCRIPTIONS_PER_CALLER: "20000",
  });
}

/**
 * The fan-out part of `npm run bench`: each round of ROUNDS (those of `subscribers` only, when given) on a
 * fresh hub (SQLite, demo data), so the memory a round measures is not memory an earlier round freed.
 */
export async function benchFanouts(quick: boolean, log: (line: string) => void, subscribers?: number): Promise<FanoutRun[]> {
  const runs: FanoutRun[] = [];
  const rounds = (quick ? ROUNDS.quick : ROUNDS.full).filter((round) => subscribers === undefined || round.subscribers === subscribers);
  for (const round of rounds) {
    const config = fanoutConfig();
    const hub = await startHub(config, { port: 0, freePorts: true });
    try {
      await loadDemo(hub.gateway.url, config);
      const run = await benchFanout(hub, round);
      log(
        `  ${round.subscribers} subscribers over ${round.transport}, ${round.distinct} distinct: ` +
          `commit to last receipt p50 ${run.commitToLastReceiptMs.p50} ms, p99 ${run.commitToLastReceiptMs.p99} ms`,
      );
      runs.push(run);
    } finally {
      await hub.dispose();
      await dropTestData(config);
    }
  }
  return runs;
}

/**
 * The gateway the subscribers connect to: the hub's own (default), or another over the same subgraphs
 * (Hive Gateway), which keeps no counts of its subscribers and upstream subscriptions.
 */
export interface FanoutGateway {
  url: string;
  stats?: () => { subscribers: number; upstreamsOpened: number; hydrations: number };
}

/** One fan-out measurement on a running hub with the demo loaded. */
export async function benchFanout(hub: RunningHub, options: Round, via: FanoutGateway = { url: hub.gateway.url, stats: () => hub.gateway.subscriptions.stats() }): Promise<FanoutRun> {
  const secret = hub.config.jwtSecret!;
  const agency = await signToken(secret, { sub: "bench-officer", role: "AGENCY", org: "2", regions: ["19"], scopes: [] });
  const ormas = await signToken(secret, { sub: "bench-ormas", role: "ORMAS", org: "6", regions: ["19.06"], scopes: [] });
  const queries = Array.from({ length: options.distinct }, (_, n) => SUBSCRIPTION(options.distinct === 1 ? "" : `variant${n}: sequence`));
  const stats = () => via.stats?.();
  const commits = new Map<string, number>();
  const unsubscribe = await (hub.subgraphs.incidents.state as IncidentsState).alerts.subscribe(ALERTS_TOPIC, (message) => {
    const sequence = (message as AlertMessage).sequence;
    commits.set(formatSequence(sequence), performance.timeOrigin + performance.now());
  });

  const clients = startClients();
  const memoryBefore = settledMemory();
  const opened = stats()?.upstreamsOpened ?? 0;
  clients.send({ type: "connect", transport: options.transport, url: via.url, token: agency, queries, count: options.subscribers });
  const ready = await clients.next<{ connected: number; error?: string }>("ready");
  if (ready.error) {
    clients.close();
    throw new Error(`only ${ready.connected} of ${options.subscribers} subscribers could connect: ${ready.error}`);
  }
  while ((stats()?.subscribers ?? options.subscribers) < options.subscribers) await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setTimeout(resolve, 500)); // upstream subscriptions settle
  const memoryAfter = settledMemory();

  const hydrationsBefore = stats()?.hydrations ?? 0;
  for (let n = 0; n < options.reports; n++) {
    await mustGraphQL(
      hub.gateway.url,
      `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }`,
      { input: { category: "BLACK_CAMPAIGN", channel: "SOCIAL_MEDIA", platform: "Facebook", title: `Fitnah ${n}`, description: "Benchmark.", occurredAt: "2024-11-20T10:00:00+07:00", regionCode: "19.06.01" } },
      ormas,
    );
    await new Promise((resolve) => setTimeout(resolve, Math.max(200, options.subscribers / 20)));
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  clients.send({ type: "receipts" });
  const { bySequence } = await clients.next<{ bySequence: Record<string, number[]> }>("receipts");
  const after = stats();
  const hydrations = after ? after.hydrations - hydrationsBefore : null;
  const upstreams = after ? after.upstreamsOpened - opened : null;
  clients.close();
  await unsubscribe();

  const lastReceipt: number[] = [];
  const everyReceipt: number[] = [];
  let missed = 0;
  for (const [sequence, committedAt] of commits) {
    const times = bySequence[sequence] ?? [];
    missed += options.subscribers - times.length;
    if (times.length === 0) continue;
    lastReceipt.push(Math.max(...times) - committedAt);
    for (const time of times) everyReceipt.push(time - committedAt);
  }
  const lastSummary = latencyOf(lastReceipt);
  const everySummary = latencyOf(everyReceipt);
  return {
    transport: options.transport,
    subscribers: options.subscribers,
    distinctSubscriptions: options.distinct,
    reports: commits.size,
    commitToLastReceiptMs: lastSummary,
    commitToReceiptMs: everySummary,
    upstreamSubscriptionsOpened: upstreams,
    hydrationsPerReport: hydrations === null ? null : round(hydrations / Math.max(1, commits.size), 2),
    memoryPerIdleSubscriberKB: options.subscribers >= 100 ? round((memoryAfter - memoryBefore) / options.subscribers / 1024, 1) : null,
    missedReceipts: missed,
  };
}
