import type { Logger } from "../../platform/logging";
import { isOperation, RecordListener } from "./request-record";

/**
 * One line per completed request or WebSocket operation: id, operation, caller role and pseudonym, status,
 * error codes, duration, subgraphs reached. Failed requests (4xx, 5xx, errors) at warn, others at info;
 * plain routes (/health, /metrics, ...) at debug.
 */
export function requestLog(log: Logger): RecordListener {
  return (record, seconds) => {
    if (!isOperation(record)) {
      // Health checks, scrapes and token routes: every few seconds from a load balancer, so at debug.
      if (log.isLevelEnabled("debug")) log.debug({ reqId: record.id, path: record.path, status: record.status, ms: Math.round(seconds * 10_000) / 10 }, "route");
      return;
    }
    const failed = record.status >= 400 || record.errorCodes.size > 0;
    if (!log.isLevelEnabled(failed ? "warn" : "info")) return;
    const line = {
      reqId: record.id,
      transport: record.transport,
      operation: record.operationName ?? null,
      type: record.operationType ?? null,
      role: record.role ?? null,
      caller: record.callerId ?? null,
      status: record.status,
      errors: [...record.errorCodes],
      ...(record.subgraphErrors.size > 0 ? { subgraphErrors: [...record.subgraphErrors] } : {}),
      ms: Math.round(seconds * 10_000) / 10,
      subgraphs: [...record.subgraphs],
    };
    if (failed) log.warn(line, "request failed");
    else log.info(line, "request");
  };
}
