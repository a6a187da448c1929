import crypto from "node:crypto";
import { DataSource, EntityManager, QueryFailedError } from "typeorm";
import type { Caller } from "../../caller/claims";
import type { SubgraphContext } from "./context";
import { badInput } from "../../platform/errors";
import type { Storage } from "./storage";
import { IDEMPOTENCY_TABLE } from "./storage-tables";
import { logger } from "../../platform/logging";
import { message } from "../../platform/i18n";

const log = logger("idempotency");

/*
 * Idempotency keys of the writes that create things. A phone whose request was cut off cannot know whether
 * its report was stored; it sends the same request again with the same key, and gets the first answer
 * instead of a second report. The key is stored in the same transaction as what it created, so "key known"
 * and "thing created" are never apart.
 */

/** How long a key is kept: more than the 7-day reporting window, so a report queued on a phone for days still counts once. */
export const KEY_RETENTION_DAYS = 9;

/** How often an instance drops keys past their retention. */
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/** The schema description of every idempotencyKey field and argument. */
export const IDEMPOTENCY_KEY_DESCRIPTION =
  "a key of your choosing (a UUID) that makes a retry safe: the same key with the same input returns the first result instead of creating a second; kept 9 days";

const KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** A client's key, checked: 1 to 128 visible ASCII characters; anything else is refused naming `field`. */
export function checkedKey(field: string, key: string): string {
  if (!KEY_PATTERN.test(key)) throw badInput(field, message("rule.idempotencyKey"));
  return key;
}

export interface OnceRequest {
  /** The mutation: keys are scoped to (token subject, mutation). */
  mutation: string;
  caller: Caller;
  /** The client's key; absent, the write runs unprotected. */
  key: string | null | undefined;
  /** Where the key was given, for errors: "input.idempotencyKey" or "idempotencyKey". */
  field: string;
  /** Everything the mutation was given but the key: a repeat must give the same. */
  input: unknown;
}

export interface Once<T> {
  value: T;
  /** false when this answers a repeat: nothing was written now (so nothing to announce either). */
  first: boolean;
}

/** JSON with object keys sorted and undefined left out: the same input always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function isDuplicateKey(error: unknown): boolean {
  const code = error instanceof QueryFailedError ? (error as QueryFailedError & { driverError?: { code?: string } }).driverError?.code : undefined;
  return code === "ER_DUP_ENTRY" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE";
}

/** The id of what a write created: a row number, or a text id (an evidence upload's UUID, kept in `resultRef`). */
export type ResultId = number | string;

interface KeyRow {
  inputHash: string;
  resultId: number | string | null;
  resultRef: string | null;
}

async function findKey(db: DataSource | EntityManager, subject: string, mutation: string, key: string): Promise<KeyRow | undefined> {
  const rows = (await db.query(`SELECT inputHash, resultId, resultRef FROM ${IDEMPOTENCY_TABLE} WHERE subject = ? AND mutation = ? AND idempotencyKey = ?`, [
    subject,
    mutation,
    key,
  ])) as KeyRow[];
  return rows[0];
}

/** The steps of a creating write (writeOnce). */
export interface OnceSteps<C, T, I extends ResultId = number> {
  /** Validates the input and looks up what it refers to; not run for a repeat (it may since have gone stale). */
  check: () => Promise<C>;
  /** Writes, inside the transaction that also stores the key. */
  write: (manager: EntityManager, checked: C) => Promise<T>;
  /** The id of what was created, stored with the key. */
  idOf: (value: T) => I;
  /**
   * The id the write will create, when it is chosen before writing: the key is then stored first in the
   * transaction, so a concurrent request with the same key waits for this one there instead of doing the work too.
   */
  idBeforeWrite?: I;
  /** The answer to a repeat: what was created, read again by its id. */
  replay: (id: I) => Promise<T>;
}

/**
 * Runs a creating write once per key: `write` in one transaction with the key's row; a repeat with the same
 * key and input answers `replay(id of the first result)`; the same key with another input is refused.
 */
export async function writeOnce<C, T, I extends ResultId = number>(context: SubgraphContext, request: OnceRequest, steps: OnceSteps<C, T, I>): Promise<Once<T>> {
  if (request.key === null || request.key === undefined) {
    const checked = await steps.check();
    return { value: await context.storage.write((manager) => steps.write(manager, checked)), first: true };
  }
  const key = checkedKey(request.field, request.key);
  const { mutation } = request;
  const subject = request.caller.sub;
  const inputHash = crypto.createHash("sha256").update(canonicalJson(request.input)).digest("hex");
  const repeat = async (earlier: KeyRow): Promise<Once<T>> => {
    if (earlier.inputHash !== inputHash) throw badInput(request.field, message("rule.idempotencyKeyReused"));
    return { value: await steps.replay((earlier.resultRef ?? Number(earlier.resultId)) as I), first: false };
  };
  const known = await findKey(context.db, subject, mutation, key);
  if (known) return repeat(known);
  const checked = await steps.check();
  // A concurrent request with the same key fails at this insert as a duplicate and answers the first's result.
  const storeKey = (manager: EntityManager, id: I) =>
    manager.query(`INSERT INTO ${IDEMPOTENCY_TABLE} (subject, mutation, idempotencyKey, inputHash, resultId, resultRef, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
      subject,
      mutation,
      key,
      inputHash,
      typeof id === "number" ? id : null,
      typeof id === "string" ? id : null,
      new Date().toISOString(),
    ]);
  try {
    const value = await context.storage.write(async (manager) => {
      if (steps.idBeforeWrite !== undefined) await storeKey(manager, steps.idBeforeWrite);
      const value = await steps.write(manager, checked);
      if (steps.idBeforeWrite === undefined) await storeKey(manager, steps.idOf(value));
      return value;
    });
    return { value, first: true };
  } catch (error) {
    const earlier = isDuplicateKey(error) ? await findKey(context.db, subject, mutation, key) : undefined;
    if (!earlier) throw error;
    return repeat(earlier);
  }
}

/**
 * Drops the key of `subject` whose result `resultRef` was removed for good (an upload never attached): a retry with
 * that key then creates anew instead of answering what is gone. Run it in the transaction that removes the result.
 */
export async function dropKeyOf(manager: EntityManager, subject: string, mutation: string, resultRef: string): Promise<void> {
  await manager.query(`DELETE FROM ${IDEMPOTENCY_TABLE} WHERE subject = ? AND mutation = ? AND resultRef = ?`, [subject, mutation, resultRef]);
}

/** Drops the keys older than KEY_RETENTION_DAYS as of `now`. */
export async function dropExpiredKeys(storage: Storage, now = Date.now()): Promise<void> {
  const cutoff = new Date(now - KEY_RETENTION_DAYS * 24 * 60 * 60 * 1000).toISOString();
  await storage.write((manager) => manager.query(`DELETE FROM ${IDEMPOTENCY_TABLE} WHERE createdAt < ?`, [cutoff]));
}

/** Drops expired keys now and every hour, while the subgraph runs; returns how to stop. */
export function dropExpiredKeysHourly(storage: Storage): () => void {
  const drop = () =>
    void dropExpiredKeys(storage).catch((error: unknown) => log.warn({ err: error }, "could not drop expired idempotency keys (will try again in an hour)"));
  drop();
  const timer = setInterval(drop, PURGE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
