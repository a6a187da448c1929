import type { IncomingMessage, ServerResponse } from "node:http";
import { CLIENT_ADDRESS_HEADER, subgraphHeaders } from "../caller/claims";
import { sendJson } from "../platform/http";
import { logger } from "../platform/logging";

const log = logger("auth");

/*
 * The small auth endpoint beside GraphQL, for clients that would rather not speak GraphQL to sign in:
 *   POST /auth/sign-in          {"loginName", "password"}                -> the Session as JSON
 *   POST /auth/refresh          {"refreshToken"}                         -> a new Session
 *   POST /auth/change-password  {"loginName", "password", "newPassword"} -> a new Session
 * Each forwards to the identity subgraph's mutation of the same meaning (with the subgraph secret and the
 * client's address, which sign-in slows repeated failures by), and answers its error as
 * {"error": {"code", "message", "field"}} with 400 (bad input), 401 (refused) or 403 (password change needed).
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

const STATUS: Record<string, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, PASSWORD_CHANGE_REQUIRED: 403, RATE_LIMITED: 429 };

const MAX_BODY = 16 * 1024;

function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > MAX_BODY) return resolve(null);
      try {
        const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        resolve(typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null);
      } catch {
        resolve(null);
      }
    });
    req.on("error", () => resolve(null));
  });
}

function fail(res: ServerResponse, status: number, code: string, message: string, field?: string): void {
  sendJson(res, status, { error: { code, message, ...(field ? { field } : {}) } });
}

export interface AuthRoutes {
  /** True when the request is for one of the /auth/* paths (answered by `handle`). */
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
      let answer: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }> };
      try {
        const response = await fetch(identityUrl, {
          method: "POST",
          headers: { "content-type": "application/json", ...subgraphHeaders(subgraphSecret), ...(req.socket.remoteAddress ? { [CLIENT_ADDRESS_HEADER]: req.socket.remoteAddress } : {}) },
          body: JSON.stringify({ query, variables }),
          // Sign-in may wait out a progressive delay (30 s at most) before it answers.
          signal: AbortSignal.timeout(45_000),
        });
        answer = (await response.json()) as typeof answer;
      } catch (error) {
        log.error({ err: error, mutation: route.mutation }, "the identity subgraph did not answer");
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
