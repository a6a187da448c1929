import DataLoader from "dataloader";
import { DataSource, EntityTarget, In, ObjectLiteral } from "typeorm";
import { idOrNull } from "./references";

/** Largest batch sent as one statement; far above what one GraphQL response asks for. */
const MAX_BATCH = 5000;

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
    return this.memo(`one:${name}:${property}`, () =>
      new DataLoader<T[K], T | null>(
        async (keys) => {
          const rows = await this.db.getRepository(entity).findBy({ [property]: In([...keys]) } as never);
          const byKey = new Map(rows.map((row) => [row[property], row]));
          return keys.map((key) => byKey.get(key) ?? null);
        },
        { maxBatchSize: MAX_BATCH },
      ),
    );
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
    const primary = metadata.primaryColumns[0].propertyName;
    return this.memo(`many:${metadata.name}:${property}`, () =>
      new DataLoader<T[K], T[]>(
        async (keys) => {
          const rows = await this.db.getRepository(entity).find({
            where: { [property]: In([...keys]) } as never,
            order: { [primary]: "ASC" } as never,
          });
          const groups = new Map<unknown, T[]>();
          for (const row of rows) {
            const group = groups.get(row[property]) ?? [];
            group.push(row);
            groups.set(row[property], group);
          }
          return keys.map((key) => groups.get(key) ?? []);
        },
        { maxBatchSize: MAX_BATCH },
      ),
    );
  }
}
