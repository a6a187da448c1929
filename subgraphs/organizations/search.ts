import { DataSource } from "typeorm";
import { badInput } from "../kit/errors";
import { Connection, connectionOf, decodeCursor, encodeCursor, pageSize, rowsInOrder } from "../kit/connection";
import type { ListSnapshot } from "../kit/list-versions";
import { containsSql, isSqlite, nameTokens, regionWithinSql, SqlPart, startsWithSql } from "../kit/filters";
import { regionCode, requiredText } from "../kit/validate";
import { Organization } from "./entities";

/*
 * Name search over organization_search_tokens (token, nameKey, organizationId, regionCode; primary key
 * token, nameKey, organizationId). Within one token the rows are in name order, so a page of "pemuda" is
 * the first 21 entries of one index range, and its totalCount an index-only count of that range: neither
 * reads an organization row. Before, each match was joined to its organization (a random row read) to be
 * counted and sorted: 0.5 to 0.7 s per statement for a common word on MariaDB at national size.
 *
 * A search word is a prefix, so it may begin several tokens ("lumar": lumara, lumari). Each token is its
 * own ordered range; the page merges them (UNION, sorted by the database, so the order is the database's
 * collation, the same one the cursor compares with). Every other word of the search is checked on the
 * walked organization: first in its nameKey (a word that begins a word of the name is in the name), then
 * exactly, by a primary-key lookup per token it begins. A word that begins more than MAX_TOKENS_PER_WORD
 * tokens ("p", "pem") is "wide": it is matched as one prefix range, and a search made only of wide words
 * is counted here but paged by the resolver's general query (walking the directory in name order).
 */

const TABLE = "organization_search_tokens";

/** Most tokens a search word may begin and still be walked token by token; past it a UNION of ranges costs more than it saves. */
export const MAX_TOKENS_PER_WORD = 8;

/** A search word and the distinct tokens it begins (one per collation group on MySQL); null when wide. */
interface Word {
  word: string;
  tokens: string[] | null;
}

/** A planned search: its words, the one walked first, and the region. */
export interface TokenSearch {
  sqlite: boolean;
  /** The word whose rows are walked: the rarest word that is not wide, else the longest word. */
  driver: Word;
  /** Every other word, checked on each walked organization. */
  others: Word[];
  /**
   * The word whose rows are walked to count the matches: the rarest of all, wide or not, since a count
   * needs no name order ("pelajar sungai": the 4,826 entries beginning "sungai", not pelajar's 21,000).
   */
  counter: Word;
  /** Region prefix the organizations must lie in, or null. */
  region: string | null;
  /** Some word begins no token (or there are no words): nothing matches, and no statement is needed. */
  empty: boolean;
}

/** True when the search can be paged here, in name order from the driver's token ranges. */
export function pagedByToken(search: TokenSearch): boolean {
  return search.empty || search.driver.tokens !== null;
}

/** The code point after the last one of `prefix`, as an exclusive upper bound for strings beginning with it; null if none. */
function prefixEnd(prefix: string): string | null {
  const points = Array.from(prefix);
  const last = points.pop();
  if (last === undefined) return null;
  let next = (last.codePointAt(0) ?? 0) + 1;
  if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
  return next > 0x10ffff ? null : points.join("") + String.fromCodePoint(next);
}

/**
 * The distinct tokens `word` begins, or null when there are more than MAX_TOKENS_PER_WORD. MySQL answers
 * DISTINCT on an index's first column with a loose index scan (one dive per token). SQLite reads every
 * entry of the range for it (1 to 2 ms for a common word at national size), so there each next token is
 * one seek; its BINARY order is code-point order, so [word, prefixEnd) holds exactly the words' tokens.
 */
async function tokensBegunBy(db: DataSource, sqlite: boolean, word: string): Promise<string[] | null> {
  const end = prefixEnd(word);
  if (!sqlite || end === null) {
    const prefix = startsWithSql(sqlite, "token", word);
    const rows = (await db.query(`SELECT DISTINCT token FROM ${TABLE} WHERE ${prefix.sql} LIMIT ${MAX_TOKENS_PER_WORD + 1}`, prefix.values)) as Array<{ token: string }>;
    return rows.length > MAX_TOKENS_PER_WORD ? null : rows.map((row) => row.token);
  }
  const tokens: string[] = [];
  while (tokens.length <= MAX_TOKENS_PER_WORD) {
    const previous = tokens[tokens.length - 1];
    const [row] = (await db.query(`SELECT token FROM ${TABLE} WHERE token ${previous === undefined ? ">=" : ">"} ? AND token < ? ORDER BY token LIMIT 1`, [
      previous ?? word,
      end,
    ])) as Array<{ token: string }>;
    if (!row) return tokens;
    tokens.push(row.token);
  }
  return null;
}

