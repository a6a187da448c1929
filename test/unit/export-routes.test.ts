import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { parse } from "csv-parse/sync";
import type { TokenVerifier } from "../../gateway/auth";
import { createExportRoutes, ExportExecutor } from "../../gateway/export-routes";

/*
 * The export is not limited to one page: it asks for the next page until the list ends, with the cursor the API
 * gave, and writes every report once.
 */

const report = (id: number) => ({
  id: String(id),
  reportedAt: "2024-11-21T02:00:00.000Z",
  occurredAt: "2024-11-21T02:00:00.000Z",
  discoveredAt: "2024-11-21T02:00:00.000Z",
  category: "HOAX",
  channel: "MESSAGING",
  platform: "WhatsApp",
  url: null,
  title: `Laporan ${id}`,
  description: "",
  severity: "LOW",
  status: "RECEIVED",
  reportingDeadline: "2024-11-28T23:59:59+07:00",
  handlingDeadline: null,
  overdue: false,
  region: { code: "19.06.01", name: "Manggar" },
  reporter: null,
});

const asked: Array<string | null> = [];
const execute: ExportExecutor = async ({ variables }) => {
  const after = variables.after as string | null;
  asked.push(after);
  const start = after === null ? 0 : Number(after);
  const ids = [1, 2, 3, 4, 5].slice(start, start + 2);
  const end = start + ids.length;
  return { data: { incidentReports: { pageInfo: { hasNextPage: end < 5, endCursor: String(end) }, edges: ids.map((id) => ({ node: report(id) })) } } };
};
const verifier = { verifyHeader: async () => ({ sub: "officer", role: "AGENCY", org: "1", regions: ["19.06"], scopes: [] }) } as unknown as TokenVerifier;
const routes = createExportRoutes({ verifier, execute, pageSize: 2 });
const server = http.createServer((req, res) => void routes.handle(req, res));

before(() => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve)));
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test("a list of five reports in pages of two is exported whole, each page asked for with the previous page's cursor", async () => {
  const { port } = server.address() as AddressInfo;
  const text = await (await fetch(`http://127.0.0.1:${port}/export/incidents.csv`)).text();
  const rows = parse(text, { columns: true, bom: true }) as Array<Record<string, string>>;
  assert.deepEqual(rows.map((row) => row.id), ["1", "2", "3", "4", "5"]);
  assert.deepEqual(asked, [null, "2", "4"]);
});
