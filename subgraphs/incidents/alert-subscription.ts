import { GraphQLError } from "graphql";
import { Arg, Ctx, Resolver, Root, Subscription } from "type-graphql";
import type { SubscribeResolverData } from "type-graphql";
import type { DataSource } from "typeorm";
import { ALERT_SUBSCRIBERS } from "../../caller/access";
import { requireAccess, SubgraphContext } from "../kit/context";
import type { IncidentsContext } from "./state";
import { Loaders } from "../kit/loaders";
import { AsyncQueue } from "../../platform/async-queue";
import { PubSub, Unsubscribe } from "../../platform/pubsub";
import { AlertCriteria, AlertFilter, alertCriteria, alertMatches, parseSequence } from "./alerts";
import { MAX_REPLAY, maxSequence, replayAlerts } from "./alerts-resolver";
import { AlertKind, IncidentAlert, IncidentCategory, Severity } from "./entities";
import { logger } from "../../platform/logging";
import { counter, gauge } from "../../platform/metrics";

const log = logger("alerts");

/** kawal_subgraph_alerts_committed_total: alerts announced after their commit. */
const alertsCommitted = counter({ name: "kawal_subgraph_alerts_committed_total", help: "Alerts committed and announced on the pub/sub bus" });
/** kawal_subgraph_alert_streams_polling: streams reading the table on a timer because the pub/sub link is down. */
const pollingStreams = gauge({ name: "kawal_subgraph_alert_streams_polling", help: "Alert streams polling the table while the pub/sub link is down (0 when the bus works)" });

/*
 * Subscription.incidentAlerts on the incidents subgraph: replay from the incident_alerts table, then live
 * alerts from pub/sub, with no gap and no duplicate.
 *
 * Pub/sub is only a doorbell; the table is the truth. raiseAlert makes alert transactions commit in
 * sequence order, so once alert N is visible every alert below N is visible too. The stream keeps
 * `lastSeen`, the highest sequence it has accounted for (sent or filtered out):
 *   1. subscribe to pub/sub first (messages queue behind step 2);
 *   2. after = null: lastSeen = MAX(sequence) now ("live from now");
 *      after = N: lastSeen = N, then replay matching rows in (N, MAX] page by page;
 *   3. each message with sequence S: S <= lastSeen → already accounted for (the replay had it, or a
 *      duplicate); S = lastSeen + 1 → send it if it matches; S > lastSeen + 1 → something in between was
 *      published late (20 writers publish after commit in any order) or rolled back: read the matching rows
 *      in (lastSeen, S] from the table, send them in order.
 *   4. when the bus reports it may have lost messages (its link is live again), read (lastSeen, MAX] again.
 *   5. while the bus's link is down (Redis unreachable), no doorbell rings: read (lastSeen, MAX] every
 *      `pollIntervalMs` until step 4 ends it. Polling never runs while the link is live.
 * One promise chain per stream runs steps 2 to 5 strictly one after another, so lastSeen alone rules out
 * duplicates and gaps whichever of bell, resync or poll brings a row first.
 */

/** The pub/sub topic committed alerts are announced on. */
export const ALERTS_TOPIC = "incident-alerts";

/** What goes on the wire: the committed row, as plain JSON. */
export interface AlertMessage {
  sequence: number;
  kind: AlertKind;
  reportId: number;
  raisedAt: string;
  regionCode: string;
  category: IncidentCategory;
  severity: Severity;
}

/**
 * Announces a committed alert. Call AFTER the transaction that raised it has committed (a subscriber that
 * hears the bell reads the table, and must find the row there). Failures are logged, not thrown: the report
 * is saved and the next alert's bell, or a resume, brings this one out of the table.
 */
export function publishAlert(bus: PubSub, alert: IncidentAlert): void {
  const message: AlertMessage = {
    sequence: alert.sequence,
    kind: alert.kind,
    reportId: alert.reportId,
    raisedAt: alert.raisedAt,
    regionCode: alert.regionCode,
    category: alert.category,
    severity: alert.severity,
  };
  alertsCommitted.inc();
  // Not awaited: with Redis down, ioredis queues the publish until it reconnects, and the volunteer's report
  // (already committed) must not hang on it. The table is the truth; a late or lost bell only delays.
  bus
    .publish(ALERTS_TOPIC, message)
    .catch((error: unknown) => log.warn({ sequence: alert.sequence, err: error }, "alert committed but not announced"));
}

function decode(message: unknown): IncidentAlert | null {
  if (typeof message !== "object" || message === null) return null;
  const m = message as Partial<AlertMessage>;
  if (typeof m.sequence !== "number" || typeof m.regionCode !== "string" || typeof m.reportId !== "number") return null;
  return Object.assign(new IncidentAlert(), m);
}

/** How often a stream reads the table while its bus's link is down. */
export const DEFAULT_POLL_INTERVAL_MS = 500;

export interface AlertStreamOptions {
  db: DataSource;
  pubsub: PubSub;
  criteria: AlertCriteria;
  /** Resume after this sequence; null = live from now. */
  after: number | null;
  /**
   * While the bus's link is down, read the table this often: the longest an alert waits for a screen during
   * a broker outage, at one cheap MAX(sequence) per stream per interval. Default DEFAULT_POLL_INTERVAL_MS (500).
   */
  pollIntervalMs?: number;
}

