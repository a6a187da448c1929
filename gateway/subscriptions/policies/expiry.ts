/**
 * A connection acts no longer than the token that opened it: when the token's `exp` passes, its
 * subscriptions end with `tokenExpired()` and every later operation on it is refused the same way, so the
 * client signs in again, reconnects and resumes with `after`.
 */
import type { GraphQLError } from "graphql";
import { describedError } from "../../../platform/errors";
import { message } from "../../../platform/i18n";

/** setTimeout overflows above 2^31-1 ms (24.8 days): a longer wait re-arms until the rest fits. */
const MAX_TIMEOUT = 2 ** 31 - 1;

export interface ExpiryWatch {
  /** True once `exp` has passed. */
  readonly expired: boolean;
  /** Stops watching (the connection closed); idempotent. */
  dispose(): void;
}

/** The error of a subscription ended, or an operation refused, because the token expired. */
export function tokenExpired(): GraphQLError {
  return describedError(message("subscription.tokenExpired"), { code: "UNAUTHENTICATED", reason: "TOKEN_EXPIRED" });
}

/**
 * Calls `onExpire` once, when `exp` (seconds since the epoch, a JWT's claim) passes; with no `exp`, never.
 * The timer does not keep the process alive: the connection does while it matters.
 */
export function watchExpiry(exp: number | undefined, onExpire: () => void): ExpiryWatch {
  let expired = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (deadline: number) => {
    const remaining = deadline - Date.now();
    timer = setTimeout(
      () => {
        if (remaining > MAX_TIMEOUT) return arm(deadline);
        timer = undefined;
        expired = true;
        onExpire();
      },
      Math.max(0, Math.min(remaining, MAX_TIMEOUT)),
    );
    timer.unref?.();
  };
  if (exp !== undefined) arm(exp * 1000);
  return {
    get expired() {
      return expired;
    },
    dispose() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
