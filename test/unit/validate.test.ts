import assert from "node:assert/strict";
import { test } from "node:test";
import { httpUrl, isoDate, isoDateTime, regionCode, regionInScope, requiredText } from "../../subgraphs/kit/validate";
import { regionWithin } from "../../caller/access";
import { findRegion, regionCatalog } from "../../subgraphs/kit/regions";

const rule = (field: string, pattern: RegExp) => (error: Error & { extensions?: Record<string, unknown> }) =>
  error.extensions?.code === "BAD_USER_INPUT" && error.extensions.field === field && pattern.test(error.message);

test("the region list has every province, regency, district and village of idn-area-data", () => {
  const levels = new Map<string, number>();
  for (const region of regionCatalog().values()) levels.set(region.level, (levels.get(region.level) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(levels), { PROVINCE: 38, REGENCY: 514, DISTRICT: 7277, VILLAGE: 83763 });
  assert.deepEqual(findRegion("19.06"), { code: "19.06", name: "Kabupaten Belitung Timur", level: "REGENCY", parentCode: "19" });
  assert.equal(findRegion("19")?.name, "Kepulauan Bangka Belitung");
  assert.equal(findRegion("19.06.01")?.name, "Manggar");
});

test("region prefixes cover their children only", () => {
  assert.ok(regionWithin("19.06.01", ["19.06"]));
  assert.ok(regionWithin("19.06", ["19"]));
  assert.ok(!regionWithin("19.061", ["19.06"]));
  assert.ok(!regionWithin("19.05.01", ["19.06"]));
});

test("region codes must exist and lie in the caller's regions", () => {
  assert.equal(regionCode("input.regionCode", " 19.06.01 "), "19.06.01");
  assert.throws(() => regionCode("input.regionCode", "19.99"), rule("input.regionCode", /existing region code/));
  assert.throws(() => regionCode("input.regionCode", "19.99"), (error: Error) => !/did you mean/.test(error.message), "no guess when nothing is close");
  const caller = { sub: "x", role: "ORMAS" as const, org: "1", regions: ["19.06"], scopes: [] };
  assert.throws(
    () => regionInScope("input.regionCode", "19.05", caller),
    (error: Error & { extensions?: Record<string, unknown> }) =>
      error.extensions?.code === "FORBIDDEN" && error.extensions.field === "input.regionCode" && /inside your regions \(19.06\)/.test(error.message),
  );
});

test("text is trimmed, required and bounded", () => {
  assert.equal(requiredText("input.title", "  Deklarasi  "), "Deklarasi");
  assert.throws(() => requiredText("input.title", "   "), rule("input.title", /must not be empty/));
  assert.throws(() => requiredText("input.title", "x".repeat(201)), rule("input.title", /at most 200/));
});

test("dates and date-times are ISO 8601, with a time zone for date-times", () => {
  assert.equal(isoDate("votingDay", "2024-11-27"), "2024-11-27");
  assert.throws(() => isoDate("votingDay", "2024-02-30"), rule("votingDay", /YYYY-MM-DD/));
  assert.equal(isoDateTime("input.occurredAt", "2024-11-10T20:15:00+07:00"), "2024-11-10T13:15:00.000Z");
  assert.throws(() => isoDateTime("input.occurredAt", "2024-11-10 20:15"), rule("input.occurredAt", /time zone/));
  assert.throws(() => isoDateTime("input.occurredAt", "yesterday"), rule("input.occurredAt", /ISO 8601/));
});

test("a region code close to a real one gets the real one suggested", () => {
  assert.throws(() => regionCode("input.regionCode", "19.06.1"), rule("input.regionCode", /no region "19\.06\.1"; did you mean 19\.06\.01\?/));
  assert.throws(() => regionCode("input.regionCode", "19-6-1"), rule("input.regionCode", /did you mean 19\.06\.01\?/));
  assert.throws(() => regionCode("input.regionCode", "190601"), rule("input.regionCode", /did you mean 19\.06\.01\?/));
  assert.throws(() => regionCode("input.regionCode", "19.6.1.1"), rule("input.regionCode", /no region "19\.6\.1\.1"\)$/), "19.06.01.0001 does not exist either: no guess");
});

test("times accept the basic offset form as well as the extended one", () => {
  assert.equal(isoDateTime("input.occurredAt", "2024-11-10T20:15:00+0700"), "2024-11-10T13:15:00.000Z");
  assert.equal(isoDateTime("input.occurredAt", "2024-11-10T20:15+0900"), "2024-11-10T11:15:00.000Z");
  assert.throws(() => isoDateTime("input.occurredAt", "2024-11-10T20:15:00+07"), rule("input.occurredAt", /ISO 8601/));
});

test("only http and https links are accepted", () => {
  assert.equal(httpUrl("input.url", "https://www.tiktok.com/@x/video/1"), "https://www.tiktok.com/@x/video/1");
  assert.equal(httpUrl("input.url", ""), null);
  assert.throws(() => httpUrl("input.url", "javascript:alert(1)"), rule("input.url", /http or https/));
  assert.throws(() => httpUrl("input.url", "not a url"), rule("input.url", /http or https/));
});
