import DataLoader from "dataloader";
import type { DataSource, EntityMetadata, EntityTarget, ObjectLiteral } from "typeorm";
import { idOrNull } from "./references";

/** Largest batch sent as one statement; far above what one GraphQL response asks for. */
const MAX_BATCH = 5000;

/**
 * The rows of an entity whose `property` is one of a list of keys, in primary-key order: the SELECT that
 * TypeORM's findBy would send, with its text made once per entity and column instead of by a query builder on
 * every batch (a fifth of a subgraph's CPU under the Manggar load, docs/BENCHMARKS.md), and its rows hydrated
 * as TypeORM hydrates them (driver.prepareHydratedValue per column). Our entities are flat: no relations.
 */
class SelectByKeys<T extends ObjectLiteral> {
  private readonly metadata: EntityMetadata;
  private readonly head: string;
  private readonly order: string;

  constructor(
    private readonly db: DataSource,
    entity: EntityTarget<T>,
    property: string,
  ) {
    this.metadata = db.getMetadata(entity);
    const quote = (name: string) => db.driver.escape(name);
    const column = this.metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${this.metadata.name} has no column ${property}`);
    if (this.metadata.relations.length > 0) throw new Error(`${this.metadata.name} has relations, which these loaders do not hydrate`);
    const columns = this.metadata.columns.map((each) => quote(each.databaseName)).join(", ");
    this.head = `SELECT ${columns} FROM ${quote(this.metadata.tablePath)} WHERE ${quote(column.databaseName)} IN `;
    this.order = ` ORDER BY ${this.metadata.primaryColumns.map((each) => `${quote(each.databaseName)} ASC`).join(", ")}`;
  }

  /** The statement of `entity` by `property` on `db`, made at its first use. */
  static of<T extends ObjectLiteral>(db: DataSource, entity: EntityTarget<T>, property: string): SelectByKeys<T> {
    const made = STATEMENTS.get(db) ?? new Map<string, SelectByKeys<ObjectLiteral>>();
    STATEMENTS.set(db, made);
    const key = `${db.getMetadata(entity).name}:${property}`;
    let statement = made.get(key);
    if (!statement) {
      statement = new SelectByKeys(db, entity as EntityTarget<ObjectLiteral>, property);
      made.set(key, statement);
    }
    return statement as unknown as SelectByKeys<T>;
  }

  async rows(keys: readonly unknown[]): Promise<T[]> {
    const raw = (await this.db.query(`${this.head}(${keys.map(() => "?").join(", ")})${this.order}`, [...keys])) as Array<Record<string, unknown>>;
    return raw.map((row) => {
      const entity = this.metadata.create() as T;
      for (const column of this.metadata.columns) column.setEntityValue(entity, this.db.driver.prepareHydratedValue(row[column.databaseName], column));
      return entity;
    });
  }
}

const STATEMENTS = new WeakMap<DataSource, Map<string, SelectByKeys<ObjectLiteral>>>();

/**
 * Per-request batch loaders: every lookup by key (entity references included) or by parent key made in
 * one tick becomes one SQL statement, whatever the batch size.
 */
export class Loaders {
  private readonly cache = new Map<string, DataLoader<unknown, unknown>>();

  constructor(private readonly db: DataSource) {}

  private memo<K, V>(key: string, create: () => DataLoader<K, V>): DataLoader<K, V> {
    let loader = this.cache.get(key);
    if (!loader) {
      loader = create() as DataLoader<unknown, unknown>;
      this.cache.set(key, loader);
    }
    return loader as DataLoader<K, V>;
  }

  /** Rows by a unique key; null where none exists. */
  byKey<T extends ObjectLiteral, K extends keyof T & string>(entity: EntityTarget<T>, property: K): DataLoader<T[K], T | null> {
    const name = this.db.getMetadata(entity).name;
    return this.memo(`one:${name}:${property}`, () => {
      const select = SelectByKeys.of(this.db, entity, property);
      return new DataLoader<T[K], T | null>(
        async (keys) => {
          const rows = await select.rows(keys);
          const byKey = new Map(rows.map((row) => [row[property], row]));
          return keys.map((key) => byKey.get(key) ?? null);
        },
        { maxBatchSize: MAX_BATCH },
      );
    });
  }

  /** Rows by id; null where none exists. */
  byId<T extends ObjectLiteral & { id: number }>(entity: EntityTarget<T>): DataLoader<number, T | null> {
    return this.byKey(entity, "id") as DataLoader<number, T | null>;
  }

  /** The row with an id given as GraphQL ID text; null for an id that is not ours or does not exist. */
  async find<T extends ObjectLiteral & { id: number }>(entity: EntityTarget<T>, id: unknown): Promise<T | null> {
    const key = idOrNull(id);
    return key === null ? null : this.byId(entity).load(key);
  }

  /** Child rows grouped by a parent key (participants of events, signatures of declarations), in key order. */
  manyBy<T extends ObjectLiteral, K extends keyof T & string>(entity: EntityTarget<T>, property: K): DataLoader<T[K], T[]> {
    const metadata = this.db.getMetadata(entity);
    return this.memo(`many:${metadata.name}:${property}`, () => {
      const select = SelectByKeys.of(this.db, entity, property);
      return new DataLoader<T[K], T[]>(
        async (keys) => {
          const rows = await select.rows(keys);
          const groups = new Map<unknown, T[]>();
          for (const row of rows) {
            const group = groups.get(row[property]) ?? [];
            group.push(row);
            groups.set(row[property], group);
          }
          return keys.map((key) => groups.get(key) ?? []);
        },
        { maxBatchSize: MAX_BATCH },
      );
    });
  }
}
