/**
 * The Server-Sent Events transport of the subscription engine: the GraphQL over SSE protocol in its
 * "distinct connections" mode (one request, one operation, one event stream), run by graphql-sse's own
 * handler as graphql-ws's `useServer` runs the WebSocket one. graphql-sse parses the request (POST JSON or
 * GET query string), writes the stream's head, its comment heartbeat every 12 s and its final `complete`
 * event; this file maps its hooks onto the session of http-streams.ts:
 *
 * - onConnect opens the session (bearer header, connection quota); onSubscribe prepares the document with
 *   the engine (the HTTP gateway's parser limits and rules) and subscribes through the session (expiry,
 *   access rule, subscription quota). A refusal is an HTTP status with `{"errors":[...]}`.
 * - `next` events are written straight to the response, encoded once per event for every subscriber
 *   (policies/frames.ts), with the alert's cursor as the event `id`; a reconnecting client that sends it
 *   back as `Last-Event-ID` resumes after it, as with the `after` argument. graphql-sse owns the lifecycle
 *   through a stream that never yields, as in ws-adapter.ts.
 * - a subscription that ends with an error (the token expired) sends it as a last `next` and completes.
 * - queries and mutations run through `executeOperation` when given (the HTTP gateway's Apollo Server).
 */
import type { IncomingMessage } from "node:http";
import { GraphQLError } from "graphql";
import { createHandler, ExecutionResult, Response as SseResponse } from "graphql-sse";
import { readBody } from "../../platform/http";
import { createFrameCache } from "./policies/frames";
import { createHttpStreams, HttpStreamOptions, HttpTransport, OperationExecutor, Refusal, refusalOf, StreamWriter, streamWriter } from "./http-streams";
import type { Session, SessionStream } from "./sessions";
import { answered, describedError } from "../../platform/errors";
import { Message, message } from "../../platform/i18n";

export interface SseAdapterOptions extends HttpStreamOptions {
  /** Runs queries and mutations sent as event streams. Default: none, and they are refused (400). */
  executeOperation?: OperationExecutor;
}

const EVENT_STREAM = "text/event-stream";
const NEXT = "event: next\ndata: ";

/** What a request carries through graphql-sse's hooks. */
interface RequestContext {
  writer: StreamWriter;
  session?: Session;
}

function sseResponse(refusal: Refusal): SseResponse {
  return [
    JSON.stringify({ errors: refusal.errors }),
    { status: refusal.status, statusText: "", headers: { "content-type": "application/json; charset=utf-8", ...refusal.headers } },
  ];
}

const notSupported = (text: Message) => sseResponse(refusalOf([describedError(text, { code: "OPERATION_NOT_SUPPORTED" })]));

/**
 * graphql-sse's view of a subscription: nothing while it streams (frames go straight to the response), a
 * last result with the error when it fails, then the end, which graphql-sse sends as `complete`.
 */
async function* outcome(stream: SessionStream): AsyncGenerator<ExecutionResult> {
  try {
    for await (const never of stream) void never;
  } catch (error) {
    // The error as the caller reads it, in its language.
    const said = answered(error instanceof GraphQLError ? error : new GraphQLError(String(error)));
    yield { errors: [new GraphQLError(said.message, { extensions: said.extensions })] };
  }
}

export function createSseAdapter(options: SseAdapterOptions): HttpTransport {
  const { engine, executeOperation } = options;
  const streams = createHttpStreams(options);
  const frames = createFrameCache("\n\n");

  const handler = createHandler<IncomingMessage, RequestContext>({
    // No stream tokens: every request is its own stream (distinct connections mode).
    authenticate: () => null,
    onConnect: async (req) => {
      const opened = await streams.open(req.raw);
      if (!opened.ok) return sseResponse(opened.refusal);
      req.context.session = opened.session;
    },
    onSubscribe: async (req, params) => {
      const session = req.context.session!;
      const documented = await session.document(params);
      if (!documented.ok) return sseResponse(refusalOf(documented.errors));
      const prepared = engine.prepare(documented.query, params.operationName);
      if (!prepared.ok) return sseResponse(refusalOf(prepared.errors));
      const operation = prepared.operation;
      if (operation.kind !== "subscription") {
        if (operation.kind === "mutation" && req.method === "GET") return notSupported(message("subscription.mutationWithGet"));
        if (!executeOperation) return notSupported(message("subscription.sseOperations", { kind: operation.kind }));
        const { query, operationName, variables, extensions } = params;
        const result = await executeOperation(
          { query, operationName: operationName ?? undefined, variables: variables ?? undefined, extensions: extensions ?? undefined },
          session.caller,
        );
        // graphql-sse only serializes the result: formatted errors are as good as GraphQLErrors here.
        return result as ExecutionResult;
      }
      const writer = req.context.writer;
      const lastEventId = req.headers.get("last-event-id") || undefined;
      const subscribed = session.subscribe(
        operation,
        params.variables,
        (payload, cursor) => writer.write(frames.frame(cursor === undefined ? NEXT : `id: ${cursor.replace(/[\r\n]/g, "")}\n${NEXT}`, payload)),
        { after: lastEventId },
      );
      if (!subscribed.ok) return sseResponse(refusalOf(subscribed.errors));
      return outcome(subscribed.stream);
    },
  });

  return {
    accepts: (req) => (req.headers.accept ?? "").includes(EVENT_STREAM),
    async handle(req, res) {
      const context: RequestContext = { writer: streamWriter(res, streams.backpressure) };
      const [body, init] = await handler({
        method: req.method ?? "GET",
        url: req.url ?? "/",
        // graphql-sse matches the Accept header exactly; the router already chose this transport.
        headers: { get: (key) => (key === "accept" ? EVENT_STREAM : headerOf(req, key)) },
        body: () => readBody(req, streams.maxBodyBytes),
        raw: req,
        context,
      }).catch((error: unknown) => {
        context.session?.close();
        throw error;
      });
      const session = context.session;
      if (!body || typeof body === "string" || !session) {
        session?.close();
        res.writeHead(init.status, init.headers);
        res.end(typeof body === "string" ? body : undefined);
        return;
      }
      streams.track(res, session);
      res.once("close", () => void body.return(undefined));
      context.writer.start(init.headers ?? {});
      for await (const chunk of body) {
        if (res.destroyed) break;
        res.write(chunk);
      }
      res.end();
    },
    streams: streams.streaming,
    dispose: streams.dispose,
  };
}

function headerOf(req: IncomingMessage, key: string): string | undefined {
  const value = req.headers[key];
  return Array.isArray(value) ? value.join(", ") : value;
}
