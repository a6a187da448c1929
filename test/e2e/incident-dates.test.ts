import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, backends, ormasOf, startTestHub, TestHub } from "../support/hub";
import { fileReport, hoaxReport } from "../support/reports";

/*
 * Bawaslu Belitung Timur looks at what happened on one day (22 November, WIB): the incident list's `from` and `to`
 * keep the reports whose occurredAt lies between them, both ends included, whatever time zone the filter is written in.
 */

type Errors = Array<{ message: string; extensions?: Record<string, unknown> }> | undefined;

const LIST = `query ($filter: IncidentFilter) { incidentReports(filter: $filter, first: 100) { totalCount edges { node { id occurredAt } } } }`;

/** 22 November 2024 in Belitung Timur's time (WIB, UTC+7), from its first to its last second. */
const DAY = { from: "2024-11-22T00:00:00+07:00", to: "2024-11-22T23:59:59+07:00" };

describe("an agency filters incident reports by when they happened", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      let hub: TestHub;
      let ids: DemoIds;
      const filed: Record<string, string> = {};

      async function list(filter: Record<string, unknown>) {
        const { data, errors } = await hub.query<{ incidentReports: { totalCount: number; edges: Array<{ node: { id: string } }> } }>(LIST, { filter }, agencyOf(ids.org.bawaslu));
        return { ids: data?.incidentReports.edges.map((edge) => edge.node.id).sort() ?? [], totalCount: data?.incidentReports.totalCount, errors: errors as Errors };
      }

      before(async () => {
        hub = await startTestHub(backend, { KAWAL_RATE_LIMIT_MUTATIONS: "0" });
        ids = await loadDemoStory(hub);
        const reports: Array<[string, string, string]> = [
          ["dayBefore", "2024-11-21T23:59:59+07:00", "19.06.01"],
          ["firstSecond", "2024-11-22T00:00:00+07:00", "19.06.01"],
          ["noon", "2024-11-22T12:30:00+07:00", "19.06.02"],
          ["lastSecond", "2024-11-22T23:59:59+07:00", "19.06.01"],
          ["dayAfter", "2024-11-23T00:00:00+07:00", "19.06.02"],
        ];
        for (const [name, occurredAt, regionCode] of reports) {
          const result = await fileReport(hub, ormasOf(ids.org.pemuda), hoaxReport(`Hoaks tanggal ${name}`, { occurredAt, regionCode }));
          assert.ok(result.id, result.code);
          filed[name] = result.id;
        }
      });
      after(() => hub.dispose());

      test("Bawaslu filters Belitung Timur's reports to 22 November and gets exactly that day's, both ends included", async () => {
        const day = await list({ regionCode: "19.06", ...DAY });
        assert.equal(day.errors, undefined, JSON.stringify(day.errors));
        assert.deepEqual(day.ids, [filed.firstSecond, filed.noon, filed.lastSecond].sort());
        assert.equal(day.totalCount, 3);
      });

      test("the same day written in UTC (with the basic offset form) gives the same reports", async () => {
        const day = await list({ regionCode: "19.06", from: "2024-11-21T17:00:00+0000", to: "2024-11-22T16:59:59Z" });
        assert.deepEqual(day.ids, [filed.firstSecond, filed.noon, filed.lastSecond].sort());
      });

      test("from alone keeps what happened at or after it; to alone what happened at or before it", async () => {
        const fromLast = await list({ regionCode: "19.06", from: DAY.to });
        assert.ok(fromLast.ids.includes(filed.lastSecond) && fromLast.ids.includes(filed.dayAfter));
        assert.ok(!fromLast.ids.includes(filed.noon));
        const toFirst = await list({ regionCode: "19.06", to: DAY.from });
        assert.ok(toFirst.ids.includes(filed.firstSecond) && toFirst.ids.includes(filed.dayBefore));
        assert.ok(!toFirst.ids.includes(filed.noon));
      });

      test("a from that is not an ISO date-time with a time zone is refused, naming filter.from and the rule", async () => {
        const { errors } = await list({ regionCode: "19.06", from: "22-11-2024" });
        assert.equal(errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
        assert.equal(errors?.[0]?.extensions?.field, "filter.from");
        assert.match(String(errors?.[0]?.extensions?.rule), /^must be an ISO 8601 date-time with a time zone/);
      });

      test("a to before from is refused, naming filter.to", async () => {
        const { errors } = await list({ from: DAY.to, to: DAY.from });
        assert.equal(errors?.[0]?.extensions?.field, "filter.to");
        assert.match(String(errors?.[0]?.extensions?.rule), /^must not be before filter\.from/);
      });
    });
  }
});
