import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Crash, RestartPolicy, SupervisedWorker, supervise, Supervisor, WorkerExit } from "../../launcher/supervisor";

/*
 * The restart policy of `npm start`'s supervisor, on stand-in workers: what is restarted, after which wait,
 * and when it gives up. The child processes themselves are exercised in test/integration/supervised-children.
 */

/** A stand-in for a subgraph process: crashes when told to, or fails to start. */
class FakeWorker implements SupervisedWorker {
  readonly exited: Promise<WorkerExit>;
  readonly ready: Promise<void>;
  stopped = false;
  private end!: (exit: WorkerExit) => void;

  constructor(startError?: Error) {
    this.exited = new Promise((resolve) => (this.end = resolve));
    if (startError) this.end({ code: 1, signal: null });
    this.ready = startError ? Promise.reject(startError) : Promise.resolve();
  }

  crash(exit: WorkerExit = { code: null, signal: "SIGKILL" }): void {
    this.end(exit);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.end({ code: 0, signal: null });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A supervised FakeWorker with everything it did recorded. */
function supervised(policy: Partial<RestartPolicy>, startErrors: Array<Error | undefined> = []) {
  const first = new FakeWorker();
  const started: FakeWorker[] = [];
  const serving: FakeWorker[] = [];
  const crashes: Array<{ crash: Crash<FakeWorker>; wait: number | null }> = [];
  let over = false;
  const supervisor: Supervisor<FakeWorker> = supervise(first, {
    ...policy,
    restart: () => {
      const worker = new FakeWorker(startErrors.shift());
      started.push(worker);
      return worker;
    },
    onCrash: (crash, wait) => crashes.push({ crash, wait }),
    onRestart: (worker) => serving.push(worker),
  });
  void supervisor.ended.then(() => (over = true));
  /** Waits until `count` replacements have served, or supervision ended. */
  const restarted = async (count: number) => {
    while (!over && serving.length < count) await sleep(1);
  };
  /** Crashes the worker serving now, once one serves, and waits until the supervisor noticed. */
  const crashCurrent = async () => {
    while (!over && !supervisor.current) await sleep(1);
    const worker = supervisor.current!;
    worker.crash();
    while (supervisor.current === worker) await sleep(1);
  };
  return { first, started, crashes, supervisor, restarted, crashCurrent };
}

describe("the subgraph processes' supervisor", () => {
  test("a worker that dies is replaced after the first wait, and the replacement is the one serving", async () => {
    const run = supervised({ restartDelayMs: 1 });
    run.first.crash({ code: 1, signal: null });
    await run.restarted(1);
    assert.equal(run.supervisor.current, run.started[0]);
    assert.deepEqual(run.crashes.map(({ crash, wait }) => [crash.exit, wait]), [[{ code: 1, signal: null }, 1]]);
    await run.supervisor.dispose(Date.now() + 1000);
  });

  test("each further crash within the window doubles the wait, up to the cap", async () => {
    const run = supervised({ restartDelayMs: 1, maxRestartDelayMs: 4, crashLoopCount: 10 });
    for (let crash = 0; crash < 5; crash++) await run.crashCurrent();
    await run.restarted(5);
    assert.deepEqual(run.crashes.map(({ wait }) => wait), [1, 2, 4, 4, 4]);
    await run.supervisor.dispose(Date.now() + 1000);
  });

  test("five crashes within a minute are a crash loop: supervision ends with them, and nothing more is started", async () => {
    const run = supervised({ restartDelayMs: 1 });
    for (let crash = 0; crash < 5; crash++) await run.crashCurrent();
    const end = await run.supervisor.ended;
    assert.equal(end.reason, "crash-loop");
    assert.equal(end.reason === "crash-loop" && end.crashes.length, 5);
    assert.deepEqual(run.crashes.map(({ wait }) => wait), [1, 2, 4, 8, null], "the fifth crash is not followed by a restart");
    await sleep(20);
    assert.equal(run.started.length, 4);
    assert.equal(run.supervisor.current, undefined);
    assert.equal(run.supervisor.latest, run.started[3], "the last process is the one a message names");
  });

  test("a replacement that cannot start counts as a crash, and the next one is tried", async () => {
    const run = supervised({ restartDelayMs: 1 }, [new Error("port taken"), new Error("port taken")]);
    run.first.crash();
    await run.restarted(1);
    assert.equal(run.supervisor.current, run.started[2]);
    assert.deepEqual(
      run.crashes.map(({ crash, wait }) => [crash.exit ? "exit" : (crash.error as Error).message, wait]),
      [
        ["exit", 1],
        ["port taken", 2],
        ["port taken", 4],
      ],
    );
    await run.supervisor.dispose(Date.now() + 1000);
  });

  test("a crash older than the window is forgotten: the wait starts over", async () => {
    const run = supervised({ restartDelayMs: 1, crashLoopWindowMs: 30 });
    await run.crashCurrent();
    await run.restarted(1);
    await sleep(60);
    await run.crashCurrent();
    assert.deepEqual(run.crashes.map(({ wait }) => wait), [1, 1]);
    await run.supervisor.dispose(Date.now() + 1000);
  });

  test("dispose stops the worker serving, and its exit is no crash", async () => {
    const run = supervised({ restartDelayMs: 1 });
    await run.supervisor.dispose(Date.now() + 1000);
    assert.equal(run.first.stopped, true);
    assert.deepEqual(await run.supervisor.ended, { reason: "disposed" });
    await sleep(10);
    assert.deepEqual([run.crashes, run.started], [[], []]);
  });

  test("dispose during the wait cancels the restart", async () => {
    const run = supervised({ restartDelayMs: 50 });
    run.first.crash();
    await run.supervisor.dispose(Date.now() + 1000);
    await sleep(100);
    assert.equal(run.started.length, 0);
    assert.deepEqual(await run.supervisor.ended, { reason: "disposed" });
  });
});
