/*
 * Keeps one worker running: when it ends without being asked to, a replacement is started after a wait that
 * doubles with each recent crash, and a crash loop ends supervision instead of restarting forever. What a
 * worker is (a child process, ...) and what to do about a crash loop are the caller's business.
 */

/** How a worker ended. */
export interface WorkerExit {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What the supervisor needs of a worker. */
export interface SupervisedWorker {
  /**
   * Resolves once the worker is ready to serve. Rejects when it could not start, and only once it has
   * ended (so a replacement never races a half-started predecessor for its ports or files).
   */
  readonly ready: Promise<void>;
  /** Resolves once the worker has ended, whether asked to or not, with how. */
  readonly exited: Promise<WorkerExit>;
  /** Asks the worker to end and resolves once it has: by `deadline` (a Date.now() time), forcibly if need be. */
  stop(deadline: number): Promise<void>;
}

/** One crash: an exit nobody asked for, or a replacement that could not start. */
export interface Crash<W extends SupervisedWorker = SupervisedWorker> {
  /** The worker that crashed. */
  worker: W;
  /** When it was noticed (Date.now()). */
  at: number;
  /** How the running worker ended; unset when a replacement failed to start. */
  exit?: WorkerExit;
  /** Why a replacement failed to start; unset for an exit. */
  error?: unknown;
}

/** When to restart and when to give up. */
export interface RestartPolicy {
  /**
   * Wait before restarting after a crash, in ms; it doubles for every further crash within
   * `crashLoopWindowMs` (0.5, 1, 2, 4 s ...), so a worker that keeps dying does not hog the machine.
   * @default 500
   */
  restartDelayMs: number;
  /**
   * The longest wait before a restart, in ms.
   * @default 10_000
   */
  maxRestartDelayMs: number;
  /**
   * This many crashes within `crashLoopWindowMs` are a crash loop: no more restarts, supervision ends.
   * A crash older than the window is forgotten, and with it its share of the wait.
   * @default 5
   */
  crashLoopCount: number;
  /**
   * The window of `crashLoopCount`, in ms.
   * @default 60_000
   */
  crashLoopWindowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  restartDelayMs: 500,
  maxRestartDelayMs: 10_000,
  crashLoopCount: 5,
  crashLoopWindowMs: 60_000,
};

export interface SupervisorOptions<W extends SupervisedWorker> extends Partial<RestartPolicy> {
  /** Starts a replacement worker; the supervisor waits for its `ready`. */
  restart: () => W;
  /**
   * Called at each crash, with the wait before the restart in ms, or null when this crash makes a crash loop
   * (supervision then ends: see `ended`).
   * @default nothing
   */
  onCrash?: (crash: Crash<W>, restartInMs: number | null) => void;
  /**
   * Called once a replacement is ready.
   * @default nothing
   */
  onRestart?: (worker: W) => void;
}

/** Why supervision ended: asked to, or a crash loop (the crashes within the window, oldest first). */
export type SupervisionEnd<W extends SupervisedWorker = SupervisedWorker> = { reason: "disposed" } | { reason: "crash-loop"; crashes: Crash<W>[] };

export interface Supervisor<W extends SupervisedWorker> {
  /** The worker serving now; undefined while a replacement is awaited, and after a crash loop. */
  readonly current: W | undefined;
  /** The worker serving now, or else the last one that did (its pid names the process in messages). */
  readonly latest: W;
  /** Resolves when supervision ends. */
  readonly ended: Promise<SupervisionEnd<W>>;
  /**
   * Ends supervision: no more restarts, and the worker (or a replacement still starting) is stopped by
   * `deadline` (a Date.now() time). Calling it again waits for the first call.
   */
  dispose(deadline: number): Promise<void>;
}

/** Supervises `first`, a worker that is already ready. */
export function supervise<W extends SupervisedWorker>(first: W, options: SupervisorOptions<W>): Supervisor<W> {
  const policy: RestartPolicy = {
    restartDelayMs: options.restartDelayMs ?? DEFAULT_RESTART_POLICY.restartDelayMs,
    maxRestartDelayMs: options.maxRestartDelayMs ?? DEFAULT_RESTART_POLICY.maxRestartDelayMs,
    crashLoopCount: options.crashLoopCount ?? DEFAULT_RESTART_POLICY.crashLoopCount,
    crashLoopWindowMs: options.crashLoopWindowMs ?? DEFAULT_RESTART_POLICY.crashLoopWindowMs,
  };
  let current: W | undefined = first;
  let latest: W = first;
  /** A replacement being started. */
  let starting: W | undefined;
  let timer: NodeJS.Timeout | undefined;
  let crashes: Crash<W>[] = [];
  let over = false;
  let disposed: Promise<void> | undefined;
  let finish!: (end: SupervisionEnd<W>) => void;
  const ended = new Promise<SupervisionEnd<W>>((resolve) => (finish = resolve));

  const end = (outcome: SupervisionEnd<W>) => {
    over = true;
    clearTimeout(timer);
    finish(outcome);
  };

  const crashed = (crash: Crash<W>) => {
    crashes = [...crashes.filter((earlier) => crash.at - earlier.at < policy.crashLoopWindowMs), crash];
    if (crashes.length >= policy.crashLoopCount) {
      options.onCrash?.(crash, null);
      return end({ reason: "crash-loop", crashes });
    }
    const wait = Math.min(policy.maxRestartDelayMs, policy.restartDelayMs * 2 ** (crashes.length - 1));
    options.onCrash?.(crash, wait);
    timer = setTimeout(replace, wait);
    // A pending restart alone must not keep the process alive (its owner's servers do that).
    timer.unref();
  };

  const watch = (worker: W) => {
    void worker.exited.then((exit) => {
      if (over || worker !== current) return; // asked to stop
      current = undefined;
      crashed({ worker, at: Date.now(), exit });
    });
  };

  const replace = () => {
    timer = undefined;
    const worker = options.restart();
    starting = worker;
    latest = worker;
    worker.ready.then(
      () => {
        starting = undefined;
        if (over) return; // dispose stops it
        current = worker;
        watch(worker);
        options.onRestart?.(worker);
      },
      (error: unknown) => {
        starting = undefined;
        if (!over) crashed({ worker, at: Date.now(), error });
      },
    );
  };

  watch(first);
  return {
    get current() {
      return current;
    },
    get latest() {
      return latest;
    },
    ended,
    dispose(deadline) {
      disposed ??= (async () => {
        if (!over) end({ reason: "disposed" });
        await Promise.all([current?.stop(deadline), starting?.stop(deadline)]);
      })();
      return disposed;
    },
  };
}
