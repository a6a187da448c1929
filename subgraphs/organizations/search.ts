import { DataSource } from "typeorm";
import { badInput } from "../../platform/errors";
import { Connection, connectionOf, decodeCursor, encodeCursor, pageSize, rowsAtVersion, rowsInOrder } from "../kit/connection";
import type { ListMemo } from "../kit/list-versions";
import { searchTokens } from "../kit/filters";
import { regionCode, requiredText } from "../kit/validate";
import { Organization } from "./entities";
import { NameIndex, Posting } from "./name-index";
import type { OrganizationsState } from "./state";
import { message } from "../../platform/i18n";

/*
 * Name search alone or within a region, answered from the directory's names in memory (name-index.ts):
 * every word of the search must begin a word of the name, in any order ("pemuda mang" finds Perkumpulan
 * Pemuda Peduli Manggar). The count walks the rarest word's organizations and tests the other words on
 * each; a page walks the rarest word that begins few tokens in name order, merging its tokens' lists, and
 * stops once the page is full. Only the page's rows are read from the database, by primary key.
 */

/**
 * Most tokens a word may begin and still be walked token by token for a page; a search made only of wider
 * words ("p", "ka") walks the whole name order instead, where such words match densely.
 */
export const MAX_TOKENS_PER_WORD = 8;

/** A search word, the posting lists of the tokens it begins, and how many postings those hold. */
interface Word {
  word: string;
  postings: Posting[];
  frequency: number;
  /** The postings' ids, and for a word of many tokens a marking of them (NameIndex.firstWordAmong). */
  ids: Int32Array;
  marked: Uint8Array | null;
}

/** A planned search over one index. */
export interface NameSearch {
  words: Word[];
  /** Region prefix the organizations must lie in, or null. */
  region: string | null;
  /** Some word begins no token (or there are no words): nothing matches. */
  empty: boolean;
}

/** A search as asked: its words (folded) and region prefix, validated before anything is read. */
interface SearchQuery {
  words: string[];
  region: string | null;
}

function searchQuery(text: string, region: string | null | undefined): SearchQuery {
  const typed = searchTokens(requiredText("filter.search", text, { max: 100 }));
  const regionPrefix = region === null || region === undefined ? null : regionCode("filter.regionCode", region);
  return { words: typed.sort(), region: regionPrefix };
}

/** Finds each word's tokens in the index. */
function planSearch(names: NameIndex, query: SearchQuery): NameSearch {
  const words = query.words.map((word): Word => {
    const postings = names.begunBy(word);
    const ids = Int32Array.from(postings, (posting) => posting.id);
    // A few ids are searched faster than a marking of every token is made.
    let marked: Uint8Array | null = null;
    if (postings.length > MAX_TOKENS_PER_WORD) {
      marked = new Uint8Array(names.tokenCount);
      for (const id of ids) marked[id] = 1;
    }
    return { word, postings, frequency: postings.reduce((sum, posting) => sum + posting.slots.length, 0), ids, marked };
  });
  return { words, region: query.region, empty: words.length === 0 || words.some((word) => word.frequency === 0) };
}

/** The word of fewest postings among `words`, or null when there is none. */
function rarest(words: Word[]): Word | null {
  return words.reduce<Word | null>((best, word) => (best === null || word.frequency < best.frequency ? word : best), null);
}

/** Organization `slot` lies in the search's region and has every word of it but `walked` (which it came from). */
function matches(names: NameIndex, search: NameSearch, slot: number, walked: Word | null): boolean {
  if (search.region !== null) {
    const code = names.regionOf(slot);
    if (code !== search.region && !code.startsWith(`${search.region}.`)) return false;
  }
  for (const word of search.words) if (word !== walked && names.firstWordAmong(slot, word) < 0) return false;
  return true;
}

/** The exact number of organizations the search matches. */
function countMatches(names: NameIndex, search: NameSearch): number {
  const counter = rarest(search.words);
  if (search.empty || counter === null) return 0;
  let count = 0;
  for (const posting of counter.postings) {
    for (const slot of posting.slots) {
      // An organization with two of the counter's tokens is in two lists: counted in its first word's.
      if (counter.postings.length > 1 && names.firstWordAmong(slot, counter) !== posting.id) continue;
      if (matches(names, search, slot, counter)) count++;
    }
  }
  return count;
}

/**
 * Organizations placed after name-order place `afterRank` that may match, in name order: the lists of
 * the driver's tokens merged (an organization in two of them once), or with no driver the whole order.
 */
