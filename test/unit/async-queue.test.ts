import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AsyncQueue } from "../../platform/async-queue";

/** A queue whose onEnd calls are counted. */
function counted<T>(): { queue: AsyncQueue<T>; ends: () => number } {
  let ends = 0;
  return { queue: new AsyncQueue<T>({ onEnd: () => ends++ }), ends: () => ends };
}

describe("the shared async queue", () => {
  test("values pushed before a pull and after it both arrive, in order", async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    queue.push(2);
    assert.deepEqual(await queue.next(), { done: false, value: 1 });
    assert.deepEqual(await queue.next(), { done: false, value: 2 });
    const waiting = queue.next();
    queue.push(3);
    assert.deepEqual(await waiting, { done: false, value: 3 });
  });

  test("end: what is buffered still arrives, then done; onEnd runs at once, pushes after are ignored", async () => {
    const { queue, ends } = counted<string>();
    queue.push("a");
    queue.end();
    queue.push("late");
    assert.equal(ends(), 1);
    assert.equal(queue.ended, true);
    const seen: string[] = [];
    for await (const value of queue) seen.push(value);
    assert.deepEqual(seen, ["a"]);
  });

  test("fail: what is buffered arrives, then the error once, then done", async () => {
    const { queue, ends } = counted<string>();
    queue.push("a");
    queue.fail(new Error("the table is gone"));
    assert.deepEqual(await queue.next(), { done: false, value: "a" });
    await assert.rejects(queue.next(), /the table is gone/);
    assert.deepEqual(await queue.next(), { done: true, value: undefined });
    assert.equal(ends(), 1);
  });

  test("a pull waiting when the producer fails is rejected; one waiting when it ends is told done", async () => {
    const failing = new AsyncQueue<number>();
    const rejected = failing.next();
    failing.fail(new Error("boom"));
    await assert.rejects(rejected, /boom/);
    const ending = new AsyncQueue<number>();
    const done = ending.next();
    ending.end();
    assert.deepEqual(await done, { done: true, value: undefined });
  });

  test("return: a waiting pull is told done, the buffer and an unreported error are dropped, onEnd runs once", async () => {
    const { queue, ends } = counted<number>();
    const waiting = queue.next();
    await queue.return();
    assert.deepEqual(await waiting, { done: true, value: undefined });
    const failed = counted<number>();
    failed.queue.push(1);
    failed.queue.fail(new Error("never seen"));
    await failed.queue.return();
    assert.deepEqual(await failed.queue.next(), { done: true, value: undefined });
    queue.end();
    queue.fail(new Error("after the end"));
    await queue.throw();
    assert.equal(ends(), 1);
    assert.equal(failed.ends(), 1);
  });

  test("a consumer that returns before it ever pulled still runs onEnd (what it holds is released)", async () => {
    const { queue, ends } = counted<never>();
    await queue.return();
    assert.equal(ends(), 1);
  });

  test("breaking out of for-await returns the queue", async () => {
    const { queue, ends } = counted<number>();
    queue.push(1);
    queue.push(2);
    for await (const value of queue) {
      assert.equal(value, 1);
      break;
    }
    assert.equal(ends(), 1);
    assert.deepEqual(await queue.next(), { done: true, value: undefined });
  });
});
