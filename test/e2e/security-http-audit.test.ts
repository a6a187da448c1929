import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { auditServer, AuditResult } from "graphql-http";
import { startTestHub, TestHub } from "../support/hub";

/*
 * The graphql-http package's server audit (GraphQL over HTTP conformance) against the gateway. Apollo Server
 * answers a parse, validation or variable-coercion failure with 400 even to `accept: application/json`,
 * where the spec says SHOULD 200 (warnings 572B, FDE2, 7B9B); and CSRF prevention refuses GETs that carry no
 * preflight header, which the spec's optional GET forms then meet (notices). Neither is a MUST.
 */
const EXPECTED_WARNINGS = ["572B", "FDE2", "7B9B"];

describe("the GraphQL over HTTP audit", () => {
  let hub: TestHub;
  let results: AuditResult[];
  before(async () => {
    hub = await startTestHub();
    results = await auditServer({ url: hub.url });
  });
  after(() => hub.dispose());

  test("every MUST of the audit holds: no result at 'error'", () => {
    const errors = results.filter((result) => result.status === "error");
    assert.deepEqual(
      errors.map((result) => `${result.id} ${result.name}: ${"reason" in result ? result.reason : ""}`),
      [],
    );
    assert.ok(results.length >= 50, `${results.length} audits ran`);
  });

  test("the only warnings are the known status-code recommendations", () => {
    const warnings = results.filter((result) => result.status === "warn").map((result) => result.id);
    assert.deepEqual(warnings.sort(), [...EXPECTED_WARNINGS].sort());
  });
});
