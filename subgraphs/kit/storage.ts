import fs from "node:fs";
import path from "node:path";
import { DataSource, EntityManager, QueryFailedError, QueryRunner } from "typeorm";
import type { HubConfig } from "../../platform/config";
import { openDatabase, OpenDatabaseOptions, StatementCounter } from "./database";
import { storageUnavailable } from "../../platform/errors";
import { PROBE_TABLE } from "./storage-tables";
import { WriteHealth, WriteHealthOptions, WriteState } from "./write-health";
import { logger } from "../../platform/logging";

const log = logger("storage");

/*
 * The one way a subgraph writes. Acknowledged means stored: `write` resolves only after its transaction
 * committed, and whatever fails on the way (a full disk, a lost connection, a COMMIT that did not happen)
 * leaves the connection outside any transaction before the next write starts.
 *
 * TypeORM's query runner keeps its own "in a transaction" flags and does not reset them when COMMIT or
 * ROLLBACK itself fails. On SQLite's single connection that turned every later transaction into a
 * SAVEPOINT inside one that was never committed: answered with ids, lost at the next stop. So after any
 * failure the connection's real state is checked (better-sqlite3's `inTransaction`), rolled back if needed,
 * and the flags reset; on MySQL the connection is destroyed instead of going back to the pool.
 *
 * On SQLite, reads go to a second, read-only connection: a reader on the writer's connection would see the
 * rows of a transaction that has not committed yet (and may never), such as an alert that then gets rolled
 * back and its sequence handed out again.
 */

export interface Storage {
  /** For reads: committed rows only (SQLite: its own read-only connection; MySQL: the pool). */
  readonly reader: DataSource;
  /** The connection `write` uses; also for start-up loads and for tests that inject faults into it. */
  readonly writer: DataSource;
  readonly health: WriteHealth;
  /**
   * Runs `work` in one transaction and resolves with its result once the transaction has committed. A
   * storage fault rejects with STORAGE_UNAVAILABLE (nothing acknowledged; safe to retry with the same
   * idempotency key); an error `work` throws rejects with that error, after rolling back.
   */
  write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
  /** The write health, after a trial write when writes are failing and one is due (for `/ready/writes`). */
  checkWrites(): Promise<WriteState>;
  close(): Promise<void>;
}

export interface StorageOptions extends OpenDatabaseOptions {
  /** See WriteHealthOptions. */
  health?: WriteHealthOptions;
}

/** The engine's own error, under TypeORM's wrapper when there is one. */
interface EngineError {
  code?: string;
  fatal?: boolean;
  message?: string;
}

function engineError(error: unknown): EngineError {
  const inner = error instanceof QueryFailedError ? (error as QueryFailedError & { driverError?: unknown }).driverError : error;
  return typeof inner === "object" && inner !== null ? (inner as EngineError) : {};
}

/** SQLite result codes (with their extended forms) that mean the file cannot take writes now. */
const SQLITE_STORAGE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|NOMEM|PROTOCOL|BUSY|LOCKED)/;
/** MySQL/MariaDB errors that say the server cannot take writes now (a full disk, no connections to be had). */
const MYSQL_STORAGE = new Set([
  "ER_RECORD_FILE_FULL",
  "ER_DISK_FULL",
  "ER_OUT_OF_RESOURCES",
  "ER_OUTOFMEMORY",
  "ER_CON_COUNT_ERROR",
  "ER_SERVER_SHUTDOWN",
  "ER_OPTION_PREVENTS_STATEMENT", // a read-only server
  "ECONNREFUSED",
  "ETIMEDOUT",
]);
/**
 * Errors of one connection or one transaction, not of the server: another writer in the way, or a connection
 * that died (killed, reset). The write was not stored and may be sent again; the next write, on another
 * connection, should work, so writes are not refused for them.
 */
const TRANSIENT = new Set(["ER_LOCK_WAIT_TIMEOUT", "ER_LOCK_DEADLOCK", "PROTOCOL_CONNECTION_LOST", "ER_CONNECTION_KILLED", "ER_QUERY_INTERRUPTED", "ECONNRESET", "EPIPE"]);

/** "storage" (writes now fail: refuse them until a trial commits), "transient" (this write failed, retry it), or null (not storage's). */
export function storageFault(error: unknown): "storage" | "transient" | null {
  if (error instanceof CommitFailed) return storageFault(error.cause) ?? "storage";
  const { code, fatal } = engineError(error);
  if (code !== undefined && TRANSIENT.has(code)) return "transient";
  if (fatal === true || (code !== undefined && (SQLITE_STORAGE.test(code) || MYSQL_STORAGE.has(code)))) return "storage";
  return null;
}

function describe(error: unknown): string {
  const { code, message } = engineError(error);
  return [code, message ?? String(error)].filter(Boolean).join(": ");
}

/** A COMMIT that failed or did not end the transaction: never acknowledged, whatever the engine said. */
class CommitFailed extends Error {
  constructor(cause: unknown) {
    super(`COMMIT failed: ${describe(cause)}`, { cause });
  }
}

/** The parts of TypeORM's query runner that its failed COMMIT/ROLLBACK leave wrong (see the top). */
interface RunnerState {
  isTransactionActive: boolean;
  transactionDepth: number;
  databaseConnection: unknown;
}

/** What of better-sqlite3's Database this module uses. */
interface SqliteConnection {
  readonly inTransaction: boolean;
  exec(sql: string): unknown;
}

