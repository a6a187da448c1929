import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, mock, test } from "node:test";
import { tokenExpired, watchExpiry } from "../../gateway/subscriptions/policies/expiry";

describe("subscription policy: token expiry", () => {
  const NOW = 1_700_000_000_000;
  const inSeconds = (seconds: number) => NOW / 1000 + seconds;
  beforeEach(() => mock.timers.enable({ apis: ["setTimeout", "Date"], now: NOW }));
  afterEach(() => mock.timers.reset());

  test("fires once, when exp passes, and not before", () => {
    let fired = 0;
    const watch = watchExpiry(inSeconds(60), () => fired++);
    mock.timers.tick(59_999);
    assert.equal(fired, 0);
    assert.equal(watch.expired, false);
    mock.timers.tick(1);
    assert.equal(fired, 1);
    assert.equal(watch.expired, true);
    mock.timers.tick(120_000);
    assert.equal(fired, 1);
  });

  test("a token valid for longer than setTimeout can wait (24.8 days) still expires on time", () => {
    let fired = 0;
    const days = 30;
    watchExpiry(inSeconds(days * 86_400), () => fired++);
    mock.timers.tick(2 ** 31 - 1);
    assert.equal(fired, 0, "not when the first timer runs out");
    mock.timers.tick(days * 86_400_000 - (2 ** 31 - 1) - 1);
    assert.equal(fired, 0);
    mock.timers.tick(1);
    assert.equal(fired, 1);
  });

  test("no exp, no expiry; dispose stops the watch", () => {
    let fired = 0;
    const never = watchExpiry(undefined, () => fired++);
    const closed = watchExpiry(inSeconds(1), () => fired++);
    closed.dispose();
    closed.dispose();
    mock.timers.tick(10_000);
    assert.equal(fired, 0);
    assert.equal(never.expired, false);
    assert.equal(closed.expired, false);
  });

  test("the error says the token expired, and what to do", () => {
    const error = tokenExpired();
    assert.deepEqual(error.extensions, { code: "UNAUTHENTICATED", reason: "TOKEN_EXPIRED", i18n: { key: "subscription.tokenExpired" } });
    assert.match(error.message, /token has expired; sign in again, reconnect, and subscribe with `after`/);
  });
});

describe("subscription policy: token expiry on the real clock", () => {
  test("a token valid for 30 days does not expire at once (setTimeout alone would overflow and fire after 1 ms)", async () => {
    let fired = 0;
    const watch = watchExpiry(Date.now() / 1000 + 30 * 86_400, () => fired++);
    await new Promise((resolve) => setTimeout(resolve, 20));
    watch.dispose();
    assert.equal(fired, 0);
  });
});