/**
 * Plans a search. `text` is the search input and `region` an optional region prefix; both are validated
 * here. What it learns of each word (its tokens, its frequency) is remembered at the directory's version,
 * for every search that uses the word: words repeat across searches far more than whole phrases do.
 */
export async function planTokenSearch(db: DataSource, directory: ListSnapshot, text: string, region: string | null | undefined): Promise<TokenSearch> {
  const words = nameTokens(requiredText("filter.search", text, { max: 100 }));
  const regionPrefix = region === null || region === undefined ? null : regionCode("filter.regionCode", region);
  const sqlite = isSqlite(db);
  const planned: Word[] = [];
  for (const word of words) {
    const tokens = await directory.remember(`search word ${word}`, () => tokensBegunBy(db, sqlite, word));
    planned.push({ word, tokens });
    if (tokens !== null && tokens.length === 0) break; // no organization has this word: nothing to find
  }
  const empty = planned.length === 0 || planned.some((word) => word.tokens !== null && word.tokens.length === 0);
  const longest = (candidates: Word[]) => candidates.reduce<Word | undefined>((best, word) => (best === undefined || word.word.length > best.word.length ? word : best), undefined);
  const walkable = planned.filter((word) => word.tokens !== null);
  let driver = longest(walkable) ?? longest(planned) ?? { word: "", tokens: [] };
  let counter = driver;
  if (!empty && planned.length > 1) {
    // The rarest words are walked, so the fewest organizations are tested. Length guesses wrong for theme
    // words: "perempuan" begins 21,457 entries at national size, "manggar" 130.
    const frequencies = new Map<Word, number>();
    for (const word of planned) frequencies.set(word, await directory.remember(`search word frequency ${word.word}`, () => cappedFrequency(db, sqlite, word)));
    const rarest = (candidates: Word[]) => candidates.reduce((best, word) => (frequencies.get(word)! < frequencies.get(best)! ? word : best));
    if (walkable.length > 0) driver = rarest(walkable);
    counter = rarest(planned);
  }
  return { sqlite, driver, others: planned.filter((word) => word !== driver), counter, region: regionPrefix, empty };
}

/** Index entries counted at most, per word: past the 4,000 to 7,000 of a common place prefix, below a theme word's 21,000. */
const FREQUENCY_CAP = 10_000;

/** How many index entries begin with a word (its tokens, or its prefix range when wide), up to FREQUENCY_CAP. */
async function cappedFrequency(db: DataSource, sqlite: boolean, word: Word): Promise<number> {
  const where = word.tokens === null ? startsWithSql(sqlite, "token", word.word) : { sql: `token IN (${word.tokens.map(() => "?").join(", ")})`, values: word.tokens };
  const [row] = (await db.query(`SELECT COUNT(*) AS entries FROM (SELECT 1 FROM ${TABLE} WHERE ${where.sql} LIMIT ${FREQUENCY_CAP}) probe`, where.values)) as Array<{
    entries: number | string;
  }>;
  return Number(row.entries);
}

interface Walk {
  /** Columns to select from the driver alias `a`. */
  columns: string;
  after?: { nameKey: string; id: number };
  limit?: number;
}

/** Conditions on the walked row `a` for the other words, as LEFT JOINs and WHERE terms. */
interface OtherWordChecks {
  joins: SqlPart[];
  where: SqlPart[];
}

