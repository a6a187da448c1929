import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parse } from "csv-parse/sync";
import type { Caller } from "../../caller/claims";
import { AuditEvent, AuditKind } from "../../subgraphs/identity/entities";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, integrator, ormasOf, startTestHub, TestHub } from "../support/hub";
import { fileReport, hoaxReport } from "../support/reports";

/*
 * The incident list as CSV (GET /export/incidents.csv): an agency officer downloads what the API shows it, with the
 * same filter; the reporter column is filled only where the whistleblower rule lets the caller see who reported, and
 * each delivered reporter is audited; an ormas sees its own reporter only; the public and integrators without
 * read:incidents are refused as by the API; a bad parameter is a 400 that names it.
 */

interface Download {
  status: number;
  type: string | null;
  /** The body as sent, byte-order mark included (`Response.text()` would drop it). */
  text: string;
  rows: Array<Record<string, string>>;
}

describe("an agency exports the incident list as CSV", () => {
  let hub: TestHub;
  let ids: DemoIds;
  const filed: Record<string, string> = {};

  const download = async (query: string, caller: Caller | null): Promise<Download> => {
    const exportUrl = new URL(`/export/incidents.csv${query}`, hub.url);
    const response = await fetch(exportUrl, { headers: caller ? { authorization: `Bearer ${await hub.token(caller)}` } : {} });
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await response.arrayBuffer());
    const rows = response.status === 200 ? (parse(text, { columns: true, bom: true }) as Array<Record<string, string>>) : [];
    return { status: response.status, type: response.headers.get("content-type"), text, rows };
  };
  const deliveries = async (subject: string) => (await hub.hub.subgraphs.identity.db.getRepository(AuditEvent).findBy({ kind: AuditKind.REPORTER_DELIVERED, subject })).length;

  before(async () => {
    hub = await startTestHub("sqlite");
    ids = await loadDemoStory(hub);
    const reports: Array<[string, Caller, Record<string, unknown>]> = [
      ["hoax", ormasOf(ids.org.pemuda), hoaxReport('Hoaks "TPS dipindah", kata pesan berantai')],
      ["formula", ormasOf(ids.org.pemuda), hoaxReport('=HYPERLINK("http://contoh.invalid","klik")')],
      ["money", ormasOf(ids.org.gantung), hoaxReport("Amplop di Gantung", { category: "MONEY_POLITICS", channel: "PUBLIC_SPACE", platform: undefined, description: "Pembagian amplop,\nmalam hari." })],
      ["dated", ormasOf(ids.org.gantung), hoaxReport("Hoaks pada 22 November", { occurredAt: "2024-11-22T10:00:00+07:00" })],
    ];
    for (const [key, caller, input] of reports) {
      const result = await fileReport(hub, caller, input);
      assert.ok(result.id, result.code);
      filed[key] = result.id;
    }
  });
  after(() => hub.dispose());

  test("an officer of Belitung Timur downloads every report of the region, UTF-8 with a BOM, quoted where needed, reporters named and audited", async () => {
    const officer = { ...agencyOf(ids.org.bawaslu), sub: "officer-export" };
    const csv = await download("", officer);
    assert.equal(csv.status, 200, csv.text);
    assert.equal(csv.type, "text/csv; charset=utf-8");
    assert.ok(csv.text.startsWith("\uFEFFid,"), "the byte-order mark, then the header");
    const byId = new Map(csv.rows.map((row) => [row.id, row]));
    assert.equal(byId.get(filed.hoax)?.title, 'Hoaks "TPS dipindah", kata pesan berantai');
    assert.equal(byId.get(filed.money)?.description, "Pembagian amplop,\nmalam hari.");
    assert.equal(byId.get(filed.hoax)?.reporter, "Perkumpulan Pemuda Peduli Manggar");
    assert.equal(byId.get(filed.money)?.regionCode, "19.06.01");
    assert.match(byId.get(filed.money)?.reportingDeadline ?? "", /\+07:00$/, "deadlines in the region's time, as the API gives them");
    assert.equal(await deliveries("officer-export"), csv.rows.length, "each delivered reporter is audited, as for an answer of the API");
  });

  test("a title a spreadsheet would run as a formula is exported as text (a leading apostrophe)", async () => {
    const csv = await download("?regionCode=19.06.01", agencyOf(ids.org.bawaslu));
    assert.equal(csv.rows.find((row) => row.id === filed.formula)?.title, `'=HYPERLINK("http://contoh.invalid","klik")`);
  });

  test("the filter applies: category=MONEY_POLITICS leaves the hoax out", async () => {
    const csv = await download("?regionCode=19.06&category=MONEY_POLITICS", agencyOf(ids.org.bawaslu));
    assert.ok(csv.rows.some((row) => row.id === filed.money));
    assert.ok(!csv.rows.some((row) => row.id === filed.hoax));
    assert.deepEqual(new Set(csv.rows.map((row) => row.category)), new Set(["MONEY_POLITICS"]));
  });

  test("from and to keep the reports of one day, as the API's filter does", async () => {
    const day = `from=${encodeURIComponent("2024-11-22T00:00:00+07:00")}&to=${encodeURIComponent("2024-11-22T23:59:59+07:00")}`;
    const csv = await download(`?regionCode=19.06&${day}`, agencyOf(ids.org.bawaslu));
    assert.equal(csv.status, 200, csv.text);
    assert.deepEqual(csv.rows.map((row) => row.id), [filed.dated]);
    const bad = await download("?from=kemarin", agencyOf(ids.org.bawaslu));
    assert.equal(bad.status, 400, bad.text);
    assert.equal(JSON.parse(bad.text).error.parameter, "from");
    assert.match(JSON.parse(bad.text).error.message, /^from: .*must be an ISO 8601 date-time with a time zone/);
  });

  test("an ormas downloads the list with its own reporter only: the others' reporter cells are empty (whistleblower rule)", async () => {
    const csv = await download("?regionCode=19.06", ormasOf(ids.org.pemuda));
    assert.equal(csv.status, 200, csv.text);
    const byId = new Map(csv.rows.map((row) => [row.id, row]));
    assert.equal(byId.get(filed.hoax)?.reporter, "Perkumpulan Pemuda Peduli Manggar");
    assert.equal(byId.get(filed.money)?.reporter, "");
    assert.equal(byId.get(filed.money)?.title, "Amplop di Gantung", "the report itself is listed, as by the API");
  });

  test("the public and an integrator without read:incidents are refused, as by the API", async () => {
    const anonymous = await download("", null);
    assert.equal(anonymous.status, 401, anonymous.text);
    const partner = await download("", integrator(["read:organizations"]));
    assert.equal(partner.status, 403, partner.text);
  });

  test("a bad parameter is a 400 naming it, and nothing is exported", async () => {
    const officer = agencyOf(ids.org.bawaslu);
    const status = await download("?status=OPENED", officer);
    assert.equal(status.status, 400);
    assert.equal(JSON.parse(status.text).error.parameter, "status", status.text);
    const overdue = await download("?overdue=maybe", officer);
    assert.equal(JSON.parse(overdue.text).error.parameter, "overdue");
    const unknown = await download("?severity=HIGH", officer);
    assert.equal(unknown.status, 400);
    assert.match(JSON.parse(unknown.text).error.message, /severity: unknown parameter; the filter takes regionCode, category, status, minSeverity/);
  });
});
