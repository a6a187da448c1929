import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import { redirectLogs } from "../../platform/logging";
import { DemoIds, loadDemoStory } from "../support/demo";
import { AlertCollector, alertClient } from "../support/alerts";
import { agencyOf, ormasOf, startTestHub, TestHub } from "../support/hub";
import { until } from "../support/report-writers";

const FILE_REPORT = `mutation FileReport($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }`;

describe("the request log: what an operator reads, and what it never says", () => {
  const lines: string[] = [];
  let restore: () => void;
  let hub: TestHub;
  let ids: DemoIds;
  before(async () => {
    restore = redirectLogs({ write: (line: string) => void lines.push(line) }, "info");
    hub = await startTestHub("sqlite");
    ids = await loadDemoStory(hub);
  });
  after(async () => {
    await hub.dispose();
    restore();
  });

  // A volunteer of Pemuda Peduli Manggar reports a hoax; the words and the reporter are whistleblower data.
  const marker = crypto.randomBytes(6).toString("hex");
  const description = `Pesan berantai ${marker}: saksi melihat pembagian amplop`;
  const title = `Amplop di Manggar ${marker}`;

  async function fileReport(requestId: string): Promise<{ token: string; status: number; volunteer: ReturnType<typeof ormasOf> }> {
    const volunteer = ormasOf(ids.org.pemuda);
    const token = await hub.token(volunteer);
    const input = { category: "HOAX", channel: "MESSAGING", platform: "WhatsApp", title, description, occurredAt: "2024-11-21T09:00:00+07:00", regionCode: "19.06.01" };
    const response = await fetch(hub.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-request-id": requestId },
      body: JSON.stringify({ query: FILE_REPORT, variables: { input } }),
    });
    const body = (await response.json()) as { errors?: unknown };
    assert.equal(body.errors, undefined);
    return { token, status: response.status, volunteer };
  }

  test("a filed report's request is one line with its id, operation, role, pseudonymous caller, status, duration and subgraphs", async () => {
    await fileReport("req-manggar-1");
    await until(() => lines.some((line) => line.includes("req-manggar-1")));
    const mine = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.reqId === "req-manggar-1" && line.msg === "request");
    assert.equal(mine.length, 1);
    const [line] = mine;
    assert.equal(line.operation, "FileReport");
    assert.equal(line.type, "mutation");
    assert.equal(line.role, "ORMAS");
    assert.match(String(line.caller), /^[0-9a-f]{16}$/);
    assert.equal(line.status, 200);
    assert.deepEqual(line.errors, []);
    assert.equal(typeof line.ms, "number");
    assert.ok((line.subgraphs as string[]).includes("incidents"), `subgraphs: ${JSON.stringify(line.subgraphs)}`);
  });

  test("a Bawaslu screen's alert subscription is one line when it ends, and its socket's close is logged with the code", async () => {
    const client = alertClient(hub.url, await hub.token(agencyOf(ids.org.bawaslu)));
    const screen = new AlertCollector(client, {}, `subscription BawasluScreen { incidentAlerts { sequence } }`);
    await until(() => hub.hub.gateway.subscriptions.stats().streams === 1);
    screen.unsubscribe();
    await until(() => lines.some((line) => line.includes("BawasluScreen")));
    const [line] = lines.map((text) => JSON.parse(text) as Record<string, unknown>).filter((each) => each.operation === "BawasluScreen");
    assert.equal(line.transport, "ws");
    assert.equal(line.type, "subscription");
    assert.equal(line.role, "AGENCY");
    assert.match(String(line.caller), /^[0-9a-f]{16}$/);
    assert.deepEqual(line.errors, []);
    // A forged token on a new socket: refused (4403), and both the refusal and the close are logged.
    const forged = alertClient(hub.url, "not.a.token");
    const refused = new AlertCollector(forged);
    await until(() => refused.errors.length > 0 || refused.completed);
    await until(() => lines.some((text) => text.includes('"code":4403')));
    assert.ok(lines.some((text) => text.includes("token refused") && text.includes('"transport":"ws"')));
    await Promise.all([client.dispose(), forged.dispose()]);
  });

  test("no line carries the report's words, its reporter, the volunteer's organization or token", async () => {
    const { token, volunteer } = await fileReport("req-manggar-2");
    await until(() => lines.some((line) => line.includes("req-manggar-2")));
    const log = lines.join("\n");
    assert.ok(log.length > 0);
    for (const secret of [marker, title, description, volunteer.sub, "Pemuda Peduli", token, token.split(".")[2]]) {
      assert.ok(!log.includes(secret), `a log line contains ${JSON.stringify(secret)}`);
    }
    for (const line of lines.map((text) => JSON.parse(text) as Record<string, unknown>)) assert.equal(line.org, undefined);
  });
});