/**
 * The other words' checks. Each is first looked for in the walked row's nameKey: cheap, and true whenever
 * the exact check is (a word that begins a word of the name is in the name), so it only skips organizations
 * that cannot match, and the exact check runs for a few ("forum nelayan": 1,300 of 21,700 "nelayan" rows;
 * on MariaDB at national size the count took 35 ms without this test, 14 to 24 ms with it). The exact
 * check for a word of few tokens is a LEFT JOIN per token on the primary key (at most one row each, so an
 * organization is never repeated, and LEFT keeps the walk in the driver's order). For a wide word, a page
 * looks each candidate up by organization (a scalar subquery, evaluated per row: a page stops after a few),
 * while a count, which tests every candidate, reads the wide word's range once (IN, materialized): on
 * MariaDB at national size "pemuda ka" (9,100 candidates) counts in 52 ms that way and 630 ms by lookups,
 * which land all over an index larger than the buffer pool. SQLite, reading its file through the OS cache,
 * counts faster by lookups (28 ms; with IN it drives from the wide word's 64,000 rows: 103 ms).
 */
function otherWordChecks(search: TokenSearch, purpose: "count" | "page"): OtherWordChecks {
  const checks: OtherWordChecks = { joins: [], where: [] };
  search.others.forEach((other, w) => {
    checks.where.push(containsSql(search.sqlite, "a.nameKey", other.word));
    if (other.tokens === null) {
      const prefix = startsWithSql(search.sqlite, "b.token", other.word);
      const sql =
        purpose === "count" && !search.sqlite
          ? `a.organizationId IN (SELECT b.organizationId FROM ${TABLE} b WHERE ${prefix.sql})`
          : `(SELECT 1 FROM ${TABLE} b WHERE b.organizationId = a.organizationId AND ${prefix.sql} LIMIT 1) IS NOT NULL`;
      checks.where.push({ sql, values: prefix.values });
      return;
    }
    const aliases = other.tokens.map((token, t) => {
      const alias = `w${w}_${t}`;
      const prefix = startsWithSql(search.sqlite, `${alias}.token`, other.word);
      checks.joins.push({
        sql: `LEFT JOIN ${TABLE} ${alias} ON ${alias}.token = ? AND ${alias}.nameKey = a.nameKey AND ${alias}.organizationId = a.organizationId AND ${prefix.sql}`,
        values: [token, ...prefix.values],
      });
      return alias;
    });
    checks.where.push({ sql: `(${aliases.map((alias) => `${alias}.organizationId IS NOT NULL`).join(" OR ")})`, values: [] });
  });
  return checks;
}

/**
 * The organizations of one driver token (or, for a wide driver, of its whole prefix range: token null)
 * that match the whole search, as one SELECT over alias `a`.
 */
function walk(search: TokenSearch, token: string | null, options: Walk): SqlPart {
  const checks = otherWordChecks(search, options.limit === undefined ? "count" : "page");
  const where: SqlPart[] = [];
  // `token = ?` makes the range one token, in name order; the prefix test keeps MySQL's LIKE semantics
  // exact within it (its collation may call two tokens equal that LIKE tells apart).
  if (token !== null) where.push({ sql: "a.token = ?", values: [token] });
  where.push(startsWithSql(search.sqlite, "a.token", search.driver.word));
  if (search.region !== null) where.push(regionWithinSql(search.sqlite, "a.regionCode", search.region));
  where.push(...checks.where);
  if (options.after) {
    // The >= bound is the index range; the OR is the tie-break on id (both engines seek on the >=).
    const { nameKey, id } = options.after;
    where.push({ sql: "a.nameKey >= ? AND (a.nameKey > ? OR a.organizationId > ?)", values: [nameKey, nameKey, id] });
  }
  const tail = options.limit === undefined ? "" : ` ORDER BY a.nameKey, a.organizationId LIMIT ${options.limit}`;
  return {
    sql: `SELECT ${options.columns} FROM ${TABLE} a ${checks.joins.map((join) => join.sql).join(" ")} WHERE ${where.map((part) => part.sql).join(" AND ")}${tail}`,
    values: [...checks.joins.flatMap((join) => join.values), ...where.flatMap((part) => part.values)],
  };
}

