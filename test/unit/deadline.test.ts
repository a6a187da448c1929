import assert from "node:assert/strict";
import { test } from "node:test";
import { reportingDeadline } from "../../subgraphs/incidents/deadline";

test("a report must reach Bawaslu within 7 days of the violation (UU 10/2016)", () => {
  assert.equal(reportingDeadline("2024-11-10T13:15:00.000Z"), "2024-11-17T13:15:00.000Z");
});

test("the deadline crosses month ends and voting day", () => {
  assert.equal(reportingDeadline("2024-11-27T01:00:00.000Z"), "2024-12-04T01:00:00.000Z");
  assert.equal(reportingDeadline("2024-02-25T00:00:00.000Z"), "2024-03-03T00:00:00.000Z", "2024 is a leap year");
});
