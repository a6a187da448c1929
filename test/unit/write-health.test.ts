import assert from "node:assert/strict";
import { test } from "node:test";
import { WriteHealth, WriteState } from "../../subgraphs/kit/write-health";

/** A write health on a clock the test moves. */
function healthAt(retryMs = 1000) {
  let now = 0;
  const changes: WriteState[] = [];
  const health = new WriteHealth({ retryMs, now: () => now, onChange: (state) => changes.push(state) });
  return { health, changes, advance: (ms: number) => void (now += ms) };
}

test("while the disk is fine every write runs, and the state says ok", () => {
  const { health } = healthAt();
  assert.equal(health.admit(), "write");
  health.settle("write", "committed");
  assert.deepEqual(health.state, { writes: "ok" });
});

test("after a storage fault, writes are refused at once until a trial is due, and only one trial runs at a time", () => {
  const { health, changes, advance } = healthAt(1000);
  health.settle(health.admit(), "storage fault", "SQLITE_FULL");
  assert.equal(health.state.writes, "failing");
  assert.equal(health.state.reason, "SQLITE_FULL");
  assert.equal(changes.length, 1, "the operator hears of it once");
  assert.equal(health.admit(), "refuse");
  advance(999);
  assert.equal(health.admit(), "refuse");
  advance(1);
  assert.equal(health.admit(), "trial");
  assert.equal(health.admit(), "refuse", "a second write waits for the trial's outcome");
});

test("a trial that commits turns writes back on without a restart", () => {
  const { health, changes, advance } = healthAt(1000);
  health.settle(health.admit(), "storage fault", "SQLITE_FULL");
  advance(1000);
  health.settle(health.admit(), "committed");
  assert.deepEqual(health.state, { writes: "ok" });
  assert.equal(health.admit(), "write");
  assert.deepEqual(changes.map((change) => change.writes), ["failing", "ok"]);
});

test("a trial that fails again keeps refusing for another interval; one refused for its input lets the next try at once", () => {
  const { health, advance } = healthAt(1000);
  health.settle(health.admit(), "storage fault", "SQLITE_FULL");
  advance(1000);
  health.settle(health.admit(), "storage fault", "SQLITE_FULL");
  assert.equal(health.admit(), "refuse");
  advance(1000);
  health.settle(health.admit(), "other");
  assert.equal(health.trialDue, true);
  assert.equal(health.admit(), "trial");
});

test("the failing state keeps the time it started while trials keep failing", () => {
  const { health, advance } = healthAt(1000);
  health.settle(health.admit(), "storage fault", "disk full");
  const since = health.state.since;
  advance(5000);
  health.settle(health.admit(), "storage fault", "disk full");
  assert.equal(health.state.since, since);
});
