import type http from "node:http";
import { GraphQLError, GraphQLSchema } from "graphql";
import { Context } from "graphql-ws";
import { Extra, useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { CALLER_HEADER, callerFromClaims, ClaimsError, MaybeCaller, SECRET_HEADER, secretMatches } from "../../caller/claims";
import { DISCLOSED_EXTENSION, Disclosure } from "../../caller/disclosures";
import { recordSpan, tracing, withIncomingContext } from "../../platform/tracing";

/*
 * The subgraph end of the gateway's upstream subscriptions: graphql-ws on the subgraph's own http server,
 * for the Subscription fields of its schema. Only the gateway may connect. It proves itself the way it does
 * over HTTP, with the subgraph secret, sent in connection_init's payload under the same name as the HTTP
 * header; the caller's claims come the same way (CALLER_HEADER, JSON). Queries and mutations keep going
 * over HTTP, where the subgraph's Apollo Server runs them.
 */

export interface SubgraphSubscriptionOptions<C> {
  /** The subgraph's federated schema (the one its Apollo Server serves). */
  schema: GraphQLSchema;
  /** The subgraph secret; connections without it are closed with 4403. */
  secret: string;
  /** Resolver context for one subscription, from the caller the gateway forwarded (null: the public). */
  context: (caller: MaybeCaller) => C | Promise<C>;
  /** Path on the http server. Default "/graphql". */
  path?: string;
  /** WebSocket ping interval towards the gateway; a silent socket is terminated. Default 12,000 ms. */
  keepAliveMs?: number;
  /** Hide internal error details in close reasons. Default NODE_ENV === "production". */
  isProd?: boolean;
}

export interface RunningSubscriptionServer {
  /** Open connections (one per shared upstream subscription of each gateway). */
  connections(): number;
  /**
   * Closes every socket with 1001 (the gateway re-subscribes from its last cursor, here after a restart or
   * on another replica) and stops accepting upgrades. Call before closing the http server: upgraded sockets
   * keep `server.close()` waiting.
   */
  dispose(): Promise<void>;
}

type ConnectionExtra = { caller?: MaybeCaller };

/** Attaches the subgraph's subscription endpoint to `httpServer`. */
export function attachSubgraphSubscriptions<C extends { disclosed: Disclosure[]; eventTime?: string }>(httpServer: http.Server, options: SubgraphSubscriptionOptions<C>): RunningSubscriptionServer {
  const wss = new WebSocketServer({ server: httpServer, path: options.path ?? "/graphql", maxPayload: 1024 * 1024 });
  const server = useServer<Record<string, unknown>, ConnectionExtra>(
    {
      schema: options.schema,
      isProd: options.isProd,
      onConnect: (ctx: Context<Record<string, unknown>, Extra & Partial<ConnectionExtra>>) => {
        const params = ctx.connectionParams ?? {};
        if (!secretMatches(params[SECRET_HEADER], options.secret)) {
          ctx.extra.socket.close(4403, "this subgraph answers the Kawal Damai gateway only");
          return false;
        }
        const claims = params[CALLER_HEADER];
        try {
          if (claims === undefined || claims === null || claims === "") ctx.extra.caller = null;
          else if (typeof claims === "string") ctx.extra.caller = callerFromClaims(JSON.parse(claims) as Record<string, unknown>);
          else if (typeof claims === "object") ctx.extra.caller = callerFromClaims(claims as Record<string, unknown>);
          else throw new SyntaxError(`${CALLER_HEADER} must be the caller's claims as JSON`);
        } catch (error) {
          // The gateway built these claims from a verified token; bad ones mean a bug, not a user mistake.
          const message = error instanceof ClaimsError || error instanceof SyntaxError ? error.message : "bad caller claims";
          ctx.extra.socket.close(4400, message.slice(0, 120));
          return false;
        }
        return true;
      },
      context: (ctx: Context<Record<string, unknown>, Extra & Partial<ConnectionExtra>>) => options.context(ctx.extra.caller ?? null),
      // Tracing on: a span in the trace of the gateway's subscription that opened this socket (its traceparent).
      onSubscribe: (ctx, _id, payload) => {
        if (!tracing()) return;
        const carrier = (ctx.connectionParams ?? {}) as Record<string, string | undefined>;
        withIncomingContext(carrier, () => recordSpan("subgraph subscribe", 0, { "graphql.operation.name": payload.operationName ?? "" }));
      },
      // One context serves every event of a subscription: each event takes out, in its extensions, the reporters
      // it disclosed (caller/disclosures.ts), for the gateway to audit per subscriber, and its commit time, from
      // which the gateway tells how late it delivers it.
      // (graphql-ws sends what onNext returns, formatted as it would format the result itself.)
      onNext: (_ctx, _id, _payload, args, result) => {
        const context = args.contextValue as C;
        const disclosed = context.disclosed.splice(0);
        const eventTime = context.eventTime;
        if (disclosed.length === 0 && eventTime === undefined) return;
        const { errors, ...rest } = result;
        return {
          ...rest,
          ...(errors ? { errors: errors.map((error) => error.toJSON()) } : {}),
          extensions: { ...result.extensions, ...(disclosed.length ? { [DISCLOSED_EXTENSION]: disclosed } : {}), ...(eventTime !== undefined ? { eventTime } : {}) },
        };
      },
      execute: () => {
        return {
          errors: [
            new GraphQLError("this socket carries subscriptions; send queries and mutations over HTTP", {
              extensions: { code: "OPERATION_NOT_SUPPORTED" },
            }),
          ],
        };
      },
    },
    wss,
    options.keepAliveMs ?? 12_000,
  );
  return {
    connections: () => wss.clients.size,
    async dispose() {
      const clients = [...wss.clients];
      // useServer's dispose waits for every close handshake; a peer that never answers must not block a restart.
      const stragglers = setTimeout(() => clients.forEach((client) => client.terminate()), 1000);
      try {
        await server.dispose();
      } finally {
        clearTimeout(stragglers);
      }
    },
  };
}
