import crypto from "node:crypto";
import type { PubSub } from "../../platform/pubsub";
import type { Storage } from "../kit/storage";
import { publishAlert } from "./alert-subscription";
import { AlertKind, IncidentAlert, IncidentReport } from "./entities";
import { lockedReport } from "./locked-report";
import { HANDLING_OPEN, REPORTING_OPEN } from "./overdue";
import { raiseAlert } from "./raise";
import { logger } from "../../platform/logging";

const log = logger("deadline-clock");

/*
 * The clock that raises DEADLINE_NEAR, 24 hours before a report's reporting or handling deadline. Replicas of
 * the incidents subgraph share one database; the one holding the lease row of incident_clock_lease raises the
 * alerts, and another takes over when a lease runs out. What was raised is stored per report (reportingWarnedAt,
 * handlingWarnedAt) in the alert's own transaction, so a tick after downtime raises what is due and nothing twice,
 * even if two replicas ever overlapped (each report is re-checked under its lock before the alert is raised).
 */

/** How long before a deadline DEADLINE_NEAR is raised. */
export const WARNING_MS = 24 * 60 * 60 * 1000;
/** How often a replica looks for deadlines coming near (and renews or tries to take the lease). */
export const DEFAULT_TICK_MS = 60_000;
/** Most reports warned of per tick and deadline; the rest wait for the next tick. */
const BATCH = 200;

type Deadline = { kind: "reporting"; due: "reportingDueAt"; warned: "reportingWarnedAt"; open: readonly string[] } | { kind: "handling"; due: "handlingDueAt"; warned: "handlingWarnedAt"; open: readonly string[] };

const DEADLINES: readonly Deadline[] = [
  { kind: "reporting", due: "reportingDueAt", warned: "reportingWarnedAt", open: REPORTING_OPEN },
  { kind: "handling", due: "handlingDueAt", warned: "handlingWarnedAt", open: HANDLING_OPEN },
];

/** Still to be warned of at `now`: open, not withdrawn, not yet warned, due within WARNING_MS and not yet past. */
function due(report: IncidentReport, deadline: Deadline, now: number): boolean {
  const at = report[deadline.due];
  if (at === null || report[deadline.warned] !== null || report.withdrawnAt !== null || !deadline.open.includes(report.status)) return false;
  const time = Date.parse(at);
  return time > now && time <= now + WARNING_MS;
}

export interface DeadlineClockOptions {
  storage: Storage;
  /** Where committed alerts are announced (the subgraph's alert bus). */
  alerts: PubSub;
  /** This replica's name in the lease. Default: a random id. */
  holder?: string;
  /** How long a lease lasts without renewal: a replica that died is replaced after this. Default 3 ticks (3 minutes). */
  leaseMs?: number;
}

export class DeadlineClock {
  readonly holder: string;
  private readonly leaseMs: number;

  constructor(private readonly options: DeadlineClockOptions) {
    this.holder = options.holder ?? crypto.randomUUID();
    this.leaseMs = options.leaseMs ?? 3 * DEFAULT_TICK_MS;
  }

  /** Takes or renews the lease at `now`; false while another replica holds it. */
  async lease(now: number): Promise<boolean> {
    const result = await this.options.storage.write((manager) =>
      manager
        .createQueryBuilder()
        .update("incident_clock_lease")
        .set({ holder: this.holder, expiresAt: new Date(now + this.leaseMs).toISOString() })
        .where("id = 1 AND (holder = :holder OR expiresAt < :now)", { holder: this.holder, now: new Date(now).toISOString() })
        .execute(),
    );
    return result.affected === 1;
  }

  /** One round at `now`: with the lease, raises every DEADLINE_NEAR that is due; returns the alerts raised. */
  async tick(now = Date.now()): Promise<IncidentAlert[]> {
    if (!(await this.lease(now))) return [];
    const raised: IncidentAlert[] = [];
    for (const deadline of DEADLINES) {
      const candidates = await this.options.storage.reader
        .getRepository(IncidentReport)
        .createQueryBuilder("r")
        .select("r.id", "id")
        .where(`r.${deadline.due} > :now AND r.${deadline.due} <= :soon`, { now: new Date(now).toISOString(), soon: new Date(now + WARNING_MS).toISOString() })
        .andWhere(`r.${deadline.warned} IS NULL AND r.withdrawnAt IS NULL AND r.status IN (:...open)`, { open: deadline.open })
        .orderBy(`r.${deadline.due}`, "ASC")
        .limit(BATCH)
        .getRawMany<{ id: number | string }>();
      for (const { id } of candidates) {
        const alert = await this.options.storage.write(async (manager) => {
          const report = await lockedReport(manager, Number(id));
          if (!due(report, deadline, now)) return null;
          const at = new Date(now).toISOString();
          await manager.getRepository(IncidentReport).update(report.id, { [deadline.warned]: at });
          return raiseAlert(manager, AlertKind.DEADLINE_NEAR, report, at);
        });
        if (alert) {
          publishAlert(this.options.alerts, alert);
          raised.push(alert);
        }
      }
    }
    return raised;
  }

  /** Ticks every `intervalMs` until the returned function is called; a failed tick is logged and retried next time. */
  start(intervalMs = DEFAULT_TICK_MS): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.tick()
        .catch((error: unknown) => log.error({ err: error }, "tick failed (will try again)"))
        .finally(() => (running = false));
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
