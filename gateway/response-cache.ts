/*
 * The gateway's response cache: a repeated query (same document, operation and variables, and a caller
 * with whom the answer may be shared: response-cache-plugin.ts) is answered from memory without planning or
 * asking any subgraph. Election-day traffic is
 * mostly the same few screens polled by many officers; the Manggar story costs eight subgraph fetches.
 *
 * Freshness comes from invalidation, not from the time limit: every answer remembers which subgraphs it
 * read and each subgraph's write generation when the request began. A mutation that reaches a subgraph
 * bumps that subgraph's generation, so every answer that read it stops matching, including answers still
 * being computed while the mutation committed. The time limit only bounds what invalidation cannot see:
 * fields computed from the clock (an election's phase) and writes through gateways that share no Redis.
 *
 * lru-cache holds the answers and drops the least recently used past the count and memory bounds; whether
 * an answer may still be served (time limit, generations) is decided here, on this module's clock.
 *
 * This module knows nothing of Apollo: response-cache-plugin.ts adapts it.
 */
import { LRUCache } from "lru-cache";

export interface ResponseCacheOptions {
  /** Seconds an answer may be served after it was computed. 0 keeps nothing. */
  ttlSeconds: number;
  /** Answers kept at most; the least recently used is dropped first. Default 5,000. */
  maxEntries?: number;
  /** Answers longer than this many characters of JSON are not kept. Default 256 Ki. */
  maxAnswerChars?: number;
  /** Characters of JSON kept over all answers; the least recently used go first. Default 32 Mi. */
  maxTotalChars?: number;
  /** The clock, in milliseconds (tests pass a fake one). Default Date.now. */
  now?: () => number;
  /**
   * Told of each invalidation, after it, with the subgraphs written (EVERYTHING for all), so that work begun
   * before it (a subgraph fetch in flight others could join) is not taken for newer. Default: nobody is told.
   */
  onInvalidate?: (subgraphs: readonly string[]) => void;
}

/** Stands for every subgraph: `clear` bumps it, and every answer depends on it. */
export const EVERYTHING = "*";

/** Each subgraph's write generation at one moment. */
export type Generations = ReadonlyMap<string, number>;

interface Entry {
  data: Record<string, unknown>;
  storedAt: number;
  /** The generation of every subgraph the answer read, as of the request's start. */
  reads: Array<[subgraph: string, generation: number]>;
}

/** A cached answer and its age in whole seconds (for the HTTP `Age` header). */
export interface CachedAnswer {
  data: Record<string, unknown>;
  ageSeconds: number;
}

export class ResponseCache {
  /** Sized by each answer's length as JSON, for the memory bound. */
  private readonly entries: LRUCache<string, Entry>;
  private readonly generations = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly maxAnswerChars: number;
  /** While suspended nothing is served or kept (writes elsewhere could not reach this cache). */
  private suspended = false;
  private readonly now: () => number;
  private readonly onInvalidate?: (subgraphs: readonly string[]) => void;

  constructor(options: ResponseCacheOptions) {
    this.ttlMs = options.ttlSeconds * 1000;
    this.maxAnswerChars = options.maxAnswerChars ?? 256 * 1024;
    this.entries = new LRUCache({ max: options.maxEntries ?? 5_000, maxSize: options.maxTotalChars ?? 32 * 1024 * 1024 });
    this.now = options.now ?? Date.now;
    this.onInvalidate = options.onInvalidate;
  }

  /** The write generations now; take it when a request begins and hand it to `store`. */
  snapshot(): Generations {
    return new Map(this.generations);
  }

  /** The answer stored under `key`, if still fresh and no subgraph it read has been written since. */
  lookup(key: string): CachedAnswer | undefined {
    if (this.suspended) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const age = this.now() - entry.storedAt;
    const stale = age >= this.ttlMs || entry.reads.some(([subgraph, generation]) => (this.generations.get(subgraph) ?? 0) !== generation);
    if (stale) {
      this.entries.delete(key);
      return undefined;
    }
    return { data: entry.data, ageSeconds: Math.floor(age / 1000) };
  }

  /**
   * Keeps an answer computed from the subgraphs in `reads`, begun at generations `begun`. An answer that
   * read nothing (only `__typename`) or is too large is not kept.
   */
  store(key: string, data: Record<string, unknown>, reads: Iterable<string>, begun: Generations): void {
    if (this.ttlMs <= 0 || this.suspended) return;
    const subgraphs = [...reads];
    if (subgraphs.length === 0) return;
    const chars = JSON.stringify(data).length;
    if (chars > this.maxAnswerChars) return;
    const depends = [...subgraphs, EVERYTHING];
    // An answer larger than the whole memory bound is not kept (lru-cache refuses it, and drops the key).
    this.entries.set(key, { data, storedAt: this.now(), reads: depends.map((subgraph) => [subgraph, begun.get(subgraph) ?? 0]) }, { size: chars });
  }

  /** A write reached these subgraphs: answers that read any of them are no longer served. */
  invalidate(subgraphs: Iterable<string>): void {
    const written = [...subgraphs];
    for (const subgraph of written) this.generations.set(subgraph, (this.generations.get(subgraph) ?? 0) + 1);
    this.onInvalidate?.(written);
  }

  /**
   * Forgets every answer (after invalidations may have been missed, e.g. a Redis reconnect), including
   * answers still being computed: they began before this and will not be kept.
   */
  clear(): void {
    this.entries.clear();
    this.invalidate([EVERYTHING]);
  }

  /** Serves and keeps nothing until `resume`, and forgets what it held. */
  suspend(): void {
    this.suspended = true;
    this.clear();
  }

  /**
   * Serves and keeps answers again, starting empty: invalidations missed while suspended may concern anything
   * held or still being computed, so answers begun before now are not kept either.
   */
  resume(): void {
    this.suspended = false;
    this.clear();
  }

  /** Answers held now, fresh or not yet found stale. */
  get size(): number {
    return this.entries.size;
  }
}
