import type { IncomingMessage, ServerResponse } from "node:http";
import { readSmallBody, sendJson } from "../platform/http";
import { askIdentity, IdentityAnswer } from "./identity-client";

/*
 * The small auth endpoint beside GraphQL, for clients that would rather not speak GraphQL to sign in:
 *   POST /auth/sign-in          {"loginName", "password"}                -> the Session as JSON
 *   POST /auth/refresh          {"refreshToken"}                         -> a new Session
 *   POST /auth/change-password  {"loginName", "password", "newPassword"} -> a new Session
 * Each forwards to the identity subgraph's mutation of the same meaning (with the subgraph secret and the
 * client's address, which sign-in slows repeated failures by), and answers its error as
 * {"error": {"code", "message", "field"}} with 400 (bad input), 401 (refused), 403 (password change needed) or
 * 503 (SIGNING_UNAVAILABLE: the hub signs no tokens, it trusts an external identity provider only).
 */

const SESSION = "accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt account { id loginName role regions organization { id } mustChangePassword }";

interface AuthRoute {
  mutation: string;
  fields: string[];
}

const ROUTES: Record<string, AuthRoute> = {
  "/auth/sign-in": { mutation: "signIn", fields: ["loginName", "password"] },
  "/auth/refresh": { mutation: "refreshSession", fields: ["refreshToken"] },
  "/auth/change-password": { mutation: "changePassword", fields: ["loginName", "password", "newPassword"] },
};

const STATUS: Record<string, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, PASSWORD_CHANGE_REQUIRED: 403, SIGNING_UNAVAILABLE: 503 };

const MAX_BODY = 16 * 1024;

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const text = await readSmallBody(req, MAX_BODY);
  if (text === null) return null;
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function fail(res: ServerResponse, status: number, code: string, message: string, field?: string): void {
  sendJson(res, status, { error: { code, message, ...(field ? { field } : {}) } });
}

/** Plain HTTP routes beside GraphQL (here /auth/*; also /oauth/token and the JWKS, identity-routes.ts). */
export interface AuthRoutes {
  /** True when the request is for one of the routes' paths (answered by `handle`). */
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** The /auth/* routes, forwarding to the identity subgraph at `identityUrl`. */
export function createAuthRoutes(identityUrl: string, subgraphSecret: string): AuthRoutes {
  return {
    matches: (req) => new URL(req.url ?? "/", "http://localhost").pathname.startsWith("/auth/"),
    async handle(req, res) {
      const route = ROUTES[new URL(req.url ?? "/", "http://localhost").pathname];
      if (!route) return fail(res, 404, "NOT_FOUND", `no such path: ${req.url}; the auth endpoint has ${Object.keys(ROUTES).join(", ")}`);
      if (req.method !== "POST") return fail(res, 405, "METHOD_NOT_ALLOWED", "send a POST with a JSON body");
      if (!(req.headers["content-type"] ?? "").includes("application/json")) return fail(res, 415, "BAD_REQUEST", "the body must be JSON (content-type: application/json)");
      const body = await readJson(req);
      if (!body) return fail(res, 400, "BAD_REQUEST", `the body must be a JSON object of at most ${MAX_BODY} bytes`);
      for (const field of route.fields) {
        if (typeof body[field] !== "string") return fail(res, 400, "BAD_USER_INPUT", `${field}: must be a string`, field);
      }
      const variables = Object.fromEntries(route.fields.map((field) => [field, body[field]]));
      const query = `mutation (${route.fields.map((field) => `$${field}: String!`).join(", ")}) { ${route.mutation}(${route.fields.map((field) => `${field}: $${field}`).join(", ")}) { ${SESSION} } }`;
      let answer: IdentityAnswer;
      try {
        answer = await askIdentity(identityUrl, subgraphSecret, req, query, variables);
      } catch (error) {
        console.error(`auth: the identity subgraph did not answer ${route.mutation}: ${String(error)}`);
        return fail(res, 503, "UNAVAILABLE", "sign-in is unavailable right now; try again in a moment");
      }
      const error = answer.errors?.[0];
      if (error || !answer.data) {
        const code = error?.extensions?.code ?? "INTERNAL_SERVER_ERROR";
        return fail(res, STATUS[code] ?? 500, code, error?.message ?? "no answer", error?.extensions?.field);
      }
      sendJson(res, 200, answer.data[route.mutation]);
    },
  };
}
