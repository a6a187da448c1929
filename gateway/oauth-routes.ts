import type { IncomingMessage, ServerResponse } from "node:http";
import { readSmallBody } from "../platform/http";
import type { AuthRoutes } from "./auth-routes";
import type { IdentityAnswer, IdentityClient } from "./identity-client";
import { logger } from "../platform/logging";
import { currentLanguage, localizeError, Message, message, said } from "../platform/i18n";

const log = logger("oauth");

/*
 * POST /oauth/token: the OAuth 2.0 client-credentials grant (RFC 6749 §4.4) for partner apps. The body is
 * form-encoded (grant_type=client_credentials, optional scope); the client authenticates with HTTP Basic
 * (client id and secret, each form-encoded, RFC 6749 §2.3.1) or with client_id and client_secret in the body,
 * not both. The gateway checks the request's form and forwards the credentials to the identity subgraph's
 * clientCredentialsToken, which checks them, signs the token and audits. Answers follow RFC 6749 §5.1 and §5.2,
 * never cached (Cache-Control: no-store).
 */

const MAX_BODY = 4 * 1024;

const TOKEN = "accessToken tokenType expiresIn scope";

/** The realm a 401 names (RFC 6749 §5.2: invalid_client answers 401 with WWW-Authenticate). */
const CHALLENGE = 'Basic realm="kawal-damai", charset="UTF-8"';

type OAuthErrorCode = "invalid_request" | "invalid_client" | "unauthorized_client" | "invalid_scope" | "unsupported_grant_type" | "temporarily_unavailable" | "server_error";

const OAUTH_ERRORS = new Set<string>(["invalid_client", "unauthorized_client", "invalid_scope"]);

function send(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    pragma: "no-cache",
    ...headers,
  });
  res.end(text);
}

/** An RFC 6749 §5.2 error: 401 with a challenge for invalid_client, 503 when the hub cannot answer, 400 otherwise. */
function oauthError(res: ServerResponse, error: OAuthErrorCode, text: Message | string): void {
  const description = typeof text === "string" ? text : said(text);
  const status = error === "invalid_client" ? 401 : error === "temporarily_unavailable" ? 503 : error === "server_error" ? 500 : 400;
  send(res, status, { error, error_description: description }, error === "invalid_client" ? { "www-authenticate": CHALLENGE } : {});
}

/** One form-encoded value of RFC 6749 §2.3.1 (`+` is a space). */
function formDecoded(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return null;
  }
}

/** Client id and secret of an HTTP Basic header; undefined without one, null for a malformed one. */
function basicCredentials(header: string | undefined): { clientId: string; clientSecret: string } | null | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  const clientId = formDecoded(decoded.slice(0, colon));
  const clientSecret = formDecoded(decoded.slice(colon + 1));
  return clientId === null || clientSecret === null ? null : { clientId, clientSecret };
}

/** The token endpoint, forwarding to the identity subgraph. */
export function createOAuthRoutes(identity: IdentityClient): AuthRoutes {
  return {
    matches: (req) => new URL(req.url ?? "/", "http://localhost").pathname === "/oauth/token",
    async handle(req: IncomingMessage, res: ServerResponse) {
      if (req.method !== "POST") return oauthError(res, "invalid_request", message("oauth.post"));
      if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers["content-type"] ?? "")) {
        return oauthError(res, "invalid_request", message("oauth.formEncoded"));
      }
      const text = await readSmallBody(req, MAX_BODY);
      if (text === null) return oauthError(res, "invalid_request", message("oauth.bodyTooLarge", { max: MAX_BODY }));
      const form = new URLSearchParams(text);
      for (const name of new Set(form.keys())) {
        if (form.getAll(name).length > 1) return oauthError(res, "invalid_request", message("oauth.once", { name }));
      }
      const grantType = form.get("grant_type");
      if (!grantType) return oauthError(res, "invalid_request", message("oauth.grantRequired"));
      if (grantType !== "client_credentials") return oauthError(res, "unsupported_grant_type", message("oauth.grantUnsupported", { grant: grantType.slice(0, 40) }));
      const basic = basicCredentials(req.headers.authorization);
      if (basic === null) return oauthError(res, "invalid_client", message("oauth.basic"));
      const inBody = form.has("client_id") || form.has("client_secret");
      if (basic && inBody) return oauthError(res, "invalid_request", message("oauth.credentialsOnce"));
      const credentials = basic ?? { clientId: form.get("client_id") ?? "", clientSecret: form.get("client_secret") ?? "" };
      if (credentials.clientId === "" || credentials.clientSecret === "") {
        return oauthError(res, "invalid_client", message("oauth.clientRequired"));
      }
      const scope = form.get("scope");
      let answer: IdentityAnswer;
      try {
        answer = await identity.graphql(
          `mutation ($id: String!, $secret: String!, $scope: String) { clientCredentialsToken(clientId: $id, clientSecret: $secret, scope: $scope) { ${TOKEN} } }`,
          { id: credentials.clientId, secret: credentials.clientSecret, scope },
          { clientAddress: req.socket.remoteAddress },
        );
      } catch (error) {
        log.error({ err: error }, "the identity subgraph did not answer");
        return oauthError(res, "temporarily_unavailable", message("oauth.unavailable"));
      }
      const error = answer.errors?.[0];
      if (error || !answer.data) {
        const oauth = error?.extensions?.oauth;
        // The identity subgraph's text in the caller's language; the RFC 6749 code as it is.
        const description = error ? localizeError(error, currentLanguage()).message : undefined;
        if (oauth && OAUTH_ERRORS.has(oauth)) return oauthError(res, oauth as OAuthErrorCode, description ?? oauth);
        if (description && (error?.extensions?.code === "SIGNING_UNAVAILABLE" || error?.extensions?.code === "STORAGE_UNAVAILABLE")) return oauthError(res, "temporarily_unavailable", description);
        log.error({ message: error?.message ?? "no data" }, "the identity subgraph answered an error");
        return oauthError(res, "server_error", message("oauth.notIssued"));
      }
      const token = answer.data.clientCredentialsToken as { accessToken: string; tokenType: string; expiresIn: number; scope: string };
      send(res, 200, { access_token: token.accessToken, token_type: token.tokenType, expires_in: token.expiresIn, scope: token.scope });
    },
  };
}
