import type { EntityResult } from "./entities-bench";
import type { EvidenceRun } from "./evidence-bench";
import type { FanoutRun } from "./fanout";
import type { HiveRun } from "./hive-bench";
import type { ObservabilityCost } from "./observability-bench";
import type { PageBudget } from "./web-budget";
import type { Machine } from "./machine";
import type { Comparison, LoadSettings } from "./scenario";
import type { Backend, SeedManifest } from "./seed-scale";
import type { LoadResult } from "./stats";

/** One data set (backend and scale) measured through our gateway. */
export interface ScaleRun {
  backend: Backend;
  scale: number;
  seed: SeedManifest;
  /** Scenario name to its load result. */
  scenarios: Record<string, LoadResult>;
  entities: EntityResult[];
}

/** Everything one `npm run bench` measured: written to bench-results/latest.json. */
export interface BenchResults {
  command: string;
  quick: boolean;
  machine: Machine;
  settings: LoadSettings;
  gateway?: { data: string; comparisons: Comparison[] };
  /** Against Hive Gateway (issue 19). */
  hive?: HiveRun;
  /** Cost of the request log, metrics and tracing (issue 17). */
  observability?: { rounds: number; costs: ObservabilityCost[]; perRequestMicros: { logAndMetrics: number; tracingOff: number } };
  /** Live-alert fan-out (issue 3). */
  fanout?: FanoutRun[];
  /** Evidence uploads (issue 18). */
  evidence?: EvidenceRun;
  /** The console's and Lapor's first load and JavaScript weight (issue 16). */
  web?: PageBudget[];
  scale: ScaleRun[];
  seconds: number;
}
