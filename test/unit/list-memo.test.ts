import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DataSource } from "typeorm";
import { createListVersions, ListMemo } from "../../subgraphs/kit/list-versions";

describe("list memo: what readers of a list reuse until a write changes it", () => {
  let db: DataSource;
  before(async () => {
    db = new DataSource({ type: "better-sqlite3", database: ":memory:" });
    await db.initialize();
    const runner = db.createQueryRunner();
    await createListVersions(runner, ["organizations"]);
    await runner.release();
  });
  after(() => db.destroy());

  /** A count that records how often it ran. */
  const counter = (value: number) => {
    const count = async () => {
      count.runs++;
      return value;
    };
    count.runs = 0;
    return count;
  };

  test("sixteen officers opening the same regency at once share one count", async () => {
    const memo = new ListMemo(db, "organizations");
    const count = counter(5040);
    const answers = await Promise.all(Array.from({ length: 16 }, async () => (await memo.at()).remember("count 32.16", count)));
    assert.deepEqual(new Set(answers), new Set([5040]));
    assert.equal(count.runs, 1);
  });

  test("a registration changes the list: the next reader counts again", async () => {
    const memo = new ListMemo(db, "organizations");
    const before = counter(5040);
    await (await memo.at()).remember("count 32.16", before);
    await db.transaction((manager) => memo.changed(manager));
    const after = counter(5041);
    assert.equal(await (await memo.at()).remember("count 32.16", after), 5041);
    assert.equal(after.runs, 1);
  });

  test("a reader still holding an older version counts for itself and leaves the newer count in place", async () => {
    const memo = new ListMemo(db, "organizations");
    const stale = await memo.at();
    await db.transaction((manager) => memo.changed(manager));
    const fresh = await memo.at();
    await fresh.remember("count 32.16", counter(5041));
    assert.equal(await stale.remember("count 32.16", counter(5040)), 5040);
    const again = counter(0);
    assert.equal(await (await memo.at()).remember("count 32.16", again), 5041);
    assert.equal(again.runs, 0);
  });

  test("a count that failed is forgotten, so the next reader tries again", async () => {
    const memo = new ListMemo(db, "organizations");
    await assert.rejects((await memo.at()).remember("count 32.16", () => Promise.reject(new Error("connection lost"))), /connection lost/);
    assert.equal(await (await memo.at()).remember("count 32.16", counter(5040)), 5040);
  });

  test("past its limit the memo forgets its oldest values first", async () => {
    const memo = new ListMemo(db, "organizations", { maxEntries: 2 });
    const snapshot = await memo.at();
    for (const regency of ["19.01", "19.02", "19.03"]) await snapshot.remember(`count ${regency}`, counter(1));
    const oldest = counter(1);
    const newest = counter(1);
    await snapshot.remember("count 19.03", newest);
    await snapshot.remember("count 19.01", oldest);
    assert.deepEqual([newest.runs, oldest.runs], [0, 1]);
  });

  test("a repeated page recalls its count once computed, with the version it was computed at", async () => {
    const memo = new ListMemo(db, "organizations");
    const snapshot = await memo.at();
    let finish: (count: number) => void = () => undefined;
    const counting = snapshot.remember("count 32.16", () => new Promise<number>((resolve) => (finish = resolve)));
    assert.equal(memo.recall("count 32.16"), undefined, "nothing to recall while the count runs");
    finish(5040);
    await counting;
    assert.deepEqual(memo.recall("count 32.16"), { version: snapshot.version, value: 5040 });
  });

  test("after a registration a reader finds the new version in its own statement and recalls nothing older", async () => {
    const memo = new ListMemo(db, "organizations");
    await (await memo.at()).remember("count 32.16", counter(5040));
    await db.transaction((manager) => memo.changed(manager));
    const [{ version }] = (await db.query(`SELECT ${memo.versionSelect} AS version`)) as Array<{ version: number }>;
    assert.notEqual(version, memo.recall("count 32.16")!.version, "the recalled count is of the older version");
    assert.equal(await memo.snapshotAt(Number(version)).remember("count 32.16", counter(5041)), 5041);
    assert.deepEqual(memo.recall("count 32.16"), { version: Number(version), value: 5041 });
  });

  test("a count that failed is not recalled", async () => {
    const memo = new ListMemo(db, "organizations");
    await assert.rejects((await memo.at()).remember("count 19.06", () => Promise.reject(new Error("connection lost"))));
    assert.equal(memo.recall("count 19.06"), undefined);
  });

  test("a list name is code, not input: anything but lowercase letters and underscores is refused", () => {
    assert.throws(() => new ListMemo(db, "organizations'; --"), /must be lowercase letters and underscores/);
  });

  test("a list without its row in list_versions is a missing migration, said plainly", async () => {
    await assert.rejects(new ListMemo(db, "events").at(), /no row for list "events" \(a migration is missing\)/);
  });
});