function* candidates(names: NameIndex, driver: Word | null, afterRank: number): Generator<number> {
  if (driver === null) {
    for (let rank = afterRank + 1; rank < names.size; rank++) yield names.slotAt(rank);
    return;
  }
  const lists = driver.postings.map((posting) => posting.slots);
  const next = lists.map((slots) => names.firstAfter(slots, afterRank));
  let previous = -1;
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let list = 0; list < lists.length; list++) {
      const rank = next[list] < lists[list].length ? names.rankOf(lists[list][next[list]]) : Infinity;
      if (rank < bestRank) [best, bestRank] = [list, rank];
    }
    if (best < 0) return;
    const slot = lists[best][next[best]++];
    if (slot !== previous) yield slot;
    previous = slot;
  }
}

/** The ids of the first `limit` matches placed after `afterRank`, in name order. */
function pageIds(names: NameIndex, search: NameSearch, afterRank: number, limit: number): number[] {
  const driver = rarest(search.words.filter((word) => word.postings.length <= MAX_TOKENS_PER_WORD));
  const ids: number[] = [];
  for (const slot of candidates(names, driver, afterRank)) {
    if (!matches(names, search, slot, driver)) continue;
    if (ids.push(names.idOf(slot)) === limit) break;
  }
  return ids;
}

/** The name-order place of the cursor's organization, or -1 for the first page. */
function placeAfter(names: NameIndex, after: string | null | undefined): number {
  if (!after) return -1;
  const [nameKey, id] = decodeCursor(after);
  const slot = names.slotOf(id);
  if (typeof nameKey !== "string" || slot === undefined) throw badInput("after", message("rule.listCursor"));
  return names.rankOf(slot);
}

/** A page of matches worked out from the names, at the version they were at. */
interface NamesPage {
  version: number;
  totalCount: number;
  /** The page's ids, with one more when another page follows. */
  ids: number[];
}

/**
 * Count and ids of a page, from the names and without waiting, so no catch-up moves the names meanwhile.
 * The count is remembered at the directory's version (a search of short prefixes counts most of it).
 */
function pageFromNames(directory: ListMemo, names: NameIndex, query: SearchQuery, size: number, after: string | null | undefined): NamesPage {
  const version = names.version;
  const countKey = `search count ${JSON.stringify(query)}`;
  const recalled = directory.recall<number>(countKey);
  let totalCount: number;
  if (recalled?.version === version) totalCount = recalled.value;
  else {
    totalCount = countMatches(names, planSearch(names, query));
    void directory.snapshotAt(version).remember(countKey, async () => totalCount);
  }
  const afterRank = placeAfter(names, after);
  // The first page stops once it holds every match; a search that matches nothing walks nothing.
  const limit = Math.min(size + 1, afterRank < 0 ? totalCount : size + 1);
  const ids = size === 0 || totalCount === 0 ? [] : pageIds(names, planSearch(names, query), afterRank, limit);
  return { version, totalCount, ids };
}

/**
 * One page of a name search, ordered by name like the directory and with the same cursors. Optimistic:
 * worked out from the names as last caught up, and checked by reading the directory's version with the
 * page's rows, one statement while the directory is unchanged. When it has changed, the names catch up
 * to the version read and the page is worked out again.
 */
export async function searchPage(
  db: DataSource,
  { directory, names }: OrganizationsState,
  filter: { text: string; region: string | null | undefined },
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<Organization>> {
  const size = pageSize(first);
  const query = searchQuery(filter.text, filter.region);
  const rowsQuery = db.getRepository(Organization).createQueryBuilder("o");
  const latest = names.latest();
  let version: number;
  // A cursor from a newer directory (another instance listed it) is placed once the names catch up.
  if (latest && (!after || latest.slotOf(decodeCursor(after)[1]) !== undefined)) {
    const page = pageFromNames(directory, latest, query, size, after);
    const current = await rowsAtVersion(rowsQuery, page.ids.slice(0, size), directory);
    if (current.version === page.version) return searchConnection(current.rows, page, size, after);
    version = current.version;
  } else {
    version = (await directory.at()).version;
  }
  const page = pageFromNames(directory, await names.at(version), query, size, after);
  return searchConnection(await rowsInOrder(rowsQuery, page.ids.slice(0, size)), page, size, after);
}

function searchConnection(rows: Organization[], page: NamesPage, size: number, after: string | null | undefined): Connection<Organization> {
  return connectionOf(
    rows.map((node) => ({ node, cursor: encodeCursor([node.nameKey, node.id]) })),
    page.totalCount,
    size === 0 ? page.totalCount > 0 : page.ids.length > size,
    Boolean(after),
  );
}
