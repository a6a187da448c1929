import type { IncomingMessage, ServerResponse } from "node:http";
import { SECRET_HEADER, secretMatches } from "../../caller/claims";
import { sendJson } from "../../platform/http";
import type { SubgraphContext } from "./context";
import { logger } from "../../platform/logging";

const log = logger("subgraph");

/*
 * Streaming routes beside the graph, for the gateway's own requests whose bodies are files (evidence uploads and
 * downloads): the request and response stream through untouched, the caller comes from the forwarded header as for
 * GraphQL. Only requests carrying the subgraph secret reach them.
 */

/** One route: `method` and a path pattern; its handler gets the pattern's match and a context with the caller. */
export interface StreamRoute<S = unknown> {
  method: "GET" | "POST";
  path: RegExp;
  handle(req: IncomingMessage, res: ServerResponse, context: SubgraphContext<S>, match: RegExpExecArray): Promise<void>;
}

export interface StreamRoutes {
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** Serves `routes` to requests with the subgraph secret; `context` builds each request's context for its caller. */
export function streamRoutes<S>(routes: StreamRoute<S>[], secret: string, context: (req: IncomingMessage) => SubgraphContext<S>): StreamRoutes {
  const routeOf = (req: IncomingMessage) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    for (const route of routes) {
      const match = route.method === req.method ? route.path.exec(pathname) : null;
      if (match) return { route, match };
    }
    return undefined;
  };
  return {
    matches: (req) => routeOf(req) !== undefined,
    async handle(req, res) {
      if (!secretMatches(req.headers[SECRET_HEADER], secret)) {
        req.resume();
        return sendJson(res, 403, { error: "this route answers the Kawal Damai gateway only" });
      }
      const { route, match } = routeOf(req)!;
      try {
        await route.handle(req, res, context(req), match);
      } catch (error) {
        log.error({ err: error, method: req.method, path: req.url }, "stream route failed");
        if (!res.headersSent) sendJson(res, 500, { error: { code: "INTERNAL_SERVER_ERROR", message: "internal error" } });
        else res.destroy();
      }
    },
  };
}
