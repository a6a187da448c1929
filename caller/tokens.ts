import { calculateJwkThumbprint, exportJWK, JWK, SignJWT } from "jose";
import type { HubConfig } from "../platform/config";
import type { SigningKey } from "../platform/signing-key";
import { Caller, claimsOf } from "./claims";

/** What a token is signed with: the HS256 secret, or the hub's RS256/ES256 key pair. */
export type TokenKey = string | SigningKey;

const publicJwks = new WeakMap<SigningKey, Promise<JWK>>();

/**
 * The public half of the hub's key as a JWK, with `kid` (its RFC 7638 thumbprint, so the same key always has
 * the same id), `alg` and `use`: what /.well-known/jwks.json serves and what tokens name in their header.
 */
export function publicJwk(key: SigningKey): Promise<JWK> {
  let jwk = publicJwks.get(key);
  if (!jwk) {
    jwk = exportJWK(key.publicKey).then(async (exported) => ({ ...exported, kid: await calculateJwkThumbprint(exported), alg: key.algorithm, use: "sig" }));
    publicJwks.set(key, jwk);
  }
  return jwk;
}

/**
 * Signs a token for a caller: the format the gateway verifies (gateway/auth.ts). The identity subgraph signs
 * access tokens with it, the launcher demo and `npm run token` tokens, tests theirs. `expiresIn` like "12h",
 * or a number of seconds from now.
 */
export async function signToken(key: TokenKey, caller: Caller, expiresIn: string | number = "12h"): Promise<string> {
  const token = new SignJWT(claimsOf(caller))
    .setIssuedAt()
    .setExpirationTime(typeof expiresIn === "number" ? Math.floor(Date.now() / 1000) + expiresIn : expiresIn);
  if (typeof key === "string") return token.setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(key));
  if (!key.privateKey) throw new Error(`KAWAL_SIGNING_KEY_FILE: ${key.file} holds a public key only; signing needs the private key`);
  return token.setProtectedHeader({ alg: key.algorithm, typ: "JWT", kid: (await publicJwk(key)).kid }).sign(key.privateKey);
}

/**
 * What the hub signs its own tokens with: its private key (KAWAL_SIGNING_KEY_FILE) when set, else the HS256
 * secret. A hub that has neither (a public key only, or only an external provider's KAWAL_JWKS_URL) signs
 * nothing: `unavailable` says why and what the operator sets instead.
 */
export function hubTokenKey(config: Pick<HubConfig, "signingKey" | "jwtSecret">): { key: TokenKey } | { unavailable: string } {
  if (config.signingKey?.privateKey) return { key: config.signingKey };
  if (config.jwtSecret && !config.signingKey) return { key: config.jwtSecret };
  return {
    unavailable: config.signingKey
      ? `KAWAL_SIGNING_KEY_FILE (${config.signingKey.file}) holds only a public key: signing needs the private key`
      : "the hub accepts only an external identity provider's tokens (KAWAL_JWKS_URL): sign in there; to sign here, the operator sets KAWAL_SIGNING_KEY_FILE or KAWAL_JWT_SECRET",
  };
}
