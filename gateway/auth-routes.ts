import type { IncomingMessage, ServerResponse } from "node:http";
import { readSmallBody, sendJson } from "../platform/http";
import type { IdentityAnswer, IdentityClient } from "./identity-client";
import { logger } from "../platform/logging";
import { currentLanguage, localizeError, Message, message, said } from "../platform/i18n";

const log = logger("auth");

/*
 * The small auth endpoint beside GraphQL, for clients that would rather not speak GraphQL to sign in:
 *   POST /auth/sign-in          {"loginName", "password"}                -> the Session as JSON
 *   POST /auth/refresh          {"refreshToken"}                         -> a new Session
 *   POST /auth/change-password  {"loginName", "password", "newPassword"} -> a new Session
 * Each forwards to the identity subgraph's mutation of the same meaning (with the subgraph secret and the
 * client's address, which sign-in slows repeated failures by), and answers its error as
 * {"error": {"code", "message", "field"}} with 400 (bad input), 401 (refused), 403 (password change needed) or
 * 503 (SIGNING_UNAVAILABLE: the hub signs no tokens, it trusts an external identity provider only).
 *
 * Browser apps keep the refresh token out of JavaScript's reach: with `"refreshCookie": true` in the body
 * the answer sets it as an httpOnly, SameSite=Strict cookie scoped to /auth/refresh (Secure except on
 * localhost) and leaves it out of the JSON; POST /auth/refresh without `refreshToken` reads that cookie
 * (and answers the same way), and DELETE /auth/refresh (signing out) clears it.
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

/** Sign-in may wait out a progressive delay (30 s at most) before it answers. */
const SIGN_IN_TIMEOUT_MS = 45_000;

const REFRESH_PATH = "/auth/refresh";
const REFRESH_COOKIE = "kawal_refresh";

/** The refresh cookie sent with the request, if any. */
function refreshCookieOf(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === REFRESH_COOKIE) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

/** Set-Cookie for the refresh token (empty with maxAge 0 to clear it); Secure unless the browser is on localhost. */
function refreshCookie(req: IncomingMessage, value: string, maxAgeSeconds: number): string {
  const host = (req.headers.host ?? "").replace(/:\d+$/, "");
  const local = host === "localhost" || host === "127.0.0.1" || host === "[::1]";
  return `${REFRESH_COOKIE}=${encodeURIComponent(value)}; Path=${REFRESH_PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${local ? "" : "; Secure"}`;
}

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

function fail(res: ServerResponse, status: number, code: string, text: Message | string, field?: string): void {
  sendJson(res, status, { error: { code, message: typeof text === "string" ? text : said(text), ...(field ? { field } : {}) } });
}

/** Plain HTTP routes beside GraphQL (here /auth/*; also /oauth/token and the JWKS, identity-routes.ts). */
export interface AuthRoutes {
  /** True when the request is for one of the routes' paths (answered by `handle`). */
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** The /auth/* routes, forwarding to the identity subgraph. */
export function createAuthRoutes(identity: IdentityClient): AuthRoutes {
  return {
    matches: (req) => new URL(req.url ?? "/", "http://localhost").pathname.startsWith("/auth/"),
    async handle(req, res) {
      const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
      const route = ROUTES[pathname];
      if (!route) return fail(res, 404, "NOT_FOUND", message("auth.noSuchPath", { path: String(req.url), paths: Object.keys(ROUTES).join(", ") }));
      if (pathname === REFRESH_PATH && req.method === "DELETE") {
        res.setHeader("set-cookie", refreshCookie(req, "", 0));
        res.writeHead(204);
        return void res.end();
      }
      if (req.method !== "POST") return fail(res, 405, "METHOD_NOT_ALLOWED", message("auth.post"));
      if (!(req.headers["content-type"] ?? "").includes("application/json")) return fail(res, 415, "BAD_REQUEST", message("auth.json"));
      const body = await readJson(req);
      if (!body) return fail(res, 400, "BAD_REQUEST", message("auth.jsonObject", { max: MAX_BODY }));
      const cookie = pathname === REFRESH_PATH && body.refreshToken === undefined ? refreshCookieOf(req) : undefined;
      if (cookie !== undefined) body.refreshToken = cookie;
      const useCookie = body.refreshCookie === true || cookie !== undefined;
      for (const field of route.fields) {
        if (typeof body[field] !== "string") return fail(res, 400, "BAD_USER_INPUT", message("auth.string", { field }), field);
      }
      const variables = Object.fromEntries(route.fields.map((field) => [field, body[field]]));
      const query = `mutation (${route.fields.map((field) => `$${field}: String!`).join(", ")}) { ${route.mutation}(${route.fields.map((field) => `${field}: $${field}`).join(", ")}) { ${SESSION} } }`;
      let answer: IdentityAnswer;
      try {
        answer = await identity.graphql(query, variables, { clientAddress: req.socket.remoteAddress, timeoutMs: SIGN_IN_TIMEOUT_MS });
      } catch (error) {
        log.error({ err: error, mutation: route.mutation }, "the identity subgraph did not answer");
        return fail(res, 503, "UNAVAILABLE", message("auth.unavailable"));
      }
      const error = answer.errors?.[0];
      if (error || !answer.data) {
        const code = error?.extensions?.code ?? "INTERNAL_SERVER_ERROR";
        return fail(res, STATUS[code] ?? 500, code, error ? localizeError(error, currentLanguage()).message : message("auth.noAnswer"), error?.extensions?.field);
      }
      const session = answer.data[route.mutation] as { refreshToken: string; refreshTokenExpiresAt: string };
      if (!useCookie) return sendJson(res, 200, session);
      const { refreshToken, ...rest } = session;
      res.setHeader("set-cookie", refreshCookie(req, refreshToken, Math.max(0, Math.floor((Date.parse(session.refreshTokenExpiresAt) - Date.now()) / 1000))));
      sendJson(res, 200, rest);
    },
  };
}
