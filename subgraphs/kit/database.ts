import fs from "node:fs";
import path from "node:path";
import mysql from "mysql2/promise";
import { DataSource, Logger, MixedList, EntitySchema } from "typeorm";
import type { HubConfig, SubgraphName } from "../../platform/config";
import { IdempotencyResultRef1739000000000, StorageTables1736000000000 } from "./storage-tables";
import { logger } from "../../platform/logging";
import { sqlObserver } from "./sql-observer";
import { errorCode, StartupError, UNREACHABLE } from "../../platform/startup";

const log = logger("sql");

/**
 * Counts the SQL statements a data source sends, so tests and benchmarks can prove that a batch of
 * entity references costs one query. Failed statements and TypeORM's warnings go to the log; queries do not
 * (sql-observer.ts logs slow ones, without their parameters).
 */
export class StatementCounter implements Logger {
  statements = 0;
  logQuery(): void {
    this.statements++;
  }
  logQueryError(error: string | Error, query: string): void {
    this.statements++;
    // Constraint violations are answered to the caller; only print what an operator must see.
    if (!/duplicate|unique|constraint/i.test(String(error))) log.error({ statement: query, reason: String(error) }, "SQL statement failed");
  }
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(message: string): void {
    log.debug(message);
  }
  log(level: "log" | "info" | "warn", message: unknown): void {
    if (level === "warn") log.warn(String(message));
  }
}

export interface OpenDatabaseOptions {
  name: SubgraphName;
  /** TypeORM entity classes of the subgraph. */
  entities: MixedList<Function | string | EntitySchema>;
  /** Migration classes, run in order on open (with the kit's own tables); `synchronize` is never used. */
  migrations: Function[];
}

/** The database name of a subgraph on a MySQL server: kawal_organizations, kawal_events, ... */
export function databaseName(name: SubgraphName, config: HubConfig): string {
  return `${config.databaseUrl?.pathname.replace(/^\//, "") || "kawal"}_${name}`.replace(/[^A-Za-z0-9_]/g, "_");
}

async function createMysqlDatabase(url: URL, database: string): Promise<void> {
  const address = `${url.hostname}:${url.port || 3306}`;
  const connection = await mysql
    .createConnection({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username || "root"),
      password: decodeURIComponent(url.password),
    })
    .catch((error: unknown) => {
      const code = errorCode(error);
      if (code && UNREACHABLE.has(code)) throw new StartupError(`DATABASE_URL: no MySQL answers at ${address} (${code}): start it, or point DATABASE_URL at one`, { cause: error });
      if (code === "ER_ACCESS_DENIED_ERROR") throw new StartupError(`DATABASE_URL: MySQL at ${address} refused its user and password`, { cause: error });
      throw error;
    });
  try {
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await connection.end();
  }
}

/**
 * Opens the subgraph's own database (the connection its writes use; kit/storage.ts adds the write path and
 * the readers) and brings it to the latest migration: a SQLite file
 * `<dataDir>/<name>.sqlite` by default, or database `kawal_<name>` on the MySQL server of DATABASE_URL
 * (created if missing). Returns the initialized DataSource; `destroy()` closes it.
 */
export async function openDatabase(options: OpenDatabaseOptions, config: HubConfig): Promise<DataSource> {
  const logger = new StatementCounter();
  const migrations = [...options.migrations, StorageTables1736000000000, IdempotencyResultRef1739000000000];
  const subscribers = [sqlObserver(options.name, config.slowSqlMs)];
  const common = { entities: options.entities, migrations, migrationsRun: true, synchronize: false, logger, subscribers };
  let dataSource: DataSource;
  if (config.databaseUrl) {
    const url = config.databaseUrl;
    const database = databaseName(options.name, config);
    await createMysqlDatabase(url, database);
    dataSource = new DataSource({
      ...common,
      type: "mysql",
      host: url.hostname,
      port: Number(url.port || 3306),
      username: decodeURIComponent(url.username || "root"),
      password: decodeURIComponent(url.password),
      database,
      charset: "utf8mb4_unicode_ci",
      // Migrations run one at a time on start; several replicas starting together wait for each other's lock.
      migrationsTransactionMode: "each",
      poolSize: 10,
      // mysql2 otherwise captures a stack trace on every query, to decorate errors it rarely reports.
      trace: false,
    });
  } else {
    fs.mkdirSync(config.dataDir, { recursive: true });
    dataSource = new DataSource({
      ...common,
      type: "better-sqlite3",
      database: path.join(config.dataDir, `${options.name}.sqlite`),
      enableWAL: true,
      timeout: 10_000,
    });
  }
  return dataSource.initialize();
}

/** The statement counter of a data source opened by openDatabase. */
export function statementCounter(dataSource: DataSource): StatementCounter {
  return dataSource.logger as StatementCounter;
}
