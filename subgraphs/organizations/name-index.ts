import { DataSource } from "typeorm";
import { searchTokens } from "../kit/filters";

/*
 * The directory's names in memory, for name search (search.ts): each organization's words and region,
 * its place in name order, and each word's organizations in that order (a posting list). Why: a search's
 * exact totalCount is the intersection of its words' organizations, tens of thousands of entries for common
 * words at national size; walking them in the database cost more per search than the whole request budget,
 * while here count and page cost a fraction of a millisecond of CPU, and the database reads only the page's
 * rows, by primary key (figures in docs/BENCHMARKS.md).
 *
 * Name order is the database's, collation and all: the load reads organizations ORDER BY nameKey, id,
 * and a later organization is placed right after the one the database puts before it. Organizations are
 * only ever added, by registerOrganization, in the transaction that bumps the directory's version and after
 * taking that row's lock, so ids are committed in increasing order: catching up to a newer version reads
 * the ids above the highest known. A write made in SQL must bump the version too (list-versions.ts).
 */

/** A word of some organization's name and the organizations whose names have it. */
export interface Posting {
  /** Its index among the index's postings (see firstWordAmong). */
  readonly id: number;
  readonly token: string;
  /** Slots, in name order. */
  slots: Int32Array;
}

/** Organizations read per statement while loading: keeps the driver's buffers small at national size. */
const LOAD_BATCH = 50_000;
/** New organizations caught up at once at most; past it the index is loaded again. */
const CATCH_UP_MAX = 100;

/** `array` followed by `more`. */
function appended(array: Int32Array, more: ArrayLike<number>): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(array.length + more.length);
  grown.set(array);
  grown.set(more, array.length);
  return grown;
}

/** `array` with `value` inserted at `at`. */
function inserted(array: Int32Array, at: number, value: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(array.length + 1);
  grown.set(array.subarray(0, at));
  grown[at] = value;
  grown.set(array.subarray(at), at + 1);
  return grown;
}

