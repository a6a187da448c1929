import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { DataSource } from "typeorm";
import { signToken } from "../../caller/tokens";
import { loadDemo } from "../../launcher/demo";
import { postGraphQL } from "../../platform/graphql-fetch";
import { RunningHub, startHub } from "../../launcher/hub";
import { SECRET_HEADER } from "../../caller/claims";
import { AlertCollector, alertClient } from "../support/alerts";
import { isRunning, skipWithoutSubgraphPorts, startEmbedded, subgraphChildren } from "../support/embedded";
import { agencyOf, dropTestData, ormasOf, testConfig } from "../support/hub";
import { sendReport, findOrganization, KESBANGPOL, Outcome, PEMUDA, READ_REPORT, ReportWriters, send, slowUpload } from "../support/report-writers";

/*
 * Graceful drain (issue 12, part 5): a process told to stop finishes what it has started, refuses what
 * comes after with 503 and Retry-After, sends subscribers away with 1001 to resume elsewhere, and is gone
 * within KAWAL_DRAIN_SECONDS. Under load: several volunteers keep filing reports while it stops, and every
 * report acknowledged with an id must be there afterwards.
 */

/** The refusal of a stopping process: 503, Retry-After, SHUTTING_DOWN. */
function assertRefused(outcome: Outcome, what: string): void {
  assert.equal(outcome.kind, "answered", `${what}: ${JSON.stringify(outcome)}`);
  if (outcome.kind !== "answered") return;
  assert.deepEqual([outcome.status, outcome.code], [503, "SHUTTING_DOWN"], what);
  assert.match(outcome.retryAfter ?? "", /^\d+$/, `${what}: Retry-After`);
}

/** Four volunteers of the same ormas, one app each. */
const FOUR = 4;