/** The stream of matching alerts (see the comment at the top for the algorithm). */
export async function alertStream(options: AlertStreamOptions): Promise<AsyncIterableIterator<IncidentAlert>> {
  const { db, pubsub, criteria } = options;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  let lastSeen = 0;
  let stopped = false;
  let polling = false;
  let pollTimer: NodeJS.Timeout | undefined;
  const stops: Unsubscribe[] = [];
  const stop = () => {
    if (stopped) return;
    stopped = true;
    stopPolling();
    for (const end of stops) void end().catch(() => {});
  };
  // graphql-ws returns the stream when the client completes or disconnects; that stops the reads.
  const queue = new AsyncQueue<IncidentAlert>({ onEnd: stop });

  /** Sends the matching rows in (lastSeen, upTo] from the table; upTo undefined = MAX(sequence) now. */
  async function catchUp(upTo?: number): Promise<void> {
    const target = upTo ?? (await maxSequence(db));
    while (!stopped && lastSeen < target) {
      const rows = await replayAlerts(db, criteria, lastSeen, MAX_REPLAY, target);
      for (const row of rows) queue.push(row);
      // A short page means nothing else matches up to target; non-matching sequences count as seen.
      lastSeen = rows.length === MAX_REPLAY ? rows[rows.length - 1].sequence : target;
    }
  }

  function onMessage(alert: IncidentAlert): Promise<void> | void {
    if (stopped || alert.sequence <= lastSeen) return;
    if (alert.sequence === lastSeen + 1) {
      lastSeen = alert.sequence;
      if (alertMatches(alert, criteria)) queue.push(alert);
      return;
    }
    return catchUp(alert.sequence);
  }

  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let chain: Promise<void> = ready.then(async () => {
    if (options.after === null) lastSeen = await maxSequence(db);
    else {
      lastSeen = options.after;
      await catchUp();
    }
  });
  // A failed read ends this stream with an error; the gateway re-subscribes from its last cursor.
  const fail = (error: unknown) => {
    queue.fail(error);
    stop();
  };
  chain = chain.catch(fail);
  /** Runs `step` after every step before it; resolves when it ran (or failed and ended the stream). */
  const enqueue = (step: () => Promise<void> | void): Promise<void> => (chain = chain.then(step).catch(fail));

  /** The next poll, one interval after the previous one finished (a slow database never piles them up). */
  function schedulePoll(): void {
    if (!polling || stopped || pollTimer) return;
    pollTimer = setTimeout(() => {
      pollTimer = undefined;
      if (polling && !stopped) void enqueue(() => catchUp()).then(schedulePoll);
    }, pollIntervalMs);
    // The stream's socket keeps the process alive while it matters; a poll alone must not.
    pollTimer.unref();
  }
  function startPolling(): void {
    if (!polling) pollingStreams.inc();
    polling = true;
    schedulePoll();
  }
  function stopPolling(): void {
    if (polling) pollingStreams.dec();
    polling = false;
    clearTimeout(pollTimer);
    pollTimer = undefined;
  }

  // Before subscribing, so a link that drops or comes back while we subscribe is not missed.
  stops.push(
    pubsub.onLinkDown(startPolling),
    pubsub.onResync(() => {
      stopPolling();
      void enqueue(() => catchUp());
    }),
  );
  try {
    stops.push(
      await pubsub.subscribe(ALERTS_TOPIC, (message) => {
        const alert = decode(message);
        if (alert) void enqueue(() => onMessage(alert));
      }),
    );
  } catch (error) {
    stop();
    throw error;
  }
  if (!pubsub.isLive()) startPolling();
  markReady();
  return queue;
}

interface AlertArgs {
  filter?: AlertFilter | null;
  after?: string | null;
}

/** The `subscribe` of Subscription.incidentAlerts: AGENCY, or INTEGRATOR with subscribe:alerts, checked once before the stream starts. */
export async function subscribeToAlerts({ args, context }: SubscribeResolverData<unknown, AlertArgs, IncidentsContext>): Promise<AsyncIterable<IncidentAlert>> {
  const caller = requireAccess(context.caller, "Subscription.incidentAlerts", ALERT_SUBSCRIBERS);
  const criteria = alertCriteria(args.filter, caller);
  const after = args.after === undefined || args.after === null ? null : parseSequence("after", args.after);
  if (!context.db) throw new GraphQLError("the incidents subgraph has no database in this context");
  return alertStream({ db: context.db, pubsub: context.state.alerts, criteria, after });
}

@Resolver(() => IncidentAlert)
export class IncidentAlertSubscriptionResolver {
  @Subscription(() => IncidentAlert, {
    subscribe: subscribeToAlerts,
    description: "Alerts as they are raised, inside your token's regions only; `after` replays what you missed first. AGENCY, or INTEGRATOR with subscribe:alerts.",
  })
  incidentAlerts(
    @Root() alert: IncidentAlert,
    @Ctx() context: SubgraphContext,
    // Declared for the schema; subscribeToAlerts reads them.
    @Arg("filter", () => AlertFilter, { nullable: true }) _filter?: AlertFilter,
    @Arg("after", () => String, { nullable: true }) _after?: string,
  ): IncidentAlert {
    // graphql-ws builds one context per subscription, which lives for days: each event gets fresh batch
    // loaders, so an ESCALATED alert shows the report as reviewed, not as the first alert cached it.
    context.loaders = new Loaders(context.db);
    context.eventTime = alert.raisedAt;
    return alert;
  }
}