/** The first place in `array` (ascending by `key`) whose key is above `value`. */
function firstAbove(array: Int32Array, value: number | string, key: (element: number) => number | string): number {
  let low = 0;
  let high = array.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (key(array[middle]) <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

interface OrganizationRow {
  id: number | string;
  nameKey: string;
  regionCode: string;
}

/**
 * The id of the organization the database orders right before each of `rows` (in nameKey, id order; none
 * for the first), one statement for all. Literal bounds make each an index seek: correlated with the outer
 * row, MariaDB scanned the name index backwards instead (about half the directory per row).
 */
async function predecessors(db: DataSource, rows: OrganizationRow[]): Promise<Map<number, number>> {
  const found = new Map<number, number>();
  if (rows.length === 0) return found;
  const seeks = rows.map(
    (_, n) =>
      `SELECT forId, id FROM (SELECT ? AS forId, p.id AS id FROM organizations p WHERE p.nameKey <= ? AND (p.nameKey < ? OR p.id < ?) ORDER BY p.nameKey DESC, p.id DESC LIMIT 1) seek${n}`,
  );
  const values = rows.flatMap((row) => [Number(row.id), row.nameKey, row.nameKey, Number(row.id)]);
  for (const row of (await db.query(seeks.join(" UNION ALL "), values)) as Array<{ forId: number | string; id: number | string }>) {
    found.set(Number(row.forId), Number(row.id));
  }
  return found;
}

/**
 * What one database's directory holds, as of `version` of its list_versions row "organizations". A slot
 * is an organization's place in the per-slot arrays, in the order organizations were added. Nearly all of
 * it is in typed arrays, which the garbage collector does not have to walk: at national size (431,000
 * organizations, 2.4 million postings, 44,000 distinct words) 30 MB of them and 20 MB of heap, loaded in 2 s.
 */
export class NameIndex {
  /** Every organization id at or below it is here (see catchUp). */
  private watermark = 0;
  private ids = new Int32Array(0);
  /** Per slot, an index into regionCodes. */
  private regionIds = new Int32Array(0);
  /** A slot's words are wordIds[wordStart[slot]] up to wordIds[wordStart[slot + 1]], as indexes into postings. */
  private wordStart = new Int32Array(1);
  private wordIds = new Int32Array(0);
  /** Per slot, its place in name order. */
  private rank = new Int32Array(0);
  /** Slots in name order. */
  private order = new Int32Array(0);
  /** Slots in id order, to find an organization's slot. */
  private byId = new Int32Array(0);
  private readonly postings: Posting[] = [];
  private readonly tokenIds = new Map<string, number>();
  /** Indexes into postings, sorted by token (code units), so the tokens a word begins are one run. */
  private sortedTokens = new Int32Array(0);
  private readonly regionCodes: string[] = [];
  private readonly regionIdOf = new Map<string, number>();

  private constructor(public version: number) {}

  /** Reads the whole directory, in name order. */
  static async load(db: DataSource, version: number): Promise<NameIndex> {
    const index = new NameIndex(version);
    const [{ highest }] = (await db.query("SELECT COALESCE(MAX(id), 0) AS highest FROM organizations")) as Array<{ highest: number | string }>;
    index.watermark = Number(highest);
    let last: OrganizationRow | undefined;
    for (;;) {
      const rows = (await db.query(
        `SELECT id, nameKey, regionCode FROM organizations ${last ? "WHERE nameKey >= ? AND (nameKey > ? OR id > ?)" : ""} ORDER BY nameKey, id LIMIT ${LOAD_BATCH}`,
        last ? [last.nameKey, last.nameKey, Number(last.id)] : [],
      )) as OrganizationRow[];
      index.add(rows);
      if (rows.length < LOAD_BATCH) break;
      last = rows[rows.length - 1];
    }
    // Slots were added in name order, so walking them in turn fills every posting list in order.
    const size = index.ids.length;
    index.order = Int32Array.from({ length: size }, (_, slot) => slot);
    index.rank = index.order.slice();
    const lists: number[][] = index.postings.map(() => []);
    for (let slot = 0; slot < size; slot++) for (let at = index.wordStart[slot]; at < index.wordStart[slot + 1]; at++) lists[index.wordIds[at]].push(slot);
    lists.forEach((slots, token) => (index.postings[token].slots = Int32Array.from(slots)));
    index.byId = index.order.slice().sort((a, b) => index.ids[a] - index.ids[b]);
    index.sortTokens(0);
    return index;
  }

  /**
   * Adds the organizations registered since, each right after the organization the database orders before
   * it (two statements: the new rows by primary key, then each one's predecessor by one index seek). Loads
   * the index again when there are many, or when a predecessor is not here (a row written in SQL without
   * bumping the version). Costs a few milliseconds at national size: the name order is rebuilt around them.
   */
  async catchUp(db: DataSource, version: number): Promise<NameIndex> {
    if (version <= this.version) return this;
    const rows = (await db.query(`SELECT id, nameKey, regionCode FROM organizations WHERE id > ? ORDER BY id LIMIT ${CATCH_UP_MAX + 1}`, [
      this.watermark,
    ])) as OrganizationRow[];
    if (rows.length > CATCH_UP_MAX) return NameIndex.load(db, version);
    const fresh = rows.filter((row) => this.slotOf(Number(row.id)) === undefined);
    const watermark = rows.reduce((highest, row) => Math.max(highest, Number(row.id)), this.watermark);
    if (fresh.length === 0) {
      // Rows a load read while they were being registered: already here.
      [this.watermark, this.version] = [watermark, version];
      return this;
    }
    const previous = await predecessors(db, fresh);
    const freshIds = new Set(fresh.map((row) => Number(row.id)));
    const known = (id: number | undefined) => id === undefined || this.slotOf(id) !== undefined || freshIds.has(id);
    if (!fresh.every((row) => known(previous.get(Number(row.id))))) return NameIndex.load(db, version);
    const tokensBefore = this.postings.length;
    const first = this.add(fresh);
    this.sortTokens(tokensBefore);
    const freshSlots = fresh.map((_, n) => first + n);
    // Slots in id order: the new ones merged in (their ids are above the watermark, not always above all).
    const newById = freshSlots.slice().sort((a, b) => this.ids[a] - this.ids[b]);
    const byId = new Int32Array(this.ids.length);
    for (let at = 0, old = 0, added = 0; at < byId.length; at++) {
      byId[at] = added >= newById.length || (old < this.byId.length && this.ids[this.byId[old]] < this.ids[newById[added]]) ? this.byId[old++] : newById[added++];
    }
    this.byId = byId;
    // Each organization has one predecessor, so each slot (-1: the start) is followed by at most one new one.
    const next = new Map<number, number>();
    for (const slot of freshSlots) {
      const before = previous.get(this.ids[slot]);
      next.set(before === undefined ? -1 : this.slotOf(before)!, slot);
    }
    const order = new Int32Array(this.ids.length);
    let place = 0;
    const placeAfter = (slot: number) => {
      for (let added = next.get(slot); added !== undefined; added = next.get(added)) order[place++] = added;
    };
    placeAfter(-1);
    for (const slot of this.order) {
      order[place++] = slot;
      placeAfter(slot);
    }
    this.order = order;
    this.rank = new Int32Array(order.length);
    order.forEach((slot, at) => (this.rank[slot] = at));
    for (const slot of freshSlots) {
      for (let at = this.wordStart[slot]; at < this.wordStart[slot + 1]; at++) {
        const posting = this.postings[this.wordIds[at]];
        posting.slots = inserted(posting.slots, this.firstAfter(posting.slots, this.rank[slot] - 1), slot);
      }
    }
    [this.watermark, this.version] = [watermark, version];
    return this;
  }

  /** Number of organizations. */
  get size(): number {
    return this.ids.length;
  }

  /** The posting lists of the tokens `word` begins. */
  begunBy(word: string): Posting[] {
    const found: Posting[] = [];
    for (let at = this.tokensBelow(word); at < this.sortedTokens.length && this.postings[this.sortedTokens[at]].token.startsWith(word); at++) {
      found.push(this.postings[this.sortedTokens[at]]);
    }
    return found;
  }

  /**
   * Puts the tokens from `first` on into sortedTokens: a few (a catch-up) are inserted, many (a load's
   * batch) sorted with the rest, since each insertion copies the whole list.
   */
  private sortTokens(first: number): void {
    const added = this.postings.length - first;
    if (added > 100) {
      const tokenOf = (id: number) => this.postings[id].token;
      this.sortedTokens = Int32Array.from(this.postings.keys()).sort((a, b) => (tokenOf(a) < tokenOf(b) ? -1 : tokenOf(a) > tokenOf(b) ? 1 : 0));
      return;
    }
    for (let token = first; token < this.postings.length; token++) {
      this.sortedTokens = inserted(this.sortedTokens, this.tokensBelow(this.postings[token].token), token);
    }
  }

  /** How many tokens sort below `text`: where the tokens beginning with it start. */
  private tokensBelow(text: string): number {
    let low = 0;
    let high = this.sortedTokens.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.postings[this.sortedTokens[middle]].token < text) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Where in `slots` (in name order) the first slot placed after name-order place `rank` is. */
  firstAfter(slots: Int32Array, rank: number): number {
    return firstAbove(slots, rank, (slot) => this.rank[slot]);
  }

  /** Number of distinct words, the size of a marking for firstWordAmong. */
  get tokenCount(): number {
    return this.postings.length;
  }

  /**
   * The first word of organization `slot` (a Posting.id) that is among `tokens`, or -1: array reads, no
   * string compared. `tokens.marked`, when given, has a 1 at each of `tokens.ids` (for a word of many tokens).
   */
  firstWordAmong(slot: number, tokens: { ids: Int32Array; marked: Uint8Array | null }): number {
    for (let at = this.wordStart[slot]; at < this.wordStart[slot + 1]; at++) {
      const token = this.wordIds[at];
      if (tokens.marked ? tokens.marked[token] === 1 : tokens.ids.includes(token)) return token;
    }
    return -1;
  }

  idOf(slot: number): number {
    return this.ids[slot];
  }

  regionOf(slot: number): string {
    return this.regionCodes[this.regionIds[slot]];
  }

  /** The slot of organization `id`, if it is in the directory. */
  slotOf(id: number): number | undefined {
    const at = firstAbove(this.byId, id - 1, (slot) => this.ids[slot]);
    return at < this.byId.length && this.ids[this.byId[at]] === id ? this.byId[at] : undefined;
  }

  /** An organization's place in name order. */
  rankOf(slot: number): number {
    return this.rank[slot];
  }

  /** The slot at name-order place `rank`. */
  slotAt(rank: number): number {
    return this.order[rank];
  }

  /** Appends slots for `rows`, in their order, and returns the first; their postings, order, rank and new tokens' places are the caller's to set. */
  private add(rows: OrganizationRow[]): number {
    const first = this.ids.length;
    const words: number[] = [];
    const starts: number[] = [];
    for (const row of rows) {
      for (const token of searchTokens(row.nameKey)) words.push(this.tokenId(token));
      starts.push(this.wordIds.length + words.length);
    }
    this.ids = appended(this.ids, rows.map((row) => Number(row.id)));
    this.regionIds = appended(this.regionIds, rows.map((row) => this.regionId(row.regionCode)));
    this.wordIds = appended(this.wordIds, words);
    this.wordStart = appended(this.wordStart, starts);
    return first;
  }

  private tokenId(token: string): number {
    let id = this.tokenIds.get(token);
    if (id === undefined) {
      id = this.postings.length;
      this.postings.push({ id, token, slots: new Int32Array(0) });
      this.tokenIds.set(token, id);
    }
    return id;
  }

  private regionId(code: string): number {
    let id = this.regionIdOf.get(code);
    if (id === undefined) {
      id = this.regionCodes.push(code) - 1;
      this.regionIdOf.set(code, id);
    }
    return id;
  }
}

/**
 * The directory's names of one organizations instance: loaded on first use (or when the instance starts),
 * then caught up when a reader sees a newer version. Part of the instance's state, so two instances in one
 * process never share what they hold.
 */
export class DirectoryNames {
  /** The index, or its loading, and the version it will be at. */
  private current: { reaching: number; ready: Promise<NameIndex> } | undefined;
  /** The last index that loaded or caught up without failing. */
  private lastGood: NameIndex | undefined;

  constructor(private readonly db: DataSource) {}

  /**
   * The names as of `version` or later (ListSnapshot.version of the "organizations" list). Concurrent readers
   * share one load or catch-up; after a failure the next reader starts again from the last good index.
   */
  at(version: number): Promise<NameIndex> {
    const { db } = this;
    const known = this.current;
    if (known && known.reaching >= version) return known.ready;
    const fromGood = () => this.lastGood?.catchUp(db, version) ?? NameIndex.load(db, version);
    const ready = known ? known.ready.then((index) => index.catchUp(db, version), fromGood) : NameIndex.load(db, version);
    const entry = { reaching: version, ready };
    this.current = entry;
    ready.then(
      (index) => {
        if ((this.lastGood?.version ?? -1) <= index.version) this.lastGood = index;
      },
      () => {
        if (this.current !== entry) return;
        const good = this.lastGood;
        this.current = good ? { reaching: good.version, ready: Promise.resolve(good) } : undefined;
      },
    );
    return ready;
  }

  /**
   * The names as last loaded or caught up, without reading the directory's version (undefined before the
   * first load): a reader that checks the version in its own statement may use them (search.ts).
   */
  latest(): NameIndex | undefined {
    return this.lastGood;
  }
}