describe("graceful drain", async () => {
  test("a hub told to stop while volunteers file reports keeps every acknowledged one, finishes a slow upload, refuses newcomers with 503 and sends alert screens away with 1001", { timeout: 60_000 }, async () => {
    // The writers are load, not abuse: no mutation rate limit.
    const config = testConfig("sqlite", { KAWAL_RATE_LIMIT_MUTATIONS: "0" });
    const hub = await startHub(config, { port: 0, freePorts: true });
    let restarted: RunningHub | undefined;
    try {
      const url = hub.gateway.url;
      await loadDemo(url, config);
      const volunteer = await signToken(config.jwtSecret!, ormasOf(await findOrganization(url, PEMUDA)));
      const officer = await signToken(config.jwtSecret!, agencyOf(await findOrganization(url, KESBANGPOL)));
      const alertApp = alertClient(url, officer);
      const screen = new AlertCollector(alertApp);
      const writers = new ReportWriters(url, Array(FOUR).fill(volunteer));
      await writers.untilAcknowledged(20);
      await screen.count(1);
      const upload = slowUpload(url, { authorization: `Bearer ${volunteer}` });
      await upload.inFlight;

      const stopping = hub.dispose();
      assertRefused(await sendReport(url, volunteer), "a report sent after the stop began");
      await screen.failed();
      assert.equal((screen.errors[0] as { code?: number }).code, 1001, "the alert screen is told to go away and come back");
      await writers.stopped();
      writers.endings.forEach((ending, writer) => assertRefused(ending, `writer ${writer}'s last request`));
      upload.finish();
      const uploaded = await upload.outcome;
      assert.equal(uploaded.kind, "acknowledged", `the upload under way finishes: ${JSON.stringify(uploaded)}`);
      await stopping;
      const closed = await sendReport(url, volunteer);
      assert.equal(closed.kind === "no answer" && closed.reason, "ECONNREFUSED", "once stopped, nothing listens");
      await alertApp.dispose();

      restarted = await startHub(config, { port: 0, freePorts: true });
      const acknowledged = [...writers.acknowledged, uploaded.kind === "acknowledged" ? uploaded.id : ""];
      const missing: string[] = [];
      for (const id of acknowledged) {
        const { data } = await postGraphQL<{ incidentReport: { id: string } | null }>(restarted.gateway.url, READ_REPORT, { id }, officer);
        if (data?.incidentReport?.id !== id) missing.push(id);
      }
      assert.deepEqual(missing, [], `every one of the ${acknowledged.length} acknowledged reports is there after a restart`);
    } finally {
      await hub.dispose();
      await restarted?.dispose();
      await dropTestData(config);
    }
  });

  test("a subgraph alone (docker-compose) told to stop finishes the request in flight, refuses newcomers with 503, and leaves at its bound although a client stalls mid-upload", { timeout: 60_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kawal-drain-"));
    const secret = crypto.randomBytes(32).toString("hex");
    const drainSeconds = 2;
    const env: NodeJS.ProcessEnv = { ...process.env, KAWAL_DATA_DIR: dataDir, KAWAL_SUBGRAPH_SECRET: secret, HOST: "127.0.0.1", KAWAL_DRAIN_SECONDS: String(drainSeconds) };
    for (const variable of ["DATABASE_URL", "REDIS_URL", "PORT", "NODE_ENV"]) delete env[variable];
    const child = spawn(process.execPath, [path.join(__dirname, "..", "..", "launcher", "subgraph.js"), "elections", "--port", "0"], {
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = "";
        child.stdout!.setEncoding("utf8");
        child.stdout!.on("data", (chunk: string) => {
          output += chunk;
          const listening = /listening at (\S+)/.exec(output);
          if (listening) resolve(listening[1]);
        });
        child.once("exit", () => reject(new Error(`the subgraph exited: ${output}`)));
      });
      const headers = { [SECRET_HEADER]: secret };
      const query = JSON.stringify({ query: `{ elections(regionCode: "19") { id } }` });
      const finishing = slowUpload(url, headers, query);
      const stalled = slowUpload(url, headers, query);
      await Promise.all([finishing.inFlight, stalled.inFlight]);

      const signalled = Date.now();
      child.kill("SIGTERM");
      // Asked until the signal has landed: requests before it are answered as usual.
      let newcomer: Outcome;
      do newcomer = await send(url, headers, query);
      while (newcomer.kind === "answered" && newcomer.status === 200);
      assertRefused(newcomer, "a request after the stop began");

      finishing.finish();
      const finished = await finishing.outcome;
      assert.equal(finished.kind === "answered" && finished.status, 200, `the request in flight finishes: ${JSON.stringify(finished)}`);
      assert.equal(await exited, 0);
      assert.ok(Date.now() - signalled < drainSeconds * 1000 + 1000, `gone within KAWAL_DRAIN_SECONDS (${Date.now() - signalled} ms)`);
      assert.equal((await stalled.outcome).kind, "no answer", "the stalled upload is cut at the bound, never acknowledged");
    } finally {
      child.kill("SIGKILL");
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("npm start told to stop (SIGTERM) under load keeps every acknowledged report, answers newcomers 503 and 1001, and exits with its subgraph processes", { skip: await skipWithoutSubgraphPorts(), timeout: 60_000 }, async () => {
    const hub = await startEmbedded({ KAWAL_RATE_LIMIT_MUTATIONS: "0" });
    try {
      const volunteer = await signToken(hub.jwtSecret, ormasOf(await findOrganization(hub.url, PEMUDA)));
      const officer = await signToken(hub.jwtSecret, agencyOf(await findOrganization(hub.url, KESBANGPOL)));
      const children = subgraphChildren(hub.process.pid!);
      const alertApp = alertClient(hub.url, officer);
      const screen = new AlertCollector(alertApp);
      const writers = new ReportWriters(hub.url, Array(FOUR).fill(volunteer));
      await writers.untilAcknowledged(20);
      await screen.count(1);
      const upload = slowUpload(hub.url, { authorization: `Bearer ${volunteer}` });
      await upload.inFlight;

      const signalled = Date.now();
      hub.process.kill("SIGTERM");
      const acknowledged = [...writers.acknowledged];
      // Asked until the signal has landed: reports before it are acknowledged and must be kept too.
      let newcomer: Outcome;
      while ((newcomer = await sendReport(hub.url, volunteer)).kind === "acknowledged") acknowledged.push(newcomer.id);
      assertRefused(newcomer, "a report sent after the stop began");
      await screen.failed();
      assert.equal((screen.errors[0] as { code?: number }).code, 1001);
      await writers.stopped();
      writers.endings.forEach((ending, writer) => assertRefused(ending, `writer ${writer}'s last request`));
      upload.finish();
      const uploaded = await upload.outcome;
      assert.equal(uploaded.kind, "acknowledged", JSON.stringify(uploaded));
      if (uploaded.kind === "acknowledged") acknowledged.push(uploaded.id);
      await alertApp.dispose();

      assert.equal((await hub.exited).code, 0);
      assert.ok(Date.now() - signalled < 8000, `gone within the default KAWAL_DRAIN_SECONDS (${Date.now() - signalled} ms)`);
      assert.deepEqual(children.map((child) => child.pid).filter(isRunning), [], "its subgraph processes are gone too");
      const db = await new DataSource({ type: "better-sqlite3", database: path.join(hub.dataDir, "incidents.sqlite"), readonly: true }).initialize();
      const stored = new Set(((await db.query("SELECT id FROM incident_reports")) as Array<{ id: number }>).map((row) => String(row.id)));
      await db.destroy();
      assert.deepEqual(acknowledged.filter((id) => !stored.has(id)), [], `every one of the ${acknowledged.length} acknowledged reports is in the database`);
    } finally {
      await hub.cleanUp();
    }
  });
});