/** How one engine leaves a connection clean after a failed transaction. */
interface Engine {
  /** Throws unless the connection really left the transaction (COMMIT returned, but did it commit?). */
  assertCommitted(runner: QueryRunner): void;
  /**
   * Hands the connection back with no transaction open and the runner's flags saying so; `dirty` when a
   * COMMIT or ROLLBACK failed, so that nobody knows the connection's state.
   */
  finish(runner: QueryRunner, dirty: boolean): Promise<void>;
}

function sqliteEngine(writer: DataSource): Engine {
  const connection = () => (writer.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
  return {
    assertCommitted() {
      if (connection().inTransaction) throw new CommitFailed(new Error("the connection is still inside the transaction"));
    },
    async finish(runner) {
      const state = runner as unknown as RunnerState;
      if (connection().inTransaction) {
        try {
          connection().exec("ROLLBACK");
        } catch (error) {
          // The connection cannot leave its transaction: open it anew (SQLite discards what it had not committed).
          log.error(`SQLite writer could not roll back (${describe(error)}): reopening it`);
          await writer.destroy();
          await writer.initialize();
          return;
        }
      }
      state.isTransactionActive = false;
      state.transactionDepth = 0;
    },
  };
}

function mysqlEngine(): Engine {
  return {
    assertCommitted() {},
    async finish(runner, dirty) {
      // A connection whose COMMIT or ROLLBACK failed is in a state nobody knows: it never goes back to the pool.
      const connection = (runner as unknown as RunnerState).databaseConnection as { destroy?: () => void } | undefined;
      if (dirty) connection?.destroy?.();
      await runner.release();
    },
  };
}

/** Tries the transaction's ROLLBACK; false when that failed too (the connection is then dirty). */
async function rollBack(runner: QueryRunner): Promise<boolean> {
  if (!runner.isTransactionActive) return true;
  try {
    await runner.rollbackTransaction();
    return true;
  } catch {
    return false;
  }
}

async function transact<T>(writer: DataSource, engine: Engine, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const runner = writer.createQueryRunner();
  let result: T;
  try {
    await runner.startTransaction();
    result = await work(runner.manager);
  } catch (error) {
    const clean = await rollBack(runner);
    await engine.finish(runner, !clean);
    throw error;
  }
  try {
    await runner.commitTransaction();
    engine.assertCommitted(runner);
  } catch (error) {
    await rollBack(runner);
    await engine.finish(runner, true);
    throw error instanceof CommitFailed ? error : new CommitFailed(error);
  }
  await engine.finish(runner, false);
  return result;
}

/** A probe row as large as a page or two: on a full disk its insert needs room it cannot get. */
const PROBE_PAYLOAD = "x".repeat(8192);

async function probe(manager: EntityManager): Promise<void> {
  await manager.query(`INSERT INTO ${PROBE_TABLE} (payload) VALUES (?)`, [PROBE_PAYLOAD]);
  await manager.query(`DELETE FROM ${PROBE_TABLE}`);
}

/** Opens a subgraph's database (migrating it) with its write path; see the top of this file. */
export async function openStorage(options: StorageOptions, config: HubConfig): Promise<Storage> {
  const writer = await openDatabase(options, config);
  const sqlite = !config.databaseUrl;
  const reader = sqlite ? await openSqliteReader(writer, options) : writer;
  const engine = sqlite ? sqliteEngine(writer) : mysqlEngine();
  const health = new WriteHealth({
    onChange: (state) =>
      state.writes === "failing"
        ? log.error({ subgraph: options.name, reason: state.reason }, "writes are failing, refusing them until a trial write commits")
        : log.info({ subgraph: options.name }, "writes work again"),
    ...options.health,
  });
  // SQLite takes one writer at a time, and its one write connection must never hold two transactions.
  let queue: Promise<unknown> = Promise.resolve();
  const serialize = <T>(run: () => Promise<T>): Promise<T> => {
    if (!sqlite) return run();
    const next = queue.then(run);
    queue = next.catch(() => undefined);
    return next;
  };

  async function write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const admission = health.admit();
    if (admission === "refuse") throw storageUnavailable();
    try {
      const result = await serialize(() => transact(writer, engine, work));
      health.settle(admission, "committed");
      return result;
    } catch (error) {
      const fault = storageFault(error);
      if (fault === "storage") {
        health.settle(admission, "storage fault", describe(error));
        throw storageUnavailable();
      }
      health.settle(admission, "other");
      throw fault === "transient" ? storageUnavailable() : error;
    }
  }

  return {
    reader,
    writer,
    health,
    write,
    async checkWrites() {
      if (health.trialDue) await write(probe).catch(() => undefined);
      return health.state;
    },
    async close() {
      await serialize(async () => {
        if (reader !== writer) await reader.destroy();
        await writer.destroy();
      });
    },
  };
}

/** A second, read-only connection to the writer's SQLite file (WAL mode lets it read while the writer writes). */
async function openSqliteReader(writer: DataSource, options: OpenDatabaseOptions): Promise<DataSource> {
  const database = writer.options.database as string;
  fs.mkdirSync(path.dirname(database), { recursive: true });
  const reader = new DataSource({
    type: "better-sqlite3",
    database,
    entities: options.entities,
    readonly: true,
    timeout: 10_000,
    logger: new StatementCounter(),
    subscribers: writer.options.subscribers,
  });
  return reader.initialize();
}
