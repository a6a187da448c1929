import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Evidence } from "../../subgraphs/incidents/evidence/entity";
import { removeUnattached, RETENTION_MS } from "../../subgraphs/incidents/evidence/retention";
import type { EvidenceStore } from "../../subgraphs/incidents/evidence/store";
import type { IncidentsState } from "../../subgraphs/incidents/state";
import { DemoIds, loadDemoStory } from "../support/demo";
import { photoWithGps, sha256, uploadEvidence } from "../support/evidence";
import { backends, ormasOf, startTestHub, TestHub } from "../support/hub";

/*
 * A volunteer's phone on a weak signal sends its evidence photo again, with the photo's Idempotency-Key: whatever
 * the retries, the hub keeps one evidence of it and stores the file once; the key never carries another photo.
 */

describe("a photo sent again with its Idempotency-Key is stored once", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      let hub: TestHub;
      let ids: DemoIds;
      const store = () => (hub.hub.subgraphs.incidents.state as IncidentsState).evidence;
      const storedFiles = () => fs.readdirSync(path.join(hub.hub.config.dataDir, "evidence")).filter((name) => name !== "incoming");
      /** Evidence rows of the photo, by the hash of its bytes as uploaded. */
      const rowsOf = async (photo: Buffer) => (await hub.hub.subgraphs.incidents.db.getRepository(Evidence).findBy({ originalSha256: sha256(photo) })).map((row) => row.id);

      async function send(photo: Buffer, key: string) {
        return uploadEvidence(hub.url, await hub.token(ormasOf(ids.org.pemuda)), photo, "bukti.jpg", "image/jpeg", { "idempotency-key": key });
      }

      /**
       * Runs `work` counting the files handed to the evidence store. The first waits there until `sends` uploads have
       * looked their key up (none found it yet), so the others are on their way to storing while it is being stored.
       */
      async function countingPuts(sends: number, work: () => Promise<void>): Promise<number> {
        const evidence: EvidenceStore = store();
        const db = hub.hub.subgraphs.incidents.db;
        const [put, query] = [evidence.put, db.query];
        let [puts, lookups] = [0, 0];
        db.query = ((...args: Parameters<typeof query>) => {
          if (args[0].includes("FROM idempotency_keys")) lookups++;
          return query.apply(db, args);
        }) as typeof query;
        evidence.put = async (...args) => {
          if (puts++ === 0) await waitFor(() => lookups >= sends);
          return put(...args);
        };
        try {
          await work();
        } finally {
          [evidence.put, db.query] = [put, query];
        }
        return puts;
      }

      before(async () => {
        hub = await startTestHub(backend, { KAWAL_RATE_LIMIT_MUTATIONS: "0" });
        ids = await loadDemoStory(hub);
      });
      after(() => hub.dispose());

      test("five sends of one photo at once, with one key, store one file and all hear the same evidence id", async () => {
        const photo = await photoWithGps(70, 50);
        const files = storedFiles().length;
        let answers: Awaited<ReturnType<typeof send>>[] = [];
        const puts = await countingPuts(5, async () => {
          answers = await Promise.all(Array.from({ length: 5 }, () => send(photo, "pemuda-foto-serentak")));
        });
        assert.deepEqual(answers.map((answer) => answer.status), [201, 201, 201, 201, 201], JSON.stringify(answers.map((answer) => answer.body)));
        const rows = await rowsOf(photo);
        assert.equal(rows.length, 1);
        assert.deepEqual(answers.map((answer) => answer.body.id), Array(5).fill(rows[0]));
        assert.equal(puts, 1, "the file went to the store once, also for the sends that came while it was being stored");
        assert.equal(storedFiles().length, files + 1);
      });

      test("the same key with another photo is refused (422), naming the header and the rule, and stores nothing", async () => {
        const first = await send(await photoWithGps(72, 50), "pemuda-foto-kunci-ganda");
        assert.equal(first.status, 201, JSON.stringify(first.body));
        const other = await photoWithGps(74, 50);
        const files = storedFiles().length;
        const refused = await send(other, "pemuda-foto-kunci-ganda");
        assert.equal(refused.status, 422, JSON.stringify(refused.body));
        assert.deepEqual([refused.body.error?.code, refused.body.error?.field, refused.body.error?.rule], ["BAD_USER_INPUT", "Idempotency-Key", "idempotency key reused with another input"]);
        assert.deepEqual(await rowsOf(other), []);
        assert.equal(storedFiles().length, files);
      });

      test("a key that is not a short visible string is refused before the photo is stored", async () => {
        const photo = await photoWithGps(76, 50);
        const refused = await send(photo, "kunci dengan spasi");
        assert.equal(refused.status, 400, JSON.stringify(refused.body));
        assert.equal(refused.body.error?.field, "Idempotency-Key");
        assert.deepEqual(await rowsOf(photo), []);
      });

      test("the evidence store fails during the first send: nothing is kept, the retry stores the photo, and a third send answers the same id", async () => {
        const photo = await photoWithGps(78, 50);
        const evidence = store();
        const put = evidence.put;
        evidence.put = async () => {
          evidence.put = put;
          throw new Error("the bucket is unreachable");
        };
        const failed = await send(photo, "pemuda-foto-gangguan");
        assert.equal(failed.status, 503, JSON.stringify(failed.body));
        assert.equal(failed.body.error?.code, "STORAGE_UNAVAILABLE");
        assert.deepEqual(await rowsOf(photo), [], "the failed send recorded nothing, its key neither");
        const retry = await send(photo, "pemuda-foto-gangguan");
        assert.equal(retry.status, 201, JSON.stringify(retry.body));
        const again = await send(photo, "pemuda-foto-gangguan");
        assert.equal(again.body.id, retry.body.id);
        assert.deepEqual(await rowsOf(photo), [retry.body.id]);
        assert.ok(storedFiles().includes(retry.body.id!));
      });

      test("an upload removed after 24 hours unattached takes its key along: the phone's retry stores the photo anew", async () => {
        const photo = await photoWithGps(80, 50);
        const first = await send(photo, "pemuda-foto-lama");
        assert.equal(first.status, 201, JSON.stringify(first.body));
        assert.equal((await send(photo, "pemuda-foto-lama")).body.id, first.body.id, "while it waits to be attached, a retry answers it");
        const removed = await removeUnattached(hub.hub.subgraphs.incidents.storage, store(), Date.now() + RETENTION_MS + 60_000);
        assert.ok(removed.includes(first.body.id!));
        const retry = await send(photo, "pemuda-foto-lama");
        assert.equal(retry.status, 201, JSON.stringify(retry.body));
        assert.notEqual(retry.body.id, first.body.id);
        assert.deepEqual(await rowsOf(photo), [retry.body.id]);
        assert.ok(storedFiles().includes(retry.body.id!));
      });
    });
  }
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error("the condition did not come true in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
