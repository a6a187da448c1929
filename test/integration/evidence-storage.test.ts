import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { DemoIds, loadDemoStory } from "../support/demo";
import { cutOffUpload, downloadEvidence, photoWithGps, sha256, uploadEvidence } from "../support/evidence";
import { agencyOf, backends, dropTestData, ormasOf, testConfig, testHubOn, TestHub } from "../support/hub";
import { fileReport, hoaxReport } from "../support/reports";

/*
 * Where evidence lives (issue 18): under the data folder on the embedded default, in an S3-compatible bucket when
 * KAWAL_EVIDENCE_S3_BUCKET says so (here s3rver, an S3 emulator from npm). Either way it survives a restart, a
 * cut-off upload leaves nothing, and a file changed behind the hub's back is not served.
 */

const BUCKET = "kawal-evidence";
const ATTACH = `mutation ($r: ID!, $e: ID!) { attachEvidence(reportId: $r, evidenceId: $e) { evidence { id sha256 } } }`;

describe("evidence storage", async () => {
  let emulator: S3rver;
  let emulatorFolder: string;
  let s3: S3Client;
  let s3Env: Record<string, string>;
  before(async () => {
    emulatorFolder = fs.mkdtempSync(path.join(os.tmpdir(), "kawal-s3-"));
    emulator = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: emulatorFolder, configureBuckets: [{ name: BUCKET }] });
    const { port } = await emulator.run();
    const endpoint = `http://127.0.0.1:${port}`;
    // s3rver's fixed credentials.
    s3Env = { KAWAL_EVIDENCE_S3_BUCKET: BUCKET, KAWAL_EVIDENCE_S3_ENDPOINT: endpoint, KAWAL_EVIDENCE_S3_ACCESS_KEY_ID: "S3RVER", KAWAL_EVIDENCE_S3_SECRET_ACCESS_KEY: "S3RVER" };
    s3 = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }, requestChecksumCalculation: "WHEN_REQUIRED" });
  });
  after(async () => {
    s3.destroy();
    await emulator.close();
    fs.rmSync(emulatorFolder, { recursive: true, force: true });
  });

  const objectKeys = async () => ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((object) => object.Key);

  for (const backend of await backends()) {
    for (const store of ["the data folder", "an S3 bucket"] as const) {
      describe(`on ${backend}, in ${store}`, () => {
        let hub: TestHub;
        let ids: DemoIds;
        let config: ReturnType<typeof testConfig>;
        before(async () => {
          config = testConfig(backend, store === "an S3 bucket" ? s3Env : {});
          hub = await testHubOn(config, { keepData: true });
          ids = await loadDemoStory(hub);
        });
        after(async () => {
          await hub.dispose();
          await dropTestData(config);
        });

        const restart = async () => {
          await hub.dispose();
          hub = await testHubOn(config, { keepData: true });
        };

        test("an attached photo survives a restart of the hub, its hash unchanged", async () => {
          const pemuda = ormasOf(ids.org.pemuda);
          const filed = await fileReport(hub, pemuda, hoaxReport(`Bukti yang bertahan (${store})`));
          const uploaded = await uploadEvidence(hub.url, await hub.token(pemuda), await photoWithGps());
          assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
          const { errors } = await hub.query(ATTACH, { r: filed.id, e: uploaded.body.id }, pemuda);
          assert.equal(errors, undefined, JSON.stringify(errors));
          if (store === "an S3 bucket") {
            assert.ok((await objectKeys()).includes(`evidence/${uploaded.body.id}`));
            assert.deepEqual(fs.readdirSync(path.join(config.dataDir, "evidence")), ["incoming"], "nothing kept on the local disk");
          }
          await restart();
          const download = await downloadEvidence(hub.url, await hub.token(agencyOf(ids.org.bawaslu)), uploaded.body.id!);
          assert.equal(download.status, 200, download.bytes.toString());
          assert.equal(sha256(download.bytes), uploaded.body.sha256);
        });

        test("a cut-off upload leaves nothing in the store", async () => {
          const before = store === "an S3 bucket" ? await objectKeys() : fs.readdirSync(path.join(config.dataDir, "evidence"));
          const answer = await cutOffUpload(hub.url, await hub.token(ormasOf(ids.org.pemuda)), await photoWithGps(400, 300));
          assert.equal(answer.status, 400, answer.body);
          const after = store === "an S3 bucket" ? await objectKeys() : fs.readdirSync(path.join(config.dataDir, "evidence"));
          assert.deepEqual(after, before);
        });

        if (store === "an S3 bucket") {
          test("an object replaced in the bucket behind the hub's back is not served", async () => {
            const pemuda = ormasOf(ids.org.pemuda);
            const filed = await fileReport(hub, pemuda, hoaxReport("Bukti yang diganti"));
            const uploaded = await uploadEvidence(hub.url, await hub.token(pemuda), await photoWithGps());
            await hub.query(ATTACH, { r: filed.id, e: uploaded.body.id }, pemuda);
            const key = `evidence/${uploaded.body.id}`;
            const stored = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());
            stored[stored.length - 3] ^= 0xff;
            await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: stored }));
            const download = await downloadEvidence(hub.url, await hub.token(agencyOf(ids.org.bawaslu)), uploaded.body.id!);
            assert.equal(download.status, 500);
            assert.equal(JSON.parse(download.bytes.toString()).error.code, "EVIDENCE_HASH_MISMATCH");
          });
        }
      });
    }
  }
});
