/*
 * A process's stop within a bound (KAWAL_DRAIN_SECONDS): a container runtime kills a process that outlives
 * its stop grace period, mid-write, so the process keeps to a shorter bound of its own, and leaves on time
 * even when something it waits for (a request that never ends, a database that never closes) does not.
 */

import { logger } from "./logging";

const log = logger("shutdown");

export interface BoundedStopOptions {
  /** The bound, in seconds from now: the process has exited by then. */
  seconds: number;
  /**
   * Drains and stops what the process runs. Its `deadline` (a Date.now() time) comes a moment before the
   * bound, so that what follows the drain (closing databases, children exiting) fits in it.
   */
  stop: (deadline: number) => Promise<void>;
  /** Exit code once `stop` resolved. */
  exitCode: number;
  /**
   * Called when the bound passes first, just before the process exits with code 1.
   * @default a line on stderr
   */
  onOverrun?: () => void;
}

/** The time `stop` is given before the bound: up to half a second, a quarter of a short bound. */
function closingMargin(boundMs: number): number {
  return Math.min(500, boundMs / 4);
}

/** Stops the process within `options.seconds`, then exits it. */
export function stopWithin(options: BoundedStopOptions): void {
  const boundMs = options.seconds * 1000;
  const deadline = Date.now() + boundMs - closingMargin(boundMs);
  // Not unref'd: it also keeps the process until the exit, should `stop` wait on nothing the loop holds.
  setTimeout(() => {
    if (options.onOverrun) options.onOverrun();
    else log.error(`not stopped within ${options.seconds} s (KAWAL_DRAIN_SECONDS); exiting anyway`);
    process.exit(1);
  }, boundMs);
  options.stop(deadline).then(
    () => process.exit(options.exitCode),
    (error: unknown) => {
      log.error({ err: error }, "stop failed");
      process.exit(1);
    },
  );
}
