import type { Fetcher } from "@apollo/utils.fetcher";

/*
 * The gateway's readiness, gathered from its subgraphs' own. `/ready` answers 200 while every subgraph can
 * read, even when some cannot write: reads still work, so a load balancer should keep the instance; its body
 * says whose writes fail. `/ready/writes` answers 503 while any subgraph cannot write or cannot be reached,
 * for monitors that must page someone. A subgraph that does not report on its writes (one older than that
 * report) counts as writing.
 */

export type WritesState = "ok" | "failing";

export interface SubgraphReadiness {
  /** "ready": its /ready answered 200; "unreachable": it answered otherwise, or not in time. */
  status: "ready" | "unreachable";
  /** What its /ready says of its writes; "failing" when it is unreachable (nothing can be written there). */
  writes: WritesState;
}

export interface GatewayReadiness {
  /** "ready" when every subgraph is. */
  status: "ready" | "degraded";
  /** "failing" when any subgraph's writes fail or one is unreachable. */
  writes: WritesState;
  subgraphs: Record<string, SubgraphReadiness>;
}

export interface SubgraphWrites {
  writes: WritesState | "unreachable";
  /** When its writes started failing (ISO 8601), as it says. */
  since?: string;
}

export interface GatewayWrites {
  /** "failing" when any subgraph's writes fail or one is unreachable. */
  writes: WritesState;
  subgraphs: Record<string, SubgraphWrites>;
}

/** An answer for an HTTP route: its status and JSON body. */
export interface ProbeAnswer<B> {
  status: 200 | 503;
  body: B;
}

/** A subgraph to ask: its GraphQL URL (the probes go to paths on its origin) and how to reach it. */
export interface ReadinessTarget {
  url: string;
  /** The gateway's keep-alive pool to it (platform/http-pool.ts), so probes reuse warm sockets. */
  fetcher: Fetcher;
}

export interface ReadinessOptions {
  /**
   * How long a subgraph may take to answer a probe, in ms; a slower one counts as unreachable.
   * @default 2_000
   */
  timeoutMs?: number;
}

export interface ReadinessProbe {
  /** For GET /ready. */
  ready(): Promise<ProbeAnswer<GatewayReadiness>>;
  /** For GET /ready/writes. */
  writes(): Promise<ProbeAnswer<GatewayWrites>>;
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** GETs `path` on the subgraph's origin; undefined when it does not answer in time. */
async function ask(target: ReadinessTarget, path: string, timeoutMs: number): Promise<Reply | undefined> {
  try {
    const response = await target.fetcher(new URL(path, target.url).toString(), { method: "GET", signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      // a body that is not JSON says nothing more than its status
    }
    return { status: response.status, body };
  } catch {
    return undefined;
  }
}

function readinessOf(reply: Reply | undefined): SubgraphReadiness {
  if (reply?.status !== 200) return { status: "unreachable", writes: "failing" };
  return { status: "ready", writes: reply.body.writes === "failing" ? "failing" : "ok" };
}

function writesOf(reply: Reply | undefined): SubgraphWrites {
  // 404: a subgraph without the route, which does not report on its writes.
  if (reply?.status === 200 || reply?.status === 404) return { writes: "ok" };
  if (reply?.status === 503 && reply.body.writes === "failing") {
    return typeof reply.body.since === "string" ? { writes: "failing", since: reply.body.since } : { writes: "failing" };
  }
  return { writes: "unreachable" };
}

/** Asks every subgraph at once. */
async function askAll<T>(targets: Record<string, ReadinessTarget>, path: string, timeoutMs: number, read: (reply: Reply | undefined) => T): Promise<Record<string, T>> {
  const entries = await Promise.all(Object.entries(targets).map(async ([name, target]) => [name, read(await ask(target, path, timeoutMs))] as const));
  return Object.fromEntries(entries);
}

export function createReadinessProbe(targets: Record<string, ReadinessTarget>, options: ReadinessOptions = {}): ReadinessProbe {
  const timeoutMs = options.timeoutMs ?? 2000;
  return {
    async ready() {
      const subgraphs = await askAll(targets, "/ready", timeoutMs, readinessOf);
      const states = Object.values(subgraphs);
      const allReady = states.every((state) => state.status === "ready");
      const writes: WritesState = states.every((state) => state.writes === "ok") ? "ok" : "failing";
      return { status: allReady ? 200 : 503, body: { status: allReady ? "ready" : "degraded", writes, subgraphs } };
    },
    async writes() {
      const subgraphs = await askAll(targets, "/ready/writes", timeoutMs, writesOf);
      const ok = Object.values(subgraphs).every((state) => state.writes === "ok");
      return { status: ok ? 200 : 503, body: { writes: ok ? "ok" : "failing", subgraphs } };
    },
  };
}
