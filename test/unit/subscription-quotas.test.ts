import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createQuotas, quotaKey } from "../../gateway/subscriptions/policies/quotas";
import { officer } from "../support/subscription-policies";
import { message } from "../../platform/i18n";

describe("subscription policy: per-caller quotas", () => {
  test("a caller holds at most maxConnectionsPerCaller connections; one released makes room again", () => {
    const quotas = createQuotas({ maxConnectionsPerCaller: 2 });
    const first = quotas.acquireConnection("sub:a");
    const second = quotas.acquireConnection("sub:a");
    assert.ok(first.ok && second.ok);
    assert.deepEqual(quotas.acquireConnection("sub:a"), { ok: false, refusal: message("subscription.tooManyConnections", { max: 2 }) });
    assert.ok(quotas.acquireConnection("sub:b").ok, "another caller has its own allowance");
    first.release();
    assert.ok(quotas.acquireConnection("sub:a").ok);
  });

  test("releasing twice gives back one connection, not two", () => {
    const quotas = createQuotas({ maxConnectionsPerCaller: 2 });
    const first = quotas.acquireConnection("sub:a");
    quotas.acquireConnection("sub:a");
    assert.ok(first.ok);
    first.release();
    first.release();
    assert.equal(quotas.usage("sub:a").connections, 1);
  });

  test("subscriptions count over all of a caller's connections; the one too many is a GraphQL error", () => {
    const quotas = createQuotas({ maxSubscriptionsPerCaller: 3 });
    const leases = [1, 2, 3].map(() => quotas.acquireSubscription("sub:a"));
    assert.ok(leases.every((lease) => lease.ok));
    const refused = quotas.acquireSubscription("sub:a");
    assert.equal(refused.ok, false);
    if (refused.ok) return;
    assert.equal(refused.refusal.message, "too many open subscriptions for this caller (at most 3): complete one first");
    assert.equal(refused.refusal.extensions.code, "TOO_MANY_SUBSCRIPTIONS");
  });

  test("the defaults are 20 connections and 50 subscriptions per caller", () => {
    const quotas = createQuotas();
    for (let n = 0; n < 20; n++) assert.ok(quotas.acquireConnection("sub:a").ok);
    assert.equal(quotas.acquireConnection("sub:a").ok, false);
    for (let n = 0; n < 50; n++) assert.ok(quotas.acquireSubscription("sub:a").ok);
    assert.equal(quotas.acquireSubscription("sub:a").ok, false);
  });

  test("a caller that holds nothing any more costs no memory", () => {
    const quotas = createQuotas();
    const connection = quotas.acquireConnection("sub:a");
    const subscription = quotas.acquireSubscription("sub:a");
    assert.ok(connection.ok && subscription.ok);
    connection.release();
    assert.equal(quotas.callers(), 1, "still holds a subscription");
    subscription.release();
    assert.equal(quotas.callers(), 0);
    assert.deepEqual(quotas.usage("sub:a"), { connections: 0, subscriptions: 0 });
  });

  test("a caller is its token subject, the public its address", () => {
    assert.equal(quotaKey(officer({ sub: "siti" }), "10.0.0.1"), "sub:siti");
    assert.equal(quotaKey(null, "10.0.0.1"), "address:10.0.0.1");
    assert.equal(quotaKey(null, undefined), "address:?");
  });
});
