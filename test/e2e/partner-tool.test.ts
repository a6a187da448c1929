import assert from "node:assert/strict";
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { CodegenContext, generate, loadCodegenConfig } from "@graphql-codegen/cli";
import { Webhook } from "standardwebhooks";
import { subscribersSettled } from "../support/alerts";
import { DemoIds, loadDemoStory } from "../support/demo";
import { ormasOf, startTestHub, TestHub } from "../support/hub";
import { call, createIntegration, firstAdministrator, NewIntegration, TestSession } from "../support/identity";
import { reportInput } from "../support/report-writers";

/*
 * examples/partner-tool, built and run as a partner would: a Bawaslu dashboard with its client id and secret lists
 * incidents and prints the alert of a report an ormas volunteer files meanwhile, over SSE; then again with its
 * trusted documents (the manifest its codegen wrote) switched on, sending hashes only. The example has its own
 * tsconfig, compiled here with the repository's TypeScript; its generated client is committed (a clone builds it
 * without running codegen) and checked here against a fresh generation from schema/api.graphql.
 */

const EXAMPLE = path.join(__dirname, "..", "..", "..", "examples", "partner-tool");
const TSC = path.join(__dirname, "..", "..", "..", "node_modules", ".bin", "tsc");
const REPORT = `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }`;

/** The tool running as a child process, its output line by line. */
interface RunningTool {
  lines: string[];
  /** Waits for a line matching `pattern`; rejects when the tool exits first or after 15 s. */
  line(pattern: RegExp): Promise<string>;
  exited: Promise<number | null>;
  stop(): void;
}