/** The exact number of organizations the search matches, counted from the token table alone. */
async function countMatches(db: DataSource, planned: TokenSearch): Promise<number> {
  if (planned.empty) return 0;
  // Walk the counter's rows and check every other word on them, the driver included.
  const search =
    planned.counter === planned.driver ? planned : { ...planned, driver: planned.counter, others: [planned.driver, ...planned.others].filter((word) => word !== planned.counter) };
  const tokens = search.driver.tokens;
  let statement: SqlPart;
  if (tokens === null) {
    // One prefix range: an organization with two tokens in it has two rows.
    statement = walk(search, null, { columns: "COUNT(DISTINCT a.organizationId) AS matches" });
  } else if (tokens.length === 1) {
    // One token: one row per organization.
    statement = walk(search, tokens[0], { columns: "COUNT(*) AS matches" });
  } else {
    // An organization with two of the driver's tokens is in two ranges; UNION counts it once.
    const parts = tokens.map((token) => walk(search, token, { columns: "a.organizationId" }));
    statement = { sql: `SELECT COUNT(*) AS matches FROM (${parts.map((part) => part.sql).join(" UNION ")}) matched`, values: parts.flatMap((part) => part.values) };
  }
  const [row] = (await db.query(statement.sql, statement.values)) as Array<{ matches: number | string }>;
  return Number(row.matches);
}

/** The (nameKey, organizationId) keys of the next `limit` matches after `after`, in name order, from the token index alone. */
function pageKeys(search: TokenSearch, tokens: string[], limit: number, after: Walk["after"]): SqlPart {
  const columns = "a.nameKey AS nameKey, a.organizationId AS organizationId";
  if (tokens.length === 1) return walk(search, tokens[0], { columns, after, limit });
  // Each token's range gives its first `limit` in order; the database merges and sorts those few.
  const parts = tokens.map((token) => walk(search, token, { columns, after, limit }));
  return {
    sql: `${parts.map((part, n) => `SELECT nameKey, organizationId FROM (${part.sql}) t${n}`).join(" UNION ")} ORDER BY nameKey, organizationId LIMIT ${limit}`,
    values: parts.flatMap((part) => part.values),
  };
}

/** The organizations of a page's keys, in their order: one statement. */
async function pageRows(db: DataSource, keys: SqlPart): Promise<Organization[]> {
  const columns = db.getMetadata(Organization).columns.map((column) => `o.${column.databaseName}`);
  const rows = (await db.query(
    `SELECT ${columns.join(", ")} FROM (${keys.sql}) k JOIN organizations o ON o.id = k.organizationId ORDER BY k.nameKey, k.organizationId`,
    keys.values,
  )) as Array<Record<string, unknown>>;
  return rows.map((row) => db.getRepository(Organization).create(row));
}

/** The search's exact totalCount, remembered at the directory's version. */
export function rememberedMatches(directory: ListSnapshot, db: DataSource, search: TokenSearch): Promise<number> {
  return directory.remember(`matches ${JSON.stringify(search)}`, () => countMatches(db, search));
}

function searchCursor(after: string | null | undefined): Walk["after"] {
  if (!after) return undefined;
  const [nameKey, id] = decodeCursor(after);
  if (typeof nameKey !== "string") throw badInput("after", "must be a cursor returned by this list");
  return { nameKey, id };
}

/**
 * One page of a search whose driver is walked token by token (pagedByToken), ordered by name like the
 * directory and with the same cursors. Its count and its page's ids are remembered at the directory's
 * version, so a search asked again reads only its rows, by primary key.
 */
export async function tokenSearchPage(
  db: DataSource,
  search: TokenSearch,
  first: number | null | undefined,
  after: string | null | undefined,
  directory: ListSnapshot,
): Promise<Connection<Organization>> {
  const size = pageSize(first);
  const cursor = searchCursor(after);
  if (search.empty) return connectionOf([], 0, false, Boolean(after));
  const tokens = search.driver.tokens;
  if (tokens === null) throw new Error("tokenSearchPage: the search has only wide words (see pagedByToken)");
  const totalCount = await rememberedMatches(directory, db, search);
  // The page's ids are remembered; whoever reads the page first has its rows already.
  let read: Organization[] | undefined;
  const ids =
    size === 0 || totalCount === 0
      ? []
      : await directory.remember(`search page ${JSON.stringify([search, size, cursor ?? null])}`, async () => {
          read = await pageRows(db, pageKeys(search, tokens, size + 1, cursor));
          return read.map((row) => row.id);
        });
  const rows = read ?? (await rowsInOrder(db.getRepository(Organization).createQueryBuilder("o"), ids));
  const nodes = rows.slice(0, size);
  return connectionOf(
    nodes.map((node) => ({ node, cursor: encodeCursor([node.nameKey, node.id]) })),
    totalCount,
    size === 0 ? totalCount > 0 : rows.length > size,
    Boolean(after),
  );
}
