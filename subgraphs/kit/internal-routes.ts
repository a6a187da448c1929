import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";
import { SECRET_HEADER, secretMatches } from "../../caller/claims";
import { DISCLOSED_EXTENSION } from "../../caller/disclosures";
import { READS_EXTENSION } from "../../caller/reads";
import { readSmallBody, sendJson } from "../../platform/http";
import type { SubgraphContext } from "./context";
import { logger } from "../../platform/logging";

const log = logger("subgraph");

/*
 * What a subgraph exchanges with the gateway beside the graph: internal routes (POST /internal/<name>, JSON, for
 * the gateway's own requests: they are not in the graph, so no client operation can reach them through the
 * gateway), and what an answer states in its extensions: what it read of the caller (caller/reads.ts) and the
 * reporters it discloses (caller/disclosures.ts).
 */

/** An internal route: the JSON body in, a JSON answer out (no caller). A GraphQLError with BAD_USER_INPUT answers 400. */
export type InternalRoute = (body: unknown, context: SubgraphContext) => Promise<unknown>;

/** A batch of 500 deliveries is about 60 KiB. */
const MAX_BODY = 256 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readSmallBody(req, MAX_BODY);
  if (text === null) throw new GraphQLError(`the body must be at most ${MAX_BODY} bytes`, { extensions: { code: "BAD_USER_INPUT" } });
  try {
    return JSON.parse(text);
  } catch {
    throw new GraphQLError("the body must be JSON", { extensions: { code: "BAD_USER_INPUT" } });
  }
}

export interface InternalRoutes {
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** Serves `routes` at POST /internal/<name> to requests carrying the subgraph secret, with a context of their own. */
export function internalRoutes(routes: Record<string, InternalRoute>, secret: string, context: () => SubgraphContext): InternalRoutes {
  const routeOf = (req: IncomingMessage) => {
    const match = /^\/internal\/([a-z-]+)$/.exec(new URL(req.url ?? "/", "http://localhost").pathname);
    return match && Object.hasOwn(routes, match[1]) ? routes[match[1]] : undefined;
  };
  return {
    matches: (req) => routeOf(req) !== undefined,
    async handle(req, res) {
      if (req.method !== "POST" || !secretMatches(req.headers[SECRET_HEADER], secret)) {
        req.resume();
        return sendJson(res, 403, { error: "this route answers the Kawal Damai gateway only" });
      }
      try {
        sendJson(res, 200, await routeOf(req)!(await readJson(req), context()));
      } catch (error) {
        const code = error instanceof GraphQLError ? error.extensions.code : undefined;
        if (code !== "BAD_USER_INPUT") log.error({ err: error, path: req.url }, "internal route failed");
        sendJson(res, code === "BAD_USER_INPUT" ? 400 : code === "STORAGE_UNAVAILABLE" ? 503 : 500, { error: error instanceof Error ? error.message : String(error) });
      }
    },
  };
}

/**
 * States in every answer's extensions, for the gateway, what it read of the caller (context.reads), errors
 * included, and lists its disclosures (context.disclosed).
 */
export const gatewayExtensionsPlugin: ApolloServerPlugin<SubgraphContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        if (response.body.kind !== "single") return;
        const result = response.body.singleResult;
        const { disclosed, reads } = contextValue;
        result.extensions = { ...result.extensions, [READS_EXTENSION]: reads.widest, ...(disclosed.length > 0 ? { [DISCLOSED_EXTENSION]: disclosed } : {}) };
      },
    };
  },
};
