import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createBackpressure, TOO_SLOW } from "../../gateway/subscriptions/policies/backpressure";
import { FakeOutlet } from "../support/subscription-policies";

describe("subscription policy: backpressure", () => {
  test("a client up to the limit of unsent bytes gets the frame", () => {
    const backpressure = createBackpressure({ maxBufferedBytes: 1000 });
    const outlet = new FakeOutlet(1000);
    assert.equal(backpressure.admit(outlet), true);
    assert.deepEqual(outlet.shedReasons, []);
  });

  test("a client past the limit is shed, told to resume with after, and gets no frame", () => {
    const backpressure = createBackpressure({ maxBufferedBytes: 1000 });
    const outlet = new FakeOutlet(1001);
    assert.equal(backpressure.admit(outlet), false);
    assert.deepEqual(outlet.shedReasons, [TOO_SLOW]);
    assert.match(TOO_SLOW, /reconnect and subscribe with after/);
  });

  test("the default limit is 8 MiB", () => {
    const backpressure = createBackpressure();
    assert.equal(backpressure.admit(new FakeOutlet(8 * 1024 * 1024)), true);
    assert.equal(backpressure.admit(new FakeOutlet(8 * 1024 * 1024 + 1)), false);
  });
});
