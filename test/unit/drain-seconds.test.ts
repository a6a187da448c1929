import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../../platform/config";

test("a stopping process drains for 8 s unless KAWAL_DRAIN_SECONDS says otherwise, under Docker's 10 s grace period", () => {
  assert.equal(loadConfig({}).drainSeconds, 8);
  assert.equal(loadConfig({ KAWAL_DRAIN_SECONDS: "25" }).drainSeconds, 25);
  assert.equal(loadConfig({ KAWAL_DRAIN_SECONDS: "0" }).drainSeconds, 0, "0 stops at once");
});

test("a bad KAWAL_DRAIN_SECONDS stops start-up with one line naming it and the rule", () => {
  assert.throws(() => loadConfig({ KAWAL_DRAIN_SECONDS: "8s" }), /^ConfigError: KAWAL_DRAIN_SECONDS: must be a whole number from 0 to 300 \(got "8s"\)$/);
  assert.throws(() => loadConfig({ KAWAL_DRAIN_SECONDS: "-1" }), /KAWAL_DRAIN_SECONDS/);
  assert.throws(() => loadConfig({ KAWAL_DRAIN_SECONDS: "3600" }), /KAWAL_DRAIN_SECONDS/);
});
