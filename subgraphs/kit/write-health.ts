/*
 * Whether a database takes writes, as its writes find out. A storage fault (disk full, connection lost)
 * turns writes to "failing"; from then on writes are refused at once instead of queueing behind a disk that
 * cannot take them, except one trial write at a time, at most once per `retryMs`. The first trial that
 * commits turns writes back to "ok", with no restart. Reads never pass through here.
 */

export interface WriteHealthOptions {
  /** Least time between two trial writes while writes are failing, in milliseconds. Default 1,000. */
  retryMs?: number;
  /** The clock, in milliseconds. Default Date.now. */
  now?: () => number;
  /** Told of every change between "ok" and "failing" (the operator's log line). Default: nothing. */
  onChange?: (state: WriteState) => void;
}

export interface WriteState {
  writes: "ok" | "failing";
  /** When writes started failing (ISO date-time); only while failing. */
  since?: string;
  /** The last storage fault, for the operator's log; never sent to API callers. */
  reason?: string;
}

/** What `admit` decided for one write. */
export type Admission = "write" | "trial" | "refuse";

export class WriteHealth {
  private failingSince: number | undefined;
  private reason: string | undefined;
  private lastTrial = 0;
  private trialRunning = false;
  private readonly retryMs: number;
  private readonly now: () => number;
  private readonly onChange: (state: WriteState) => void;

  constructor(options: WriteHealthOptions = {}) {
    this.retryMs = options.retryMs ?? 1_000;
    this.now = options.now ?? Date.now;
    this.onChange = options.onChange ?? (() => {});
  }

  get state(): WriteState {
    if (this.failingSince === undefined) return { writes: "ok" };
    return { writes: "failing", since: new Date(this.failingSince).toISOString(), reason: this.reason };
  }

  /** Decides whether a write may run now. A "trial" must be followed by exactly one `settle`. */
  admit(): Admission {
    if (this.failingSince === undefined) return "write";
    if (this.trialRunning || this.now() - this.lastTrial < this.retryMs) return "refuse";
    this.trialRunning = true;
    this.lastTrial = this.now();
    return "trial";
  }

  /**
   * The outcome of an admitted write: "committed", "storage fault" (with its reason), or "other" (the write
   * was refused for its input before it reached storage: it says nothing about the disk either way).
   */
  settle(admission: Admission, outcome: "committed" | "storage fault" | "other", reason?: string): void {
    if (admission === "trial") this.trialRunning = false;
    if (outcome === "committed" && this.failingSince !== undefined) {
      this.failingSince = this.reason = undefined;
      this.onChange(this.state);
    } else if (outcome === "storage fault") {
      this.reason = reason;
      this.lastTrial = this.now();
      if (this.failingSince === undefined) {
        this.failingSince = this.now();
        this.onChange(this.state);
      }
    } else if (outcome === "other" && admission === "trial") {
      this.lastTrial = 0; // the next write may try at once
    }
  }

  /** True while failing with a trial due: `/ready/writes` then probes instead of repeating a stale answer. */
  get trialDue(): boolean {
    return this.failingSince !== undefined && !this.trialRunning && this.now() - this.lastTrial >= this.retryMs;
  }
}
