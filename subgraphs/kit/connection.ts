import { ClassType, Directive, Field, Int, ObjectType } from "type-graphql";
import { ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { badInput } from "../../platform/errors";
import { ListMemo, ListSnapshot, queryKey } from "./list-versions";
import { message } from "../../platform/i18n";

/** Relay page info; every subgraph defines it, so its fields are shareable in the supergraph. */
@ObjectType()
@Directive("@shareable")
export class PageInfo {
  @Field() hasNextPage: boolean;
  @Field() hasPreviousPage: boolean;
  @Field(() => String, { nullable: true }) startCursor: string | null;
  @Field(() => String, { nullable: true }) endCursor: string | null;
}

export interface Edge<T> {
  node: T;
  cursor: string;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Declares `<Name>Connection` and `<Name>Edge` for a node type. Call once per node type. */
export function connectionType<T extends object>(node: ClassType<T>, name: string): ClassType<Connection<T>> {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field(() => node) node: T;
    @Field() cursor: string;
  }
  @ObjectType(`${name}Connection`)
  class ConnectionType {
    @Field(() => [EdgeType]) edges: EdgeType[];
    @Field(() => PageInfo) pageInfo: PageInfo;
    @Field(() => Int) totalCount: number;
  }
  return ConnectionType;
}

/** Longest page a client may ask for, and the page size when it does not say. */
export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 20;

/** How a list is ordered: a sort column (unique together with id) and its direction. */
export interface KeysetOrder<T> {
  /** Entity property holding the sort value; its column must be indexed together with id. */
  property: keyof T & string;
  direction: "ASC" | "DESC";
}

type CursorKey = [string | number, number];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

export function decodeCursor(cursor: string): CursorKey {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(key) &&
      key.length === 2 &&
      (typeof key[0] === "string" || typeof key[0] === "number") &&
      Number.isInteger(key[1])
    ) {
      return key as CursorKey;
    }
  } catch {
    // fall through to the error below
  }
  throw badInput("after", message("rule.listCursor"));
}

/** Validates `first`: 0 to MAX_PAGE, default DEFAULT_PAGE. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE) {
    throw badInput("first", message("rule.wholeNumber", { min: 0, max: MAX_PAGE }));
  }
  return first;
}

export interface PageOptions {
  /**
   * The list the query reads (kit/list-versions.ts). Its count and each page's ids are remembered at the
   * list's version, so a page asked for again at an unchanged version costs one statement: its rows by
   * primary key, with the version read alongside. Default: none (count and page read every time).
   */
  list?: ListMemo;
}

/**
 * One page of a filtered query, by keyset (sort value, id): stable under inserts, and as cheap deep in a
 * list as at its start (no OFFSET). `query` carries the filters; the page adds order, cursor and limit.
 * The page is chosen on (id, sort value) alone, and only its rows are read: with every column selected,
 * MySQL walked the sort index reading a whole row per filtered-out entry, while for the key alone it picks a
 * covering index.
 */
