import { AfterQueryEvent, EntitySubscriberInterface, EventSubscriber, TransactionRollbackEvent } from "typeorm";
import type { SubgraphName } from "../../platform/config";
import { logger } from "../../platform/logging";
import { counter, histogram, SQL_BUCKETS } from "../../platform/metrics";
import { recordSpan } from "../../platform/tracing";

/** The statement's first word, a bounded label: SELECT, INSERT, UPDATE, DELETE, BEGIN, ... */
function verbOf(query: string): string {
  const verb = /^\s*([A-Za-z]+)/.exec(query)?.[1]?.toUpperCase() ?? "OTHER";
  return ["SELECT", "INSERT", "UPDATE", "DELETE", "BEGIN", "START", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "WITH"].includes(verb) ? verb : "OTHER";
}

/**
 * A TypeORM subscriber that watches every statement of one subgraph's data sources after it ran: counts and
 * times it (kawal_subgraph_sql_statements_total, kawal_subgraph_sql_duration_seconds), records it as a span
 * when tracing is on, logs it when slower than `slowMs` (the statement, never its parameters: they carry
 * report text and names), and counts rolled-back transactions (kawal_subgraph_transaction_rollbacks_total).
 */
export function sqlObserver(subgraph: SubgraphName, slowMs: number): Function {
  const log = logger("sql");
  const statements = counter({ name: "kawal_subgraph_sql_statements_total", help: "SQL statements sent, by subgraph, verb and outcome", labelNames: ["subgraph", "verb", "outcome"] });
  const duration = histogram({ name: "kawal_subgraph_sql_duration_seconds", help: "SQL statement time, by subgraph and verb", labelNames: ["subgraph", "verb"], buckets: SQL_BUCKETS });
  const rollbacks = counter({ name: "kawal_subgraph_transaction_rollbacks_total", help: "Transactions rolled back (a failed write), by subgraph", labelNames: ["subgraph"] });
  class SqlObserver implements EntitySubscriberInterface {
    afterQuery(event: AfterQueryEvent): void {
      const verb = verbOf(event.query);
      statements.inc({ subgraph, verb, outcome: event.success ? "ok" : "error" });
      const ms = event.executionTime;
      if (ms === undefined) return;
      duration.observe({ subgraph, verb }, ms / 1000);
      recordSpan(`SQL ${verb}`, ms, { "db.system": event.connection.options.type, "db.statement": event.query, "kawal.subgraph": subgraph }, !event.success);
      if (slowMs > 0 && ms > slowMs) log.warn({ subgraph, ms, statement: event.query }, "slow SQL statement");
    }

    afterTransactionRollback(_event: TransactionRollbackEvent): void {
      rollbacks.inc({ subgraph });
    }
  }
  // TypeORM loads only subscribers registered with its decorator.
  EventSubscriber()(SqlObserver);
  return SqlObserver;
}
