import { EntityManager, In, LessThan, MoreThanOrEqual } from "typeorm";
import type { Storage } from "../kit/storage";
import { sha256 } from "./credentials";
import { SignInFailureCount } from "./entities";

/*
 * Repeated sign-in failures are slowed down, never locked out: a stranger who knows an officer's login name
 * must not be able to keep her out on election day. Failures are counted per login name and per client
 * address; each count lets a few failures through at full speed, then delays the next attempt by a second,
 * doubling with every further failure up to a ceiling. A success clears its login name's count; a count is
 * forgotten when no failure came for `forgetMs`.
 */

export interface ThrottleRule {
  /** Failures answered without delay. */
  free: number;
  /** Delay after the first failure beyond `free`, in ms; it doubles with each further failure. */
  firstDelayMs: number;
  /** The longest delay, in ms. */
  maxDelayMs: number;
}

export interface ThrottleOptions {
  perLogin: ThrottleRule;
  perAddress: ThrottleRule;
  /** A count is forgotten this long after its last failure. */
  forgetMs: number;
}

/** 3 free failures per login name, 20 per client address; then 1 s doubling up to 30 s; forgotten after 15 min. */
export const DEFAULT_THROTTLE: ThrottleOptions = {
  perLogin: { free: 3, firstDelayMs: 1000, maxDelayMs: 30_000 },
  perAddress: { free: 20, firstDelayMs: 1000, maxDelayMs: 30_000 },
  forgetMs: 15 * 60_000,
};

/** The delay before the attempt that follows `failures` failures under `rule`. */
export function delayAfter(failures: number, rule: ThrottleRule): number {
  const beyond = failures - rule.free;
  if (beyond <= 0) return 0;
  return Math.min(rule.maxDelayMs, rule.firstDelayMs * 2 ** Math.min(beyond - 1, 30));
}

/**
 * The key a count is kept under, for a login name (as typed, folded) or a client address: hashed, because what
 * someone typed as a login name may be a password.
 */
const loginKey = (loginName: string) => sha256(`login:${loginName}`);
const addressKey = (address: string) => sha256(`address:${address}`);

/**
 * The counts live in the identity database, so every replica of the subgraph slows down the attempts all of
 * them saw: behind a load balancer, N replicas must not give a guesser N times the free attempts.
 */
export class SignInThrottle {
  constructor(
    private readonly storage: Storage,
    readonly options: ThrottleOptions = DEFAULT_THROTTLE,
  ) {}

  /** How long the next attempt for this login name from this address must wait, in ms. */
  async delayFor(loginName: string, address: string | undefined): Promise<number> {
    const keys = address ? [loginKey(loginName), addressKey(address)] : [loginKey(loginName)];
    const since = new Date(Date.now() - this.options.forgetMs).toISOString();
    const rows = await this.storage.reader.getRepository(SignInFailureCount).findBy({ throttleKey: In(keys), lastFailureAt: MoreThanOrEqual(since) });
    const failures = (key: string) => rows.find((row) => row.throttleKey === key)?.failures ?? 0;
    const byLogin = delayAfter(failures(loginKey(loginName)), this.options.perLogin);
    const byAddress = address ? delayAfter(failures(addressKey(address)), this.options.perAddress) : 0;
    return Math.max(byLogin, byAddress);
  }

  /**
   * Counts a failure, in the caller's transaction (the one that audits it). One statement per key, atomic on
   * both engines, so two replicas counting at once lose no failure; a count older than `forgetMs` starts again.
   */
  async failed(manager: EntityManager, loginName: string, address: string | undefined): Promise<void> {
    const now = new Date().toISOString();
    const since = new Date(Date.now() - this.options.forgetMs).toISOString();
    const sqlite = manager.connection.options.type === "better-sqlite3";
    const upsert = sqlite
      ? "INSERT INTO sign_in_failures (throttleKey, failures, lastFailureAt) VALUES (?, 1, ?) ON CONFLICT(throttleKey) DO UPDATE SET failures = CASE WHEN lastFailureAt < ? THEN 1 ELSE failures + 1 END, lastFailureAt = excluded.lastFailureAt"
      : "INSERT INTO sign_in_failures (throttleKey, failures, lastFailureAt) VALUES (?, 1, ?) ON DUPLICATE KEY UPDATE failures = IF(lastFailureAt < ?, 1, failures + 1), lastFailureAt = VALUES(lastFailureAt)";
    for (const key of address ? [loginKey(loginName), addressKey(address)] : [loginKey(loginName)]) await manager.query(upsert, [key, now, since]);
    // Forgotten counts go as new failures come, so the table holds what the last `forgetMs` saw.
    await manager.getRepository(SignInFailureCount).delete({ lastFailureAt: LessThan(since) });
  }

  /** A success clears its login name's count (not its address's: one right password does not vouch for the rest). */
  async succeeded(loginName: string): Promise<void> {
    await this.storage.write((manager) => manager.getRepository(SignInFailureCount).delete({ throttleKey: loginKey(loginName) }));
  }
}
