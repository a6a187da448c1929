import type { Logger } from "../../platform/logging";
import type { RecordListener } from "./request-record";

/**
 * One line per completed request or WebSocket operation: id, operation, caller role and pseudonym, status,
 * error codes, duration, subgraphs reached. Failed requests (4xx, 5xx, errors) at warn, others at info.
 */
export function requestLog(log: Logger): RecordListener {
  return (record, seconds) => {
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
