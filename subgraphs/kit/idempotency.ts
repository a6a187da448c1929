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

interface KeyRow {
  inputHash: string;
  resultId: number;
}

async function findKey(db: DataSource | EntityManager, subject: string, mutation: string, key: string): Promise<KeyRow | undefined> {
  const rows = (await db.query(`SELECT inputHash, resultId FROM ${IDEMPOTENCY_TABLE} WHERE subject = ? AND mutation = ? AND idempotencyKey = ?`, [
    subject,
    mutation,
    key,
  ])) as KeyRow[];
  return rows[0];
}

/** The steps of a creating write (writeOnce). */
export interface OnceSteps<C, T> {
  /** Validates the input and looks up what it refers to; not run for a repeat (it may since have gone stale). */
  check: () => Promise<C>;
  /** Writes, inside the transaction that also stores the key. */
  write: (manager: EntityManager, checked: C) => Promise<T>;
  /** The id of what was created, stored with the key. */
  idOf: (value: T) => number;
  /** The answer to a repeat: what was created, read again by its id. */
  replay: (id: number) => Promise<T>;
}

/**
 * Runs a creating write once per key: `write` in one transaction with the key's row; a repeat with the same
 * key and input answers `replay(id of the first result)`; the same key with another input is refused.
 */
export async function writeOnce<C, T>(context: SubgraphContext, request: OnceRequest, steps: OnceSteps<C, T>): Promise<Once<T>> {
  if (request.key === null || request.key === undefined) {
    const checked = await steps.check();
    return { value: await context.storage.write((manager) => steps.write(manager, checked)), first: true };
  }
  if (!KEY_PATTERN.test(request.key)) throw badInput(request.field, message("rule.idempotencyKey"));
  const { key, mutation } = request;
  const subject = request.caller.sub;
  const inputHash = crypto.createHash("sha256").update(canonicalJson(request.input)).digest("hex");
  const repeat = async (earlier: KeyRow): Promise<Once<T>> => {
    if (earlier.inputHash !== inputHash) throw badInput(request.field, message("rule.idempotencyKeyReused"));
    return { value: await steps.replay(Number(earlier.resultId)), first: false };
  };
  const known = await findKey(context.db, subject, mutation, key);
  if (known) return repeat(known);
  const checked = await steps.check();
  try {
    const value = await context.storage.write(async (manager) => {
      const value = await steps.write(manager, checked);
      // A concurrent request with the same key fails here as a duplicate and answers the first's result.
      await manager.query(`INSERT INTO ${IDEMPOTENCY_TABLE} (subject, mutation, idempotencyKey, inputHash, resultId, createdAt) VALUES (?, ?, ?, ?, ?, ?)`, [
        subject,
        mutation,
        key,
        inputHash,
        steps.idOf(value),
        new Date().toISOString(),
      ]);
      return value;
    });
    return { value, first: true };
  } catch (error) {
    const earlier = isDuplicateKey(error) ? await findKey(context.db, subject, mutation, key) : undefined;
    if (!earlier) throw error;
    return repeat(earlier);
  }
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