export async function keysetPage<T extends ObjectLiteral & { id: number }>(
  query: SelectQueryBuilder<T>,
  order: KeysetOrder<T>,
  first: number | null | undefined,
  after: string | null | undefined,
  options: PageOptions = {},
): Promise<Connection<T>> {
  const size = pageSize(first);
  const alias = query.alias;
  const column = `${alias}.${order.property}`;
  const keysQuery = query.clone().select([`${alias}.id`, column]);
  if (after) {
    const [value, id] = decodeCursor(after);
    const beyond = order.direction === "ASC" ? ">" : "<";
    keysQuery.andWhere(`(${column} ${beyond} :afterValue OR (${column} = :afterValue AND ${alias}.id ${beyond} :afterId))`, {
      afterValue: value,
      afterId: id,
    });
  }
  keysQuery.orderBy(column, order.direction).addOrderBy(`${alias}.id`, order.direction).limit(size + 1);
  // One statement: the keys in a derived table, joined to their rows (the outer where() replaces the
  // filters, which stay in the derived table).
  const readPage = () =>
    query
      .clone()
      .innerJoin(`(${keysQuery.getQuery()})`, "page")
      .where(`${alias}.id = page.${alias}_id`)
      .setParameters(keysQuery.getParameters())
      .orderBy(column, order.direction)
      .addOrderBy(`${alias}.id`, order.direction)
      .getMany();
  // first: 0 counts without listing, and says whether there is anything to list.
  const answer = (rows: T[], totalCount: number): Connection<T> =>
    size === 0 ? connectionOf<T>([], totalCount, totalCount > 0, Boolean(after)) : pageOf(rows, size, order, totalCount, after);
  const { list } = options;
  if (!list) {
    const totalCount = await query.clone().getCount();
    return answer(size === 0 ? [] : await readPage(), totalCount);
  }

  const countKey = queryKey("count", query);
  const pageKey = queryKey("page", keysQuery);
  // Optimistic: the count and ids remembered at the newest version read, checked by reading that version
  // with the rows. Unchanged, they answer; changed, the version read is the one to work at.
  const count = list.recall<number>(countKey);
  const ids = size === 0 ? [] : list.recall<number[]>(pageKey)?.value;
  let snapshot: ListSnapshot;
  if (count && ids) {
    const current = await rowsAtVersion(query, ids, list);
    if (current.version === count.version) return answer(current.rows, count.value);
    snapshot = list.snapshotAt(current.version);
  } else {
    snapshot = await list.at();
  }
  const totalCount = await snapshot.remember(countKey, () => query.clone().getCount());
  if (size === 0) return answer([], totalCount);
  // Whoever reads the page first at a version has its rows already; later readers read them by id.
  let read: T[] | undefined;
  const pageIds = await snapshot.remember(pageKey, async () => {
    read = await readPage();
    return read.map((row) => Number(row.id));
  });
  return answer(read ?? (await rowsInOrder(query, pageIds)), totalCount);
}

/** The connection of a page read with one row beyond it (which only says there is a next page). */
function pageOf<T extends ObjectLiteral & { id: number }>(rows: T[], size: number, order: KeysetOrder<T>, totalCount: number, after: string | null | undefined): Connection<T> {
  const nodes = rows.slice(0, size);
  return connectionOf(
    nodes.map((node) => ({ node, cursor: encodeCursor([node[order.property], node.id]) })),
    totalCount,
    rows.length > size,
    Boolean(after),
  );
}

/** The rows of `ids` by primary key, in that order (a row deleted since the ids were chosen is left out). */
export async function rowsInOrder<T extends ObjectLiteral & { id: number }>(query: SelectQueryBuilder<T>, ids: number[]): Promise<T[]> {
  if (ids.length === 0) return [];
  return inOrder(await byIds(query, ids).getMany(), ids);
}

/** The rows of `ids` by primary key, in that order, and the list's version read in the same statement. */
export async function rowsAtVersion<T extends ObjectLiteral & { id: number }>(query: SelectQueryBuilder<T>, ids: number[], list: ListMemo): Promise<{ rows: T[]; version: number }> {
  const { raw, entities } = ids.length === 0 ? { raw: [], entities: [] } : await byIds(query, ids).addSelect(list.versionSelect, "list_version").getRawAndEntities();
  // Nothing to read (an empty page, or its rows deleted since): the version alone.
  const version = raw.length > 0 ? Number((raw[0] as { list_version: number | string }).list_version) : (await list.at()).version;
  return { rows: inOrder(entities, ids), version };
}

function byIds<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, ids: number[]): SelectQueryBuilder<T> {
  return query.clone().where(`${query.alias}.id IN (:...keysetPageIds)`, { keysetPageIds: ids });
}

function inOrder<T extends ObjectLiteral & { id: number }>(rows: T[], ids: number[]): T[] {
  const byId = new Map(rows.map((row) => [Number(row.id), row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** A connection from its edges, in order. */
export function connectionOf<T>(edges: Edge<T>[], totalCount: number, hasNextPage: boolean, hasPreviousPage: boolean): Connection<T> {
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
