import { boundedLabel, counter, DURATION_BUCKETS, histogram } from "../../platform/metrics";
import { isOperation, RecordListener } from "./request-record";

/** Distinct operation names kept as labels; the rest share "(other)". */
const OPERATION_NAME_LIMIT = 200;

/**
 * kawal_gateway_requests_total{operation,type,outcome} and kawal_gateway_request_duration_seconds{operation,type}
 * for every completed request and WebSocket operation. outcome: ok, error (GraphQL errors), refused (4xx),
 * failed (5xx). Rate-limit refusals are also counted in kawal_gateway_refusals_total.
 */
export function requestMetrics(): RecordListener {
  const requests = counter({ name: "kawal_gateway_requests_total", help: "Requests and WebSocket operations by operation, type and outcome", labelNames: ["operation", "type", "outcome", "transport"] });
  const duration = histogram({ name: "kawal_gateway_request_duration_seconds", help: "Time to answer a request or complete a WebSocket operation", labelNames: ["operation", "type"], buckets: DURATION_BUCKETS });
  const refusals = gatewayRefusals();
  const operation = boundedLabel(OPERATION_NAME_LIMIT);
  return (record, seconds) => {
    if (!isOperation(record)) return;
    const name = operation(record.operationName);
    const type = record.operationType ?? "unknown";
    const outcome = record.status >= 500 ? "failed" : record.status >= 400 ? "refused" : record.errorCodes.size > 0 ? "error" : "ok";
    requests.inc({ operation: name, type, outcome, transport: record.transport });
    if (record.operationType !== "subscription") duration.observe({ operation: name, type }, seconds);
    if (record.errorCodes.has("RATE_LIMITED")) refusals.inc({ kind: "rate_limit", reason: "mutations_per_minute" });
  };
}

/** kawal_gateway_refusals_total{kind,reason}: kind token (reason expired, invalid) or rate_limit. */
export function gatewayRefusals() {
  return counter({ name: "kawal_gateway_refusals_total", help: "Refused tokens and rate-limited requests, by reason", labelNames: ["kind", "reason"] });
}
