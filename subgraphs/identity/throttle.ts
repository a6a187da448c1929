import { LRUCache } from "lru-cache";

/*
 * Repeated sign-in failures are slowed down, never locked out: a stranger who knows an officer's login name
 * must not be able to keep her out on election day. Failures are counted per login name and per client
 * address; each count lets a few failures through at full speed, then delays the next attempt by a second,
 * doubling with every further failure up to a ceiling. A success clears its login name's count; a count is
 * forgotten when no failure came for `forgetMs`. The counts live in the instance (with several replicas of
 * the identity subgraph, each slows down the attempts it sees).
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
  /** Counts kept at most per kind (the oldest go first). */
  limit: number;
}

/** 3 free failures per login name, 20 per client address; then 1 s doubling up to 30 s; forgotten after 15 min. */
export const DEFAULT_THROTTLE: ThrottleOptions = {
  perLogin: { free: 3, firstDelayMs: 1000, maxDelayMs: 30_000 },
  perAddress: { free: 20, firstDelayMs: 1000, maxDelayMs: 30_000 },
  forgetMs: 15 * 60_000,
  limit: 100_000,
};

/** The delay before the attempt that follows `failures` failures under `rule`. */
export function delayAfter(failures: number, rule: ThrottleRule): number {
  const beyond = failures - rule.free;
  if (beyond <= 0) return 0;
  return Math.min(rule.maxDelayMs, rule.firstDelayMs * 2 ** Math.min(beyond - 1, 30));
}

export class SignInThrottle {
  private readonly logins: LRUCache<string, number>;
  private readonly addresses: LRUCache<string, number>;

  constructor(readonly options: ThrottleOptions = DEFAULT_THROTTLE) {
    const cache = () => new LRUCache<string, number>({ max: options.limit, ttl: options.forgetMs });
    this.logins = cache();
    this.addresses = cache();
  }

  /** How long the next attempt for this login name from this address must wait, in ms. */
  delayFor(loginName: string, address: string | undefined): number {
    const byLogin = delayAfter(this.logins.get(loginName) ?? 0, this.options.perLogin);
    const byAddress = address ? delayAfter(this.addresses.get(address) ?? 0, this.options.perAddress) : 0;
    return Math.max(byLogin, byAddress);
  }

  failed(loginName: string, address: string | undefined): void {
    this.logins.set(loginName, (this.logins.get(loginName) ?? 0) + 1);
    if (address) this.addresses.set(address, (this.addresses.get(address) ?? 0) + 1);
  }

  succeeded(loginName: string): void {
    this.logins.delete(loginName);
  }
}
