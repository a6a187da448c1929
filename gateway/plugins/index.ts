import crypto from "node:crypto";
import type { ApolloServerPlugin } from "@apollo/server";
import type { HubConfig } from "../../platform/config";
import { logger } from "../../platform/logging";
import type { TokenError } from "../auth";
import type { GatewayContext } from "../subgraph-client";
import type { RunningSubscriptions, WsObserver } from "../subscriptions";
import { collectProcessMetrics } from "../../platform/metrics";
import { subscriptionMetrics } from "./subscription-metrics";
import { requestLog } from "./request-log";
import { gatewayRefusals, requestMetrics } from "./request-metrics";
import { createRequestRecorder, RequestRecord, RequestRecorder } from "./request-record";

/** What the gateway wires in to be observed: one record per request, read by the log and the metrics. */
export interface GatewayObservation {
  recorder: RequestRecorder;
  plugins: ApolloServerPlugin<GatewayContext>[];
  /** For the subscription WebSocket. */
  ws: WsObserver;
  /** The gateway listens: logs it, reports its subscription counters; returns what logs the stop. */
  started(port: number, subscriptions: RunningSubscriptions): () => void;
  /** A bearer token was refused on HTTP. */
  tokenRefused(error: TokenError, request: RequestRecord | undefined): void;
}

export interface ObserveOptions {
  /** A log line per request and WebSocket operation. Default true. */
  requestLog?: boolean;
  /** Request metrics. Default true. */
  metrics?: boolean;
}

const WS_CLOSE_NORMAL = new Set([1000, 1001]);

export function createGatewayObservation(config: HubConfig, options: ObserveOptions = {}): GatewayObservation {
  const log = logger("gateway");
  const refusals = gatewayRefusals();
  // The pseudonym key: a secret every gateway of the hub shares, so one caller has one id across replicas.
  const listeners = [...(options.requestLog === false ? [] : [requestLog(log)]), ...(options.metrics === false ? [] : [requestMetrics()])];
  const recorder = createRequestRecorder({ pseudonymKey: config.subgraphSecret ?? "", listeners });
  const refused = (reason: string, transport: string, request?: RequestRecord) => {
    const kind = /expired/i.test(reason) ? "expired" : "invalid";
    refusals.inc({ kind: "token", reason: kind });
    log.warn({ reqId: request?.id, transport, reason }, "token refused");
  };
  collectProcessMetrics();
  return {
    recorder,
    started(port, subscriptions) {
      log.info({ port }, "gateway listening");
      const stopReporting = subscriptionMetrics(() => subscriptions.stats());
      return () => {
        stopReporting();
        log.info({ port }, "gateway stopped");
      };
    },
    plugins: [recorder.plugin],
    tokenRefused: (error, request) => refused(error.expired ? "expired" : error.message, "http", request),
    ws: {
      operation(caller, operationName) {
        const record = recorder.start("ws", crypto.randomUUID());
        recorder.identify(record, caller);
        record.operationName = operationName;
        return (type, errorCodes, name) => {
          record.operationType = type;
          record.operationName = name ?? record.operationName;
          for (const code of errorCodes) record.errorCodes.add(code);
          recorder.complete(record);
        };
      },
      tokenRefused: (reason) => refused(reason, "ws"),
      closed(code, reason) {
        if (code !== undefined && WS_CLOSE_NORMAL.has(code)) log.debug({ code }, "socket closed");
        else log.info({ code, reason: reason || undefined }, "socket closed");
      },
    },
  };
}
