import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import sharp from "sharp";
import { AuditEvent, AuditKind } from "../../subgraphs/identity/entities";
import { Evidence } from "../../subgraphs/incidents/evidence/entity";
import { removeUnattached, RETENTION_MS } from "../../subgraphs/incidents/evidence/retention";
import type { IncidentsState } from "../../subgraphs/incidents/state";
import { DemoIds, loadDemoStory } from "../support/demo";
import { abandonedUpload, cutOffUpload, downloadEvidence, pdfBytes, photoWithGps, pngDeclaring, sha256, uploadEvidence, zipBytes } from "../support/evidence";
import { agencyOf, backends, integrator, ormasOf, startTestHub, TestHub } from "../support/hub";
import { fileReport, hoaxReport } from "../support/reports";

/*
 * Evidence with a chain of custody (issue 18): Pemuda photographs an intimidating banner in Manggar, uploads the photo
 * and attaches it to its report. The hub strips where and with which phone it was taken, keeps both hashes, lets
 * Bawaslu download it (audited, the hash re-checked), and shows another ormas only that it exists and its hash.
 */

const ATTACH = `mutation ($r: ID!, $e: ID!) { attachEvidence(reportId: $r, evidenceId: $e) { id evidence { id contentType size sha256 originalSha256 mayCarryMetadata uploadedAt uploadedBy { id } downloadUrl } } }`;
const READ = `query ($id: ID!) { incidentReport(id: $id) { evidence { id sha256 originalSha256 uploadedBy { id } downloadUrl } } }`;

interface Shown {
  id: string;
  contentType: string;
  size: number;
  sha256: string;
  originalSha256: string;
  mayCarryMetadata: boolean;
  uploadedBy: { id: string } | null;
  downloadUrl: string | null;
}

/** A JPEG's first bytes followed by noise: judged a JPEG by content, `size` bytes long. */
function jpegOfSize(size: number): Buffer {
  const bytes = Buffer.alloc(size, 7);
  Buffer.from([0xff, 0xd8, 0xff, 0xe0]).copy(bytes);
  return bytes;
}

