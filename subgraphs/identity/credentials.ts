import crypto from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import { badInput } from "../../platform/errors";
import { isCommonPassword } from "./common-passwords";
import { message } from "../../platform/i18n";

/*
 * Login names, passwords and tokens: the secrets of the identity subgraph. Passwords are hashed with argon2id
 * (@node-rs/argon2, prebuilt binaries from its npm packages; OWASP's parameters: 19 MiB, 2 passes); refresh
 * tokens are random and stored as their SHA-256 (they are long and random, so a fast hash is enough).
 */

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

/**
 * An e-mail address (trimmed, lower case) or an Indonesian phone number in +62 form ("0812-3456 7890",
 * "62812..." and "+62 812..." are all "+628123..."). Anything else is refused, naming the field.
 */
export function loginName(field: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed.includes("@")) {
    const email = trimmed.toLowerCase();
    if (email.length > 254 || !EMAIL.test(email)) throw badInput(field, message("rule.emailOrPhone"));
    return email;
  }
  const digits = trimmed.replace(/[\s().-]/g, "");
  const match = /^(?:\+62|62|0)(8\d{7,12})$/.exec(digits);
  if (!match) throw badInput(field, message("rule.emailOrPhone"));
  return `+62${match[1]}`;
}

/** The login name as typed at sign-in, normalized, or null when it cannot be one (the answer stays the same). */
export function loginNameOrNull(value: string): string | null {
  try {
    return loginName("loginName", value);
  } catch {
    return null;
  }
}

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

/** Refuses a password shorter than 10 characters or among the common passwords. */
export function checkPasswordRules(field: string, password: string, loginName?: string): string {
  if ([...password].length < MIN_PASSWORD_LENGTH) throw badInput(field, message("rule.minLength", { min: MIN_PASSWORD_LENGTH }));
  if (password.length > MAX_PASSWORD_LENGTH) throw badInput(field, message("rule.maxLength", { max: MAX_PASSWORD_LENGTH }));
  if (isCommonPassword(password, loginName ? [loginName] : [])) {
    throw badInput(field, message("rule.passwordGuessable"));
  }
  return password;
}

const ARGON2ID = 2; // @node-rs/argon2's Algorithm.Argon2id (a const enum, which isolated builds cannot inline)
const HASH_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, HASH_OPTIONS);
}

/** A hash of no password anyone has: verified against when the login name is unknown, so both take as long. */
let decoy: Promise<string> | undefined;

/** True when `password` matches `passwordHash`; with no hash, spends the same time and answers false. */
export async function passwordMatches(passwordHash: string | null, password: string): Promise<boolean> {
  decoy ??= hashPassword(crypto.randomBytes(24).toString("base64url"));
  const against = passwordHash ?? (await decoy);
  try {
    return (await verify(against, password)) && passwordHash !== null;
  } catch {
    return false;
  }
}

/** A password for an administrator to hand over once: 20 characters from 32 unambiguous ones (100 bits). */
export function oneTimePassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789AB";
  const bytes = crypto.randomBytes(20);
  const chars = [...bytes].map((byte) => alphabet[byte % 32]);
  return [0, 5, 10, 15].map((at) => chars.slice(at, at + 5).join("")).join("-");
}

/** A new refresh token: 32 random bytes, base64url. */
export function newRefreshToken(): string {
  return crypto.randomBytes(32).toString("base64url");
}

export function sha256(value: string): string {
  return crypto.createHash("sha256").update(value).digest("hex");
}

/** A partner app's client id: "kdc_" and 12 random bytes in hex (not a secret; unique, unguessable all the same). */
export function newClientId(): string {
  return `kdc_${crypto.randomBytes(12).toString("hex")}`;
}

/**
 * A partner app's client secret: "kds_" and 32 random bytes (256 bits), base64url. It is stored as its SHA-256,
 * not with argon2id: argon2id's cost protects secrets people choose, which can be guessed from a list; nobody
 * can enumerate 2^256 random secrets whatever the hash costs, so a fast hash loses nothing and keeps the token
 * endpoint cheap. The prefix lets secret scanners recognize a leaked one.
 */
export function newClientSecret(): string {
  return `kds_${crypto.randomBytes(32).toString("base64url")}`;
}

/** Two hex digests compared in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && left.length > 0 && crypto.timingSafeEqual(left, right);
}
