import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { EntityManager } from "typeorm";
import { GroupCommit } from "../../subgraphs/kit/group-commit";

/*
 * The audit of reporter deliveries on election day: many officers open their incident lists at once, and each
 * answer waits for its audit rows to commit. The rows of requests that arrive while one transaction commits
 * share the next one; none is acknowledged before its transaction commits.
 */

/** A store whose transactions the test commits or fails by hand, recording what each one held. */
function manualStorage() {
  const transactions: Array<{ rows: string[]; commit(): void; fail(error: Error): void }> = [];
  const committed: string[] = [];
  const storage = {
    write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
      const rows: string[] = [];
      const manager = { rows } as unknown as EntityManager;
      return new Promise<T>((resolve, reject) => {
        void work(manager).then((result) => {
          transactions.push({
            rows,
            commit: () => {
              committed.push(...rows);
              resolve(result);
            },
            fail: reject,
          });
        });
      });
    },
  };
  const log = new GroupCommit<string>(storage, { write: async (manager, items) => void (manager as unknown as { rows: string[] }).rows.push(...items), maxItems: 5 });
  return { log, transactions, committed };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("reporter deliveries share transactions under load, and each is acknowledged only once committed", () => {
  test("ten officers' deliveries arriving while one commits go together in the next transactions, none answered before its commit", async () => {
    const { log, transactions, committed } = manualStorage();
    const acknowledged: string[] = [];
    const first = log.add(["bawaslu-1"]).then(() => acknowledged.push("bawaslu-1"));
    await settle();
    const rest = Array.from({ length: 9 }, (_, index) => log.add([`officer-${index}`]).then(() => acknowledged.push(`officer-${index}`)));
    await settle();
    assert.equal(transactions.length, 1, "the others wait while the first commits");
    assert.deepEqual(acknowledged, []);
    transactions[0].commit();
    await first;
    await settle();
    assert.deepEqual(acknowledged, ["bawaslu-1"]);
    assert.equal(transactions.length, 2);
    assert.equal(transactions[1].rows.length, 5, "the next transaction takes as many as maxItems allows");
    transactions[1].commit();
    await settle();
    transactions[2].commit();
    await Promise.all(rest);
    assert.equal(transactions.length, 3, "ten requests, three commits");
    assert.equal(committed.length, 10);
    assert.deepEqual([...acknowledged].sort(), [...committed].sort());
  });

  test("a transaction that fails refuses exactly the deliveries it held; those waiting behind it still commit", async () => {
    const { log, transactions, committed } = manualStorage();
    const first = log.add(["kesbangpol-1"]);
    await settle();
    const second = log.add(["police-1"]);
    transactions[0].fail(new Error("disk full"));
    await assert.rejects(first, /disk full/);
    await settle();
    transactions[1].commit();
    await second;
    assert.deepEqual(committed, ["police-1"]);
  });

  test("one request larger than a group is still written whole, in one transaction", async () => {
    const { log, transactions } = manualStorage();
    const large = Array.from({ length: 8 }, (_, index) => `row-${index}`);
    const written = log.add(large);
    await settle();
    assert.equal(transactions[0].rows.length, 8);
    transactions[0].commit();
    await written;
  });
});
