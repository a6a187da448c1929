import assert from "node:assert/strict";
import { test } from "node:test";
import type { AfterQueryEvent, EntitySubscriberInterface } from "typeorm";
import { redirectLogs } from "../../platform/logging";
import { sqlObserver } from "../../subgraphs/kit/sql-observer";

/** A statement as TypeORM reports it after running it. */
function ran(query: string, parameters: unknown[], executionTime: number): AfterQueryEvent {
  return { query, parameters, executionTime, success: true, connection: { options: { type: "better-sqlite3" } } } as unknown as AfterQueryEvent;
}

test("a statement slower than the threshold is logged with its text and time, never its parameters", () => {
  const lines: string[] = [];
  const restore = redirectLogs({ write: (line: string) => void lines.push(line) }, "info");
  try {
    const Observer = sqlObserver("incidents", 50) as new () => EntitySubscriberInterface;
    const observer = new Observer();
    const statement = "INSERT INTO incident_reports (title, description) VALUES (?, ?)";
    observer.afterQuery!(ran(statement, ["Amplop di Manggar", "saksi melihat pembagian amplop"], 20));
    assert.equal(lines.length, 0, "a fast statement is not logged");
    observer.afterQuery!(ran(statement, ["Amplop di Manggar", "saksi melihat pembagian amplop"], 120));
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0]) as Record<string, unknown>;
    assert.equal(line.msg, "slow SQL statement");
    assert.equal(line.statement, statement);
    assert.equal(line.ms, 120);
    assert.equal(line.subgraph, "incidents");
    assert.doesNotMatch(lines[0], /Amplop|amplop/);
  } finally {
    restore();
  }
});
