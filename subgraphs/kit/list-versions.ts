import { LRUCache } from "lru-cache";
import { DataSource, EntityManager, ObjectLiteral, QueryRunner, SelectQueryBuilder, Table } from "typeorm";
import { textColumn } from "./columns";

/*
 * What a list's readers may remember between requests: an exact totalCount, a page's ids, what they hold in
 * memory of the list (the directory's names). Each list (a table and what is derived from it) has a row in list_versions;
 * every write to the list bumps it inside the write's transaction, and a reader reuses what was worked out at
 * the version it reads, one primary-key lookup instead of, say, counting 5,000 index entries for a regency's
 * directory. A reader asking again reads that lookup inside the statement that reads its rows (recall,
 * versionSelect), so an unchanged list costs one statement. The version lives in the database, so replicas
 * of a subgraph never serve each other's stale counts, with or without Redis.
 */

const TABLE = "list_versions";

/** Creates list_versions with a row per list, for a subgraph's migration. */
export async function createListVersions(queryRunner: QueryRunner, lists: string[]): Promise<void> {
  await queryRunner.createTable(
    new Table({ name: TABLE, columns: [{ ...textColumn("list", 40), isPrimary: true }, { name: "version", type: "bigint", default: 0 }] }),
  );
  for (const list of lists) await queryRunner.query(`INSERT INTO ${TABLE} (list, version) VALUES (?, 0)`, [list]);
}

export async function dropListVersions(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.dropTable(TABLE);
}

/** What the readers of one list remember, at the newest version any of them has read. */
interface Remembered {
  version: number;
  values: LRUCache<string, Promise<unknown>>;
  /** The values computed by now, for readers that check the version in their own statement (ListMemo.recall). */
  settled: Map<string, unknown>;
}

/** A value remembered at a version (ListMemo.recall). */
export interface Recalled<T> {
  version: number;
  value: T;
}

/** What a reader may reuse of a list as of the version it read (ListMemo.at). */
export interface ListSnapshot {
  /** The version read: what a reader derives from the list must be at least this new. */
  readonly version: number;
  /**
   * The value of `key` at this version: remembered, or computed now (concurrent readers of the same key
   * share one computation). A failed computation is forgotten, so the next reader tries again.
   */
  remember<T>(key: string, compute: () => Promise<T>): Promise<T>;
}

export interface ListMemoOptions {
  /** Most values remembered; the least recently used go first. Default 5,000. */
  maxEntries?: number;
}

/**
 * The remembered values of one list of one database. A subgraph instance creates its memos at its start
 * (they are part of its state), so two instances in one process never share what they remember.
 */
export class ListMemo {
  private remembered: Remembered | undefined;
  private readonly maxEntries: number;

  /** `list` is the list's row in list_versions, created by the subgraph's migration; `db` reads it. */
  constructor(
    private readonly db: DataSource,
    readonly list: string,
    options: ListMemoOptions = {},
  ) {
    // The name goes into SQL as a literal (versionSelect): a name from code, never from input.
    if (!/^[a-z_]+$/.test(list)) throw new RangeError(`list: "${list}" must be lowercase letters and underscores`);
    this.maxEntries = options.maxEntries ?? 5_000;
  }

  /**
   * A select expression for the list's version, so a reader can read it in its own statement along with its
   * rows: one round trip fewer than `at` and then the rows (see recall).
   */
  get versionSelect(): string {
    return `(SELECT version FROM ${TABLE} WHERE list = '${this.list}')`;
  }

  /**
   * In a write's transaction: the list changes. Call it before the write's first read, so that on MySQL the
   * row lock also orders concurrent writers (each then reads what the one before it committed).
   */
  async changed(manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE ${TABLE} SET version = version + 1 WHERE list = ?`, [this.list]);
  }

  /** Reads the list's version: what is remembered at it may be reused, anything older is dropped. */
  async at(): Promise<ListSnapshot> {
    const rows = (await this.db.query(`SELECT version FROM ${TABLE} WHERE list = ?`, [this.list])) as Array<{ version: number | string }>;
    if (rows.length === 0) throw new Error(`${TABLE}: no row for list "${this.list}" (a migration is missing)`);
    return this.snapshotAt(Number(rows[0].version));
  }

  /** The snapshot at a version the caller read itself, through versionSelect. */
  snapshotAt(version: number): ListSnapshot {
    return { version, remember: (key, compute) => this.remember(version, key, compute) };
  }

  /**
   * The value of `key` computed at the newest version the readers have read, without reading the version: a
   * reader may answer with it once its own statement, reading versionSelect, finds the list still at that
   * version. Undefined while nothing is computed (or the computation is still running).
   */
  recall<T>(key: string): Recalled<T> | undefined {
    const remembered = this.remembered;
    if (!remembered || !remembered.settled.has(key)) return undefined;
    return { version: remembered.version, value: remembered.settled.get(key) as T };
  }

  private remember<T>(version: number, key: string, compute: () => Promise<T>): Promise<T> {
    let remembered = this.remembered;
    if (!remembered || remembered.version < version) {
      const settled = new Map<string, unknown>();
      const values = new LRUCache<string, Promise<unknown>>({ max: this.maxEntries, dispose: (_value, gone) => settled.delete(gone) });
      remembered = this.remembered = { version, values, settled };
    }
    // A reader that read an older version than others since did computes for itself and keeps nothing.
    if (remembered.version > version) return compute();
    const known = remembered.values.get(key);
    if (known) return known as Promise<T>;
    const { values, settled } = remembered;
    const computed = compute();
    values.set(key, computed);
    computed.then(
      (value) => values.peek(key) === computed && settled.set(key, value),
      () => values.peek(key) === computed && values.delete(key),
    );
    return computed;
  }
}

/** A memo key for what `query` yields: its SQL and parameters, after what is kept (`purpose`). */
export function queryKey<T extends ObjectLiteral>(purpose: string, query: SelectQueryBuilder<T>): string {
  const [sql, parameters] = query.getQueryAndParameters();
  return `${purpose} ${sql} ${JSON.stringify(parameters)}`;
}
