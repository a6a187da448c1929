import { calculateJwkThumbprint, exportJWK, JWK, SignJWT } from "jose";
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
