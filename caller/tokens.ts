import { SignJWT } from "jose";
import { Caller, claimsOf } from "./claims";

/**
 * Signs an HS256 token for a caller: the format the gateway verifies (gateway/auth.ts). The identity subgraph
 * signs access tokens with it, the launcher demo and `npm run token` tokens, tests theirs. `expiresIn` like
 * "12h", or a number of seconds from now.
 */
export async function signToken(secret: string, caller: Caller, expiresIn: string | number = "12h"): Promise<string> {
  return new SignJWT(claimsOf(caller))
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime(typeof expiresIn === "number" ? Math.floor(Date.now() / 1000) + expiresIn : expiresIn)
    .sign(new TextEncoder().encode(secret));
}