describe("evidence with a chain of custody", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      let hub: TestHub;
      let ids: DemoIds;
      let reportId: string;
      const pemuda = () => ormasOf(ids.org.pemuda);
      const bawaslu = () => ({ ...agencyOf(ids.org.bawaslu), sub: "officer-evidence" });
      const evidenceFolder = () => path.join(hub.hub.config.dataDir, "evidence");
      const evidenceRows = () => hub.hub.subgraphs.incidents.db.getRepository(Evidence).count();
      const storedFiles = () => fs.readdirSync(evidenceFolder()).filter((name) => name !== "incoming");
      const incomingFiles = () => fs.readdirSync(path.join(evidenceFolder(), "incoming"));

      async function upload(bytes: Buffer, name = "bukti.jpg", caller = pemuda()) {
        return uploadEvidence(hub.url, await hub.token(caller), bytes, name);
      }

      async function attach(evidenceId: string, caller = pemuda()) {
        return hub.query<{ attachEvidence: { evidence: Shown[] } }>(ATTACH, { r: reportId, e: evidenceId }, caller);
      }

      /** Pemuda's photo, uploaded and attached. */
      async function attachedPhoto(): Promise<{ photo: Buffer; shown: Shown }> {
        const photo = await photoWithGps();
        const uploaded = await upload(photo);
        assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
        const { data, errors } = await attach(uploaded.body.id!);
        assert.equal(errors, undefined, JSON.stringify(errors));
        return { photo, shown: data!.attachEvidence.evidence.find((item) => item.id === uploaded.body.id)! };
      }

      before(async () => {
        hub = await startTestHub(backend, { KAWAL_EVIDENCE_MAX_IMAGE_BYTES: "100000" });
        ids = await loadDemoStory(hub);
        const filed = await fileReport(hub, ormasOf(ids.org.pemuda), hoaxReport("Spanduk ancaman di Manggar (bukti foto)"));
        assert.ok(filed.id, filed.code);
        reportId = filed.id;
      });
      after(() => hub.dispose());

      test("an ormas uploads a photo with EXIF GPS and attaches it: the stored file has no GPS nor phone, both hashes are listed", async () => {
        const { photo, shown } = await attachedPhoto();
        assert.ok((await sharp(photo).metadata()).exif, "the photo as taken carries EXIF");
        assert.equal(shown.originalSha256, sha256(photo));
        assert.notEqual(shown.sha256, shown.originalSha256, "the stored file is the re-encoded photo");
        assert.deepEqual([shown.contentType, shown.mayCarryMetadata, shown.uploadedBy, shown.downloadUrl], ["image/jpeg", false, { id: ids.org.pemuda }, `/evidence/${shown.id}`]);
        const stored = fs.readFileSync(path.join(evidenceFolder(), shown.id));
        assert.equal(sha256(stored), shown.sha256);
        assert.equal(stored.length, shown.size);
        const metadata = await sharp(stored).metadata();
        assert.equal(metadata.exif, undefined, "no EXIF block at all: no GPS, no device");
        assert.deepEqual([metadata.width, metadata.height], [64, 48]);
        assert.ok(photo.includes("Galaksi") && !stored.includes("Galaksi"), "the phone's name is gone");
      });

      test("a report filed with its photo's upload id carries it from the start; an unknown upload id refuses the whole report", async () => {
        const uploaded = await upload(await photoWithGps());
        const document = `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { id evidence { id sha256 } } }`;
        const { data, errors } = await hub.query<{ reportIncident: { evidence: Shown[] } }>(document, { input: { ...hoaxReport("Spanduk ancaman, dengan foto"), evidenceIds: [uploaded.body.id] } }, pemuda());
        assert.equal(errors, undefined, JSON.stringify(errors));
        assert.deepEqual(data!.reportIncident.evidence, [{ id: uploaded.body.id, sha256: uploaded.body.sha256 }]);
        const missing = "00000000-0000-4000-8000-000000000000";
        const refused = await hub.query(document, { input: { ...hoaxReport("Laporan dengan bukti yang tidak ada"), evidenceIds: [missing] } }, pemuda());
        assert.equal(refused.errors?.[0]?.extensions?.field, "input.evidenceIds", JSON.stringify(refused.errors));
        const { data: listed } = await hub.query<{ incidentReports: { edges: Array<{ node: { title: string } }> } }>(`{ incidentReports(first: 100) { edges { node { title } } } }`, {}, pemuda());
        assert.ok(!listed!.incidentReports.edges.some((edge) => edge.node.title === "Laporan dengan bukti yang tidak ada"), "the refused report was not stored");
      });

      test("a PDF is stored as uploaded and flagged as possibly carrying its author's metadata", async () => {
        const pdf = pdfBytes();
        const uploaded = await upload(pdf, "surat.pdf");
        assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
        assert.deepEqual([uploaded.body.contentType, uploaded.body.sha256, uploaded.body.originalSha256, uploaded.body.mayCarryMetadata], ["application/pdf", sha256(pdf), sha256(pdf), true]);
      });

      test("a Bawaslu officer of the region downloads it: the bytes hash to the listed SHA-256, and the download is in the reporter audit", async () => {
        const { shown } = await attachedPhoto();
        const download = await downloadEvidence(hub.url, await hub.token(bawaslu()), shown.id);
        assert.equal(download.status, 200, download.bytes.toString());
        assert.equal(sha256(download.bytes), shown.sha256);
        assert.equal(download.sha256Header, shown.sha256);
        const audited = await hub.hub.subgraphs.identity.db.getRepository(AuditEvent).findBy({ kind: AuditKind.REPORTER_DELIVERED, subject: "officer-evidence" });
        assert.deepEqual(audited.map((event) => String(event.reportId)), [reportId]);
      });

      test("an ormas of another organization sees the evidence and its hash, not who uploaded it, and cannot download it (403)", async () => {
        const { shown } = await attachedPhoto();
        const other = ormasOf(ids.org.gantung);
        const { data, errors } = await hub.query<{ incidentReport: { evidence: Shown[] } }>(READ, { id: reportId }, other);
        assert.equal(errors, undefined, JSON.stringify(errors));
        const seen = data!.incidentReport.evidence.find((item) => item.id === shown.id);
        assert.deepEqual(seen, { id: shown.id, sha256: shown.sha256, originalSha256: shown.originalSha256, uploadedBy: null, downloadUrl: null });
        const download = await downloadEvidence(hub.url, await hub.token(other), shown.id);
        assert.equal(download.status, 403);
        assert.equal(JSON.parse(download.bytes.toString()).error.rule, "forbidden");
      });

      test("another ormas cannot attach its upload to Pemuda's report", async () => {
        const uploaded = await upload(await photoWithGps(), "bukti.jpg", ormasOf(ids.org.gantung));
        const { errors } = await attach(uploaded.body.id!, ormasOf(ids.org.gantung));
        assert.equal(errors?.[0]?.extensions?.code, "FORBIDDEN", JSON.stringify(errors));
        assert.equal(errors?.[0]?.extensions?.field, "reportId");
      });

      test("the public cannot upload (401), nor a partner app, which acts for no organization (403)", async () => {
        const photo = await photoWithGps();
        assert.equal((await uploadEvidence(hub.url, null, photo)).status, 401);
        const partner = await uploadEvidence(hub.url, await hub.token(integrator(["read:incidents"])), photo);
        assert.equal(partner.status, 403);
        assert.equal(partner.body.error?.rule, "forbidden");
      });

      test("a .jpg that is a ZIP archive is refused by its content", async () => {
        const before = await evidenceRows();
        const answer = await upload(zipBytes(), "foto.jpg");
        assert.equal(answer.status, 415);
        assert.equal(answer.body.error?.rule, "type not allowed");
        assert.match(answer.body.error!.message, /application\/zip/);
        assert.equal(await evidenceRows(), before);
      });

      test("a photo over the image limit is refused, naming the limit", async () => {
        const answer = await upload(jpegOfSize(150_000));
        assert.equal(answer.status, 413);
        assert.equal(answer.body.error?.rule, "too large");
        assert.match(answer.body.error!.message, /at most 100000 bytes/);
      });

      test("a decompression bomb (a tiny PNG declaring 225 megapixels) is refused before it is decoded", async () => {
        const answer = await upload(pngDeclaring(15_000, 15_000), "bom.png");
        assert.equal(answer.status, 413, JSON.stringify(answer.body));
        assert.match(answer.body.error!.message, /at most 200 megapixels/);
      });

      test("an empty file is refused", async () => {
        const answer = await upload(Buffer.alloc(0));
        assert.equal(answer.body.error?.rule, "empty", JSON.stringify(answer.body));
        assert.equal(answer.status, 400);
      });

      test("an upload cut off halfway leaves nothing: no record, no stored file, no temp file", async () => {
        const [rows, files] = [await evidenceRows(), storedFiles().length];
        const answer = await cutOffUpload(hub.url, await hub.token(pemuda()), jpegOfSize(60_000));
        assert.equal(answer.status, 400, answer.body);
        assert.equal(JSON.parse(answer.body).error.rule, "cut off");
        assert.equal(await evidenceRows(), rows);
        assert.equal(storedFiles().length, files);
        await waitFor(() => incomingFiles().length === 0);
      });

      test("a phone that loses its connection mid-upload leaves nothing: the temp file goes, no record is made", async () => {
        const rows = await evidenceRows();
        await abandonedUpload(hub.url, await hub.token(pemuda()), jpegOfSize(80_000), () => incomingFiles().length > 0);
        await waitFor(() => incomingFiles().length === 0);
        assert.equal(await evidenceRows(), rows);
      });

      test("an upload not attached within 24 hours is removed by the retention job; an attached one stays", async () => {
        const { shown } = await attachedPhoto();
        const loose = await upload(await photoWithGps());
        const store = (hub.hub.subgraphs.incidents.state as IncidentsState).evidence;
        const removed = await removeUnattached(hub.hub.subgraphs.incidents.storage, store, Date.now() + RETENTION_MS + 60_000);
        assert.ok(removed.includes(loose.body.id!));
        assert.ok(!removed.includes(shown.id));
        assert.ok(!fs.existsSync(path.join(evidenceFolder(), loose.body.id!)));
        assert.ok(fs.existsSync(path.join(evidenceFolder(), shown.id)));
        const { errors } = await attach(loose.body.id!);
        assert.equal(errors?.[0]?.extensions?.field, "evidenceId", JSON.stringify(errors));
      });

      test("a stored file changed after receipt is not served: the download is refused and logged", async () => {
        const { shown } = await attachedPhoto();
        const file = path.join(evidenceFolder(), shown.id);
        const bytes = fs.readFileSync(file);
        bytes[bytes.length - 3] ^= 0xff;
        fs.writeFileSync(file, bytes);
        const download = await downloadEvidence(hub.url, await hub.token(bawaslu()), shown.id);
        assert.equal(download.status, 500);
        assert.equal(JSON.parse(download.bytes.toString()).error.code, "EVIDENCE_HASH_MISMATCH");
      });
    });
  }
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error("the condition did not come true in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
