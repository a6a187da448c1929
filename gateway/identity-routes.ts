import type { IncomingMessage, ServerResponse } from "node:http";
import { publicJwk } from "../caller/tokens";
import { sendJson } from "../platform/http";
import type { SigningKey } from "../platform/signing-key";
import { AuthRoutes, createAuthRoutes } from "./auth-routes";
import { createOAuthRoutes } from "./oauth-routes";
import { RateLimiter, RateLimitOptions, rateWindow } from "./rate-limit";
import type { IdentityClient } from "./identity-client";
import { inLanguage, languageOf, message, said } from "../platform/i18n";

/*
 * The gateway's plain HTTP routes of the identity service: /auth/* (people), /oauth/token (partner apps), each
 * forwarded to the identity subgraph and counted by the gateway's rate limiter per client address, and
 * /.well-known/jwks.json (the public half of the hub's signing key).
 */

export interface IdentityRoutesOptions {
  /** The way to the identity subgraph. Required. */
  identity: IdentityClient;
  /** The gateway's rate limiter (KAWAL_RATE_LIMIT_MUTATIONS); each request counts one hit for its client address. Unset: no limit. */
  limiter?: RateLimiter;
  limits: RateLimitOptions;
  /** The hub's signing key (KAWAL_SIGNING_KEY_FILE); unset: the key set is empty. */
  signingKey?: SigningKey;
}

export const JWKS_PATH = "/.well-known/jwks.json";

/** The JWKS document: the public key alone (kid, alg, use), never a private member; cacheable for 5 minutes. */
async function sendJwks(res: ServerResponse, key: SigningKey | undefined): Promise<void> {
  const text = JSON.stringify({ keys: key ? [await publicJwk(key)] : [] });
  res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), "cache-control": "public, max-age=300" });
  res.end(text);
}

/** 429 in each route's own error shape, with Retry-After (the RATE_LIMITED contract of the GraphQL endpoint). */
function tooMany(req: IncomingMessage, res: ServerResponse, retryAfterSeconds: number, { limit, windowSeconds = 60 }: RateLimitOptions): void {
  const description = said(message("rate.requests", { limit, window: rateWindow(windowSeconds), seconds: retryAfterSeconds }));
  res.setHeader("retry-after", String(retryAfterSeconds));
  if (req.url?.startsWith("/oauth/")) {
    res.setHeader("cache-control", "no-store");
    return sendJson(res, 429, { error: "rate_limited", error_description: description, retry_after_seconds: retryAfterSeconds });
  }
  sendJson(res, 429, { error: { code: "RATE_LIMITED", message: description, retryAfterSeconds } });
}

export function createIdentityRoutes(options: IdentityRoutesOptions): AuthRoutes {
  const forwarded = [createAuthRoutes(options.identity), createOAuthRoutes(options.identity)];
  const pathOf = (req: IncomingMessage) => new URL(req.url ?? "/", "http://localhost").pathname;
  return {
    matches: (req) => pathOf(req) === JWKS_PATH || forwarded.some((routes) => routes.matches(req)),
    // In the request's language (Accept-Language): the refusals here and in the /auth and /oauth routes.
    handle: (req, res) => inLanguage(languageOf(req.headers["accept-language"]), () => handle(req, res)),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (pathOf(req) === JWKS_PATH) return sendJwks(res, options.signingKey);
    if (options.limiter) {
      const decision = await options.limiter.hit(`addr:${req.socket.remoteAddress ?? "unknown"}`, 1);
      if (!decision.allowed) {
        req.resume();
        return tooMany(req, res, decision.retryAfterSeconds, options.limits);
      }
    }
    await forwarded.find((routes) => routes.matches(req))!.handle(req, res);
  }
}
