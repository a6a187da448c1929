/**
 * The multipart HTTP transport of the subscription engine: Apollo's multipart subscription protocol, which
 * Apollo Client's HttpLink (and Apollo Kotlin and iOS) speak natively and Apollo Router serves. A client
 * POSTs the operation with `Accept: multipart/mixed;subscriptionSpec="1.0"`; the answer is
 * `multipart/mixed;boundary="graphql";subscriptionSpec="1.0"`, one JSON part per message. As Apollo Router
 * writes it, every part is followed at once by the next boundary, so a client's parser hands it over
 * without waiting for the next part:
 *
 *   \r\n--graphql                                           once, at the start
 *   \r\ncontent-type: application/json\r\n\r\n<json>\r\n--graphql  each part, where <json> is
 *       {}                                                 the heartbeat, right away and then every 5 s
 *       {"payload":{"data":{...}}}                         an event: the engine's shared string in `payload`
 *       {"payload":null,"errors":[...]}                    the subscription ended with an error (token expired)
 *   --\r\n                                                 the end (the last boundary becomes --graphql--)
 *
 * The session and its policies are those of http-streams.ts; a refusal before the stream is an HTTP status
 * with `{"errors":[...]}`. Resume is by the document's `after` argument, as over graphql-ws.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { GraphQLError } from "graphql";
import { BodyTooLarge, readBody, sendJson } from "../../platform/http";
import type { PreparedOperation } from "./engine";
import { createHttpStreams, HttpStreamOptions, HttpTransport, OperationExecutor, Refusal, refusalOf, sendRefusal, streamWriter } from "./http-streams";
import { createFrameCache } from "./policies/frames";
import type { Session } from "./sessions";
import { answered, describedError } from "../../platform/errors";
import { Message, message } from "../../platform/i18n";

export interface MultipartAdapterOptions extends HttpStreamOptions {
  /** Runs queries and mutations sent with the multipart Accept header. Default: none, and they are refused (405). */
  executeOperation?: OperationExecutor;
  /** Interval of the `{}` heartbeat part that keeps proxies from closing a quiet stream. Default 5,000 ms (Apollo's). */
  heartbeatMs?: number;
}

const CONTENT_TYPE = 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"';
const START = "\r\n--graphql";
const PART = "\r\ncontent-type: application/json\r\n\r\n";
const BOUNDARY = "\r\n--graphql";
const HEARTBEAT = `${PART}{}${BOUNDARY}`;
const END = "--\r\n";

/** The request body of a GraphQL POST, checked field by field. */
interface Params {
  query: string;
  operationName?: string;
  variables?: Record<string, unknown>;
  extensions?: Record<string, unknown>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function paramsOf(text: string): Params | Message {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return message("http.invalidJson");
  }
  if (!isRecord(body)) return message("http.jsonObject");
  const { query, operationName, variables, extensions, documentId } = body;
  if (documentId != null && typeof documentId !== "string") return message("http.mustBeString", { field: "documentId" });
  if (extensions != null && !isRecord(extensions)) return message("http.mustBeObject", { field: "extensions" });
  // A GraphQL-over-HTTP documentId travels on as the persisted-query id every transport reads.
  const named = typeof documentId === "string" && !isRecord(extensions?.persistedQuery) ? { ...extensions, persistedQuery: { version: 1, sha256Hash: documentId } } : extensions;
  if (typeof query !== "string" && !isRecord(named?.persistedQuery)) return message("http.queryRequired");
  if (operationName != null && typeof operationName !== "string") return message("http.mustBeString", { field: "operationName" });
  if (variables != null && !isRecord(variables)) return message("http.mustBeObject", { field: "variables" });
  return { query: typeof query === "string" ? query : "", operationName: operationName ?? undefined, variables: variables ?? undefined, extensions: named ?? undefined };
}

const badRequest = (text: Message, status = 400): Refusal => ({
  ...refusalOf([describedError(text, { code: "BAD_REQUEST" })]),
  status,
});

/** The operation a multipart request POSTs, or the refusal to answer it with. */
async function requestParams(req: IncomingMessage, maxBodyBytes: number): Promise<Params | Refusal> {
  if (req.method !== "POST") {
    return { ...badRequest(message("subscription.multipartPost"), 405), headers: { allow: "POST" } };
  }
  try {
    const params = paramsOf(await readBody(req, maxBodyBytes));
    return "key" in params ? badRequest(params) : params;
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    return { ...badRequest(message("http.bodyTooLarge", { max: maxBodyBytes }), 413), headers: { connection: "close" } };
  }
}

export function createMultipartAdapter(options: MultipartAdapterOptions): HttpTransport {
  const { engine, executeOperation } = options;
  const streams = createHttpStreams(options);
  const frames = createFrameCache(`}${BOUNDARY}`);
  const heartbeatMs = options.heartbeatMs ?? 5000;

  /** Streams one subscription to `res` until it ends, the client leaves, or the gateway cuts it. */
  async function stream(res: ServerResponse, session: Session, operation: PreparedOperation, variables: Params["variables"]): Promise<void> {
    const writer = streamWriter(res, streams.backpressure);
    const subscribed = session.subscribe(operation, variables, (payload) => writer.write(frames.frame(`${PART}{"payload":`, payload)));
    if (!subscribed.ok) {
      session.close();
      return sendRefusal(res, refusalOf(subscribed.errors));
    }
    streams.track(res, session);
    // A first heartbeat at once: the client sees the stream is live before the first event.
    writer.start({ "content-type": CONTENT_TYPE, "cache-control": "no-cache" }, START + HEARTBEAT);
    const heartbeat = setInterval(() => writer.write(HEARTBEAT), heartbeatMs);
    let last = END;
    try {
      for await (const never of subscribed.stream) void never;
    } catch (error) {
      const errors = [answered(error instanceof GraphQLError ? error : new GraphQLError(String(error)))];
      last = `${PART}${JSON.stringify({ payload: null, errors })}${BOUNDARY}${END}`;
    } finally {
      clearInterval(heartbeat);
    }
    if (!res.destroyed) res.end(last);
  }

  return {
    accepts: (req) => /multipart\/mixed[^,]*subscriptionSpec/i.test(req.headers.accept ?? ""),
    async handle(req, res) {
      const params = await requestParams(req, streams.maxBodyBytes);
      if ("status" in params) return sendRefusal(res, params);
      const opened = await streams.open(req);
      if (!opened.ok) return sendRefusal(res, opened.refusal);
      const session = opened.session;
      const documented = await session.document(params);
      if (!documented.ok) {
        session.close();
        return sendRefusal(res, refusalOf(documented.errors));
      }
      const prepared = engine.prepare(documented.query, params.operationName);
      if (prepared.ok && prepared.operation.kind === "subscription") return stream(res, session, prepared.operation, params.variables);
      session.close();
      if (!prepared.ok) return sendRefusal(res, refusalOf(prepared.errors));
      if (!executeOperation) {
        const refusal = describedError(message("subscription.multipartOperations"), { code: "OPERATION_NOT_SUPPORTED" });
        return sendRefusal(res, refusalOf([refusal]));
      }
      sendJson(res, 200, await executeOperation(params, session.caller));
    },
    streams: streams.streaming,
    dispose: streams.dispose,
  };
}
