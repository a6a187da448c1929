import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { alertSubscriptionPolicy } from "../../gateway/subscriptions/alert-access";
import { officer, prepared } from "../support/subscription-policies";

describe("the gateway's alert policy: who may subscribe to live alerts", () => {
  const alerts = prepared();

  test("an agency may", () => {
    assert.equal(alertSubscriptionPolicy(officer(), alerts), null);
  });

  test("an integrator with subscribe:alerts may; one without is told which scope it lacks", () => {
    assert.equal(alertSubscriptionPolicy(officer({ role: "INTEGRATOR", scopes: ["subscribe:alerts"] }), alerts), null);
    const refusal = alertSubscriptionPolicy(officer({ role: "INTEGRATOR", scopes: ["read:incidents"] }), alerts);
    assert.equal(refusal?.extensions.code, "FORBIDDEN");
    assert.equal(refusal?.message, "Subscription.incidentAlerts is for AGENCY or INTEGRATOR with scope subscribe:alerts; your token is INTEGRATOR without subscribe:alerts");
  });

  test("an ormas volunteer may not", () => {
    const refusal = alertSubscriptionPolicy(officer({ role: "ORMAS" }), alerts);
    assert.equal(refusal?.extensions.code, "FORBIDDEN");
    assert.match(refusal!.message, /your token is ORMAS$/);
  });

  test("the public is told to sign in, and how", () => {
    const refusal = alertSubscriptionPolicy(null, alerts);
    assert.equal(refusal?.extensions.code, "UNAUTHENTICATED");
    assert.match(refusal!.message, /needs a bearer token \(AGENCY or INTEGRATOR with scope subscribe:alerts\)/);
  });

  test("queries and mutations over the socket are left to the HTTP gateway's own rules", () => {
    assert.equal(alertSubscriptionPolicy(null, prepared('{ region(code: "19.06") }')), null);
  });
});