function runTool(env: Record<string, string>): RunningTool {
  const child: ChildProcess = spawn(process.execPath, [path.join(EXAMPLE, "dist", "main.js")], { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve((exitCode = code))));
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffered = "";
    stream.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      lines.push(...parts);
    });
  }
  return {
    lines,
    exited,
    async line(pattern) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const found = lines.find((line) => pattern.test(line));
        if (found) return found;
        if (exitCode !== undefined || Date.now() > deadline) throw new Error(`no line ${pattern} (exit ${exitCode}); output:\n${lines.join("\n")}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop: () => void child.kill("SIGTERM"),
  };
}

describe("the partner tool example, built and run against a hub", () => {
  let hub: TestHub;
  let ids: DemoIds;
  let admin: TestSession;
  let dashboard: NewIntegration;
  let env: Record<string, string>;

  before(async () => {
    execFileSync(TSC, ["-p", path.join(EXAMPLE, "tsconfig.json")], { stdio: "inherit" });
    hub = await startTestHub("sqlite", { KAWAL_RATE_LIMIT_MUTATIONS: "0" });
    ids = await loadDemoStory(hub);
    admin = await firstAdministrator(hub, ids.org.kesbangpol, "admin@kesbangpol.beltim.go.id", "kapal layar Manggar tujuh");
    dashboard = await createIntegration(hub, admin.accessToken, { organizationId: ids.org.bawaslu, name: "Dasbor Bawaslu Beltim", scopes: ["read:incidents", "subscribe:alerts"], regions: ["19.06"] });
    env = { KAWAL_URL: hub.url, KAWAL_CLIENT_ID: dashboard.integration.clientId, KAWAL_CLIENT_SECRET: dashboard.clientSecret };
  });
  after(() => hub.dispose());

  const fileReport = async (title: string) => {
    const { errors } = await hub.query(REPORT, { input: reportInput(title) }, ormasOf(ids.org.pemuda));
    assert.equal(errors, undefined, JSON.stringify(errors));
  };
  const settled = () => subscribersSettled(() => hub.hub.gateway.subscriptions.stats(), 1);

  test("the committed typed client is what GraphQL Code Generator makes of schema/api.graphql now", async () => {
    const { config, filepath } = await loadCodegenConfig({ configFilePath: EXAMPLE });
    const context = new CodegenContext({ config, filepath });
    context.cwd = EXAMPLE;
    const outputs = (await generate(context, false)) as Array<{ filename: string; content: string }>;
    assert.ok(outputs.length >= 4, outputs.map((output) => output.filename).join(", "));
    for (const { filename, content } of outputs) {
      assert.equal(fs.readFileSync(path.resolve(EXAMPLE, filename), "utf8"), content, `${filename} drifted: run \`npm run codegen\` in examples/partner-tool`);
    }
  });

  test("with its client credentials, the tool lists incidents and prints the alert of a report filed meanwhile, over SSE", async () => {
    const tool = runTool(env);
    try {
      assert.match(await tool.line(/^incidents: /), /^incidents: [1-9]\d*$/);
      await tool.line(/^listening for alerts$/);
      await settled();
      await fileReport("Spanduk fitnah di Manggar, dilihat alat mitra");
      assert.match(await tool.line(/Spanduk fitnah di Manggar, dilihat alat mitra/), /^alert \S+ REPORTED BLACK_CAMPAIGN Spanduk fitnah di Manggar, dilihat alat mitra$/);
    } finally {
      tool.stop();
      await tool.exited;
    }
  });

  test("with its trusted documents switched on, the tool works by hash, and its free text is refused", async () => {
    const manifest = fs.readFileSync(path.join(EXAMPLE, "src", "gql", "persisted-documents.json"), "utf8");
    const loaded = await call(hub, `mutation ($c: String!, $m: String!) { loadTrustedDocuments(clientId: $c, manifest: $m) { trustedDocumentCount } }`, { c: dashboard.integration.clientId, m: manifest }, admin.accessToken);
    assert.equal(loaded.code, "ok", loaded.message);
    const on = await call(hub, `mutation ($c: String!) { setTrustedDocumentsRequired(clientId: $c, required: true) { trustedDocumentsRequired } }`, { c: dashboard.integration.clientId }, admin.accessToken);
    assert.equal(on.code, "ok", on.message);

    const byText = runTool(env);
    assert.match(await byText.line(/^partner-tool: /), /TRUSTED_DOCUMENT_REQUIRED/);
    assert.equal(await byText.exited, 1);

    const byHash = runTool({ ...env, KAWAL_SEND_HASHES: "1" });
    try {
      await byHash.line(/^listening for alerts$/);
      await settled();
      await fileReport("Selebaran hoaks di Gantung, lewat daftar tepercaya");
      await byHash.line(/Selebaran hoaks di Gantung, lewat daftar tepercaya$/);
    } finally {
      byHash.stop();
      await byHash.exited;
    }
  });

  test("the tool's webhook check accepts a delivery signed the Standard Webhooks way and refuses a tampered or foreign one", async () => {
    const { verifiedDelivery } = (await import(path.join(EXAMPLE, "dist", "webhook.js"))) as { verifiedDelivery: (secret: string, body: string, headers: Record<string, string>) => unknown };
    const secret = `whsec_${Buffer.from("rahasia penerima webhook Bawaslu!").toString("base64")}`;
    const body = JSON.stringify({ type: "incident.alert", timestamp: new Date().toISOString(), data: { incidentAlerts: { sequence: "42", kind: "REPORTED" } } });
    const sent = new Date();
    const headers = { "webhook-id": "msg_2Kd8", "webhook-timestamp": String(Math.floor(sent.getTime() / 1000)), "webhook-signature": new Webhook(secret).sign("msg_2Kd8", sent, body) };
    assert.deepEqual(verifiedDelivery(secret, body, headers), JSON.parse(body));
    assert.equal(verifiedDelivery(secret, body.replace('"42"', '"43"'), headers), null, "a changed body");
    assert.equal(verifiedDelivery(`whsec_${Buffer.from("another receiver's secret").toString("base64")}`, body, headers), null, "another secret");
    assert.equal(verifiedDelivery(secret, body, { ...headers, "webhook-timestamp": String(Math.floor(sent.getTime() / 1000) - 3600) }), null, "an hour-old replay");
  });
});
