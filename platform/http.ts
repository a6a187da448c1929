import http, { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer, BaseContext, HeaderMap } from "@apollo/server";
import { logger } from "./logging";
import { StartupError } from "./startup";
import { withIncomingContext, withSpan } from "./tracing";
import { inLanguage, languageOf, message, said } from "./i18n";

const log = logger("http");

/** A plain route beside GraphQL (health checks). */
export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface GraphQLHttpOptions<C extends BaseContext> {
  server: ApolloServer<C>;
  /** Builds the request context; a GraphQLError thrown here is answered with its http status. */
  context: (req: IncomingMessage) => Promise<C>;
  /** Path of the GraphQL endpoint. Default "/graphql". */
  path?: string;
  /** Largest request body accepted; larger ones get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Other GET routes by path, e.g. "/health". */
  routes?: Record<string, Route>;
  /** Name of the span of each GraphQL request when tracing is on. Default "graphql request". */
  spanName?: string;
  /** Refuses a request before GraphQL sees it (status and message), or lets it through (null). */
  guard?: (req: IncomingMessage) => { status: number; message: string } | null;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function graphqlError(res: ServerResponse, status: number, message: string, code: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

/** A request body beyond the limit `readBody` was given. */
export class BodyTooLarge extends Error {}

/** Reads a request body as UTF-8, rejecting with BodyTooLarge past `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Reads a request body of at most `limit` bytes as text; null when it is larger or the request fails. */
export function readSmallBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > limit ? null : Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(null));
  });
}

/**
 * The request handler of an Apollo Server on node:http: GraphQL at `path`, plain routes beside it.
 * (Apollo Server 5 ships no http integration but `standalone`, which has no room for health routes.)
 */
export function graphqlHttpHandler<C extends BaseContext>(options: GraphQLHttpOptions<C>) {
  const graphqlPath = options.path ?? "/graphql";
  const limit = options.maxBodyBytes ?? 1024 * 1024;
  const spanName = options.spanName ?? "graphql request";
  // The request's language is where Apollo's formatError, which sees no request, can read it.
  return (req: IncomingMessage, res: ServerResponse): Promise<void> => inLanguage(languageOf(req.headers["accept-language"]), () => handle(req, res));
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const route = options.routes?.[url.pathname];
      if (route && req.method === "GET") return await route(req, res);
      if (url.pathname !== graphqlPath) return graphqlError(res, 404, said(message("http.noSuchPath", { path: url.pathname })), "NOT_FOUND");
      const refusal = options.guard?.(req);
      if (refusal) return graphqlError(res, refusal.status, refusal.message, "FORBIDDEN");
      let body: unknown = undefined;
      if (req.method === "POST") {
        const text = await readBody(req, limit);
        if ((req.headers["content-type"] ?? "").includes("application/json")) {
          try {
            body = text === "" ? undefined : JSON.parse(text);
          } catch {
            return graphqlError(res, 400, said(message("http.invalidJson")), "BAD_REQUEST");
          }
        }
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
      }
      // In the caller's trace (traceparent), under a span of its own, when tracing is on.
      const response = await withIncomingContext(req.headers, () =>
        withSpan(spanName, { "http.request.method": req.method ?? "GET" }, () =>
          options.server.executeHTTPGraphQLRequest({
            httpGraphQLRequest: { method: req.method ?? "GET", headers, search: url.search, body },
            context: () => options.context(req),
          }),
        ),
      );
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === "complete") {
        res.end(response.body.string);
      } else {
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        res.setHeader("connection", "close");
        return graphqlError(res, 413, said(message("http.bodyTooLarge", { max: limit })), "PAYLOAD_TOO_LARGE");
      }
      log.error({ err: error, path: req.url }, "request failed");
      if (!res.headersSent) graphqlError(res, 500, said(message("http.internal")), "INTERNAL_SERVER_ERROR");
      else res.end();
    }
  }
}

/**
 * Listens on host:port (0 = a free port) and resolves with the bound port. A port in use or not allowed
 * rejects with a StartupError naming the port and `variable`, the setting that chooses it (default PORT).
 */
export function listen(server: http.Server, port: number, host: string, variable = "PORT"): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") reject(new StartupError(`port ${port} on ${host} is already in use: stop what listens there, or set ${variable} to a free port`, { cause: error }));
      else if (error.code === "EACCES") reject(new StartupError(`port ${port} on ${host} is not allowed for this user: set ${variable} to a port above 1023`, { cause: error }));
      else reject(error);
    };
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Closes the server: no new connections, idle keep-alive ones ended at once so shutdown does not wait on
 * them, and any still serving a request cut at `deadline` (a Date.now() time; default 2 s from now).
 */
export function close(server: http.Server, deadline = Date.now() + 2000): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), Math.max(0, deadline - Date.now())).unref();
  });
}
