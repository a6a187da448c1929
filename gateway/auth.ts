import { createRemoteJWKSet, errors, jwtVerify, JWTPayload, JWTVerifyGetKey } from "jose";
import { LRUCache } from "lru-cache";
import { Caller, callerFromClaims, ClaimsError, MaybeCaller } from "../caller/claims";
import { publicJwk } from "../caller/tokens";
import type { SigningKey } from "../platform/signing-key";
import { Message, message, render } from "../platform/i18n";

/** Why a token was refused (`text`, in any language); answered as 401 on HTTP and 4403 on WebSocket. */
export class TokenError extends Error {
  constructor(
    readonly text: Message,
    readonly expired = false,
  ) {
    super(render(text));
    this.name = "TokenError";
  }
}

export interface TokenVerifierOptions {
  /** HS256 secret of the embedded default. */
  secret?: string;
  /**
   * The hub's own RS256/ES256 key (KAWAL_SIGNING_KEY_FILE; its public half is enough): tokens whose header
   * names its `kid` are verified with it, without issuer or audience checks (the hub's tokens carry neither).
   */
  hubKey?: SigningKey;
  /** JWKS endpoint of an external identity provider (RS256/ES256); keys are cached and refetched on an unknown kid. */
  jwksUrl?: URL;
  /** Required `iss` of JWKS-verified tokens, when set. */
  issuer?: string;
  /** Required `aud` of JWKS-verified tokens, when set. */
  audience?: string;
  /**
   * Least time between two JWKS fetches triggered by an unknown `kid`. Default 30 s (jose's): a stream of
   * tokens with made-up kids then costs the identity provider one request per 30 s, not one per token.
   */
  jwksCooldownMs?: number;
  /**
   * How long a verified HS256 token is remembered, so the same bytes are not verified again on every
   * request (the check was 4% of the gateway's CPU on the Manggar story). Never past the token's `exp`.
   * Only the hub's own tokens (HS256, or its signing key): changing either means a restart, which forgets them; tokens of
   * the JWKS provider are checked every time, so a key it withdraws stops working at once.
   * 0 verifies every time. Default 60,000 ms.
   */
  verifiedTokenMs?: number;
  /** Verified tokens remembered at most; the least recently used is forgotten first. Default 10,000. */
  verifiedTokenLimit?: number;
}

export interface TokenVerifier {
  /** The caller of an `Authorization` header value; null for no header (the public); TokenError for a bad token. */
  verifyHeader(header: string | undefined | null): Promise<MaybeCaller>;
}

/**
 * Verifies bearer tokens with the HS256 secret and, when configured, an external JWKS. Every token must
 * expire (`exp`): a token that never expires is a leaked credential that never stops working.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const secretKey = options.secret ? new TextEncoder().encode(options.secret) : undefined;
  const jwks: JWTVerifyGetKey | undefined = options.jwksUrl
    ? createRemoteJWKSet(options.jwksUrl, { cooldownDuration: options.jwksCooldownMs ?? 30_000, timeoutDuration: 5_000 })
    : undefined;
  // Issuer and audience describe the external identity provider; the hub's own HS256 tokens carry neither.
  const providerChecks = { issuer: options.issuer, audience: options.audience };

  const hubKid = options.hubKey ? publicJwk(options.hubKey).then((jwk) => jwk.kid) : undefined;

  /** True when the token names the hub's own key: signed by the identity subgraph, or forged in its name. */
  async function isHubToken({ alg, kid }: TokenHeader): Promise<boolean> {
    return options.hubKey !== undefined && alg === options.hubKey.algorithm && kid !== undefined && kid === (await hubKid);
  }

  async function verify(token: string): Promise<JWTPayload> {
    const header = decodeHeader(token);
    const algorithm = header.alg;
    if (options.hubKey && (await isHubToken(header))) {
      return (await jwtVerify(token, options.hubKey.publicKey, { algorithms: [options.hubKey.algorithm], requiredClaims: ["exp"] })).payload;
    }
    if (algorithm === "HS256" && secretKey) {
      return (await jwtVerify(token, secretKey, { algorithms: ["HS256"], requiredClaims: ["exp"] })).payload;
    }
    if ((algorithm === "RS256" || algorithm === "ES256") && jwks) {
      return (await jwtVerify(token, jwks, { ...providerChecks, algorithms: ["RS256", "ES256"], requiredClaims: ["exp"] })).payload;
    }
    throw new TokenError(message("token.algorithm", { algorithm }));
  }

  const rememberMs = options.verifiedTokenMs ?? 60_000;
  const rememberLimit = options.verifiedTokenLimit ?? 10_000;
  // Each token for its own time (until its exp at the latest); one past it is verified again (and is "expired" if it is).
  const verified = rememberMs > 0 && rememberLimit > 0 ? new LRUCache<string, Caller>({ max: rememberLimit }) : undefined;

  async function remember(token: string, caller: Caller): Promise<void> {
    if (!verified || caller.exp === undefined) return;
    const header = decodeHeader(token);
    if (header.alg !== "HS256" && !(await isHubToken(header))) return;
    const ttl = Math.min(rememberMs, caller.exp * 1000 - Date.now());
    if (ttl > 0) verified.set(token, caller, { ttl });
  }

  return {
    async verifyHeader(header) {
      if (header === undefined || header === null || header === "") return null;
      const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
      if (!match) throw new TokenError(message("token.bearerFormat"));
      const known = verified?.get(match[1]);
      if (known) return known;
      let payload: JWTPayload;
      try {
        payload = await verify(match[1]);
      } catch (error) {
        if (error instanceof TokenError) throw error;
        if (error instanceof errors.JWTExpired) throw new TokenError(message("token.expired"), true);
        if (error instanceof errors.JWTClaimValidationFailed) throw new TokenError(message("token.refused", { detail: error.message }));
        throw new TokenError(message("token.invalid"));
      }
      try {
        const caller = callerFromClaims(payload as Record<string, unknown>);
        await remember(match[1], caller);
        return caller;
      } catch (error) {
        if (error instanceof ClaimsError) throw new TokenError(error.text);
        throw error;
      }
    },
  };
}

interface TokenHeader {
  alg: string;
  kid?: string;
}

function decodeHeader(token: string): TokenHeader {
  try {
    const header = JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString("utf8")) as { alg?: unknown; kid?: unknown };
    if (typeof header.alg === "string") return { alg: header.alg, kid: typeof header.kid === "string" ? header.kid : undefined };
  } catch {
    // fall through
  }
  throw new TokenError(message("token.invalid"));
}
