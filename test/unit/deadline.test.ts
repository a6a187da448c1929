import assert from "node:assert/strict";
import { test } from "node:test";
import { deadlineAfter, handlingDeadline, inLocalTime, reportingDeadline, timeZoneOf } from "../../subgraphs/incidents/deadline";

/** The deadline as the API shows it: local time with the region's offset. */
const shown = (instant: string, region: string) => inLocalTime(instant, region);

test("a report discovered in Manggar (WIB) must reach Bawaslu by the end of the 7th day after", () => {
  const due = reportingDeadline("2024-11-20T13:00:00.000Z", "19.06.01"); // 20:00 WIB on 20 November
  assert.equal(due, "2024-11-27T16:59:59.000Z");
  assert.equal(shown(due, "19.06.01"), "2024-11-27T23:59:59+07:00");
});

test("the starting day is the local one: 23:59 and 00:00 WIB fall on different days", () => {
  assert.equal(shown(reportingDeadline("2024-11-20T16:59:00.000Z", "19.06"), "19.06"), "2024-11-27T23:59:59+07:00", "23:59 WIB on the 20th");
  assert.equal(shown(reportingDeadline("2024-11-20T17:00:00.000Z", "19.06"), "19.06"), "2024-11-28T23:59:59+07:00", "00:00 WIB on the 21st");
});

test("deadlines cross month ends, leap days and year ends", () => {
  assert.equal(shown(reportingDeadline("2024-11-27T01:00:00.000Z", "19"), "19"), "2024-12-04T23:59:59+07:00");
  assert.equal(shown(reportingDeadline("2024-02-25T00:00:00.000Z", "19"), "19"), "2024-03-03T23:59:59+07:00", "2024 is a leap year");
  assert.equal(shown(reportingDeadline("2024-12-28T05:00:00.000Z", "19"), "19"), "2025-01-04T23:59:59+07:00");
  assert.equal(shown(handlingDeadline("2024-12-30T05:00:00.000Z", false, "19"), "19"), "2025-01-02T23:59:59+07:00");
});

test("each region counts in its own zone: WIB Java and Sumatra, WITA Bali and Sulawesi, WIT Maluku and Papua", () => {
  assert.deepEqual([timeZoneOf("31").name, timeZoneOf("61.01").name, timeZoneOf("51").name, timeZoneOf("73.71").name, timeZoneOf("64").name], ["WIB", "WIB", "WITA", "WITA", "WITA"]);
  assert.deepEqual([timeZoneOf("81").name, timeZoneOf("91").name, timeZoneOf("96").name], ["WIT", "WIT", "WIT"]);
  // 16:30 UTC on 20 November is 23:30 WIB (the 20th), 00:30 WITA and 01:30 WIT (the 21st).
  const start = "2024-11-20T16:30:00.000Z";
  assert.equal(shown(deadlineAfter(start, 7, "32"), "32"), "2024-11-27T23:59:59+07:00");
  assert.equal(shown(deadlineAfter(start, 7, "51"), "51"), "2024-11-28T23:59:59+08:00");
  assert.equal(deadlineAfter(start, 7, "51"), "2024-11-28T15:59:59.000Z");
  assert.equal(shown(deadlineAfter(start, 7, "94"), "94"), "2024-11-28T23:59:59+09:00");
  assert.equal(deadlineAfter(start, 7, "94"), "2024-11-28T14:59:59.000Z");
});

test("Bawaslu has 3 days to handle a report, 5 with its one extension", () => {
  assert.equal(shown(handlingDeadline("2024-11-21T02:00:00.000Z", false, "19.06"), "19.06"), "2024-11-24T23:59:59+07:00");
  assert.equal(shown(handlingDeadline("2024-11-21T02:00:00.000Z", true, "19.06"), "19.06"), "2024-11-26T23:59:59+07:00");
});
