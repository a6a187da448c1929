import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { EvidenceS3Config, HubConfig } from "../../../platform/config";

/*
 * Where evidence files are kept, by their upload id: a folder under the data directory on the embedded default, an
 * S3-compatible bucket in production. A file goes in only once complete, hashed and fsync'd; the store never
 * changes one in place, and removes one only for the retention job.
 */

export interface EvidenceStore {
  /** Stores the complete, fsync'd file at `file` under `id`; the file at `file` is gone afterwards. */
  put(id: string, file: string, size: number): Promise<void>;
  /** The stored bytes of `id`. */
  read(id: string): Promise<Readable>;
  /** Removes `id`; nothing when it is already gone. */
  remove(id: string): Promise<void>;
  /** A folder on the local disk for files on their way in (temp names, renamed or uploaded once complete). */
  readonly incoming: string;
  /** Where files go, for the log. */
  readonly description: string;
}

/** fsync of a folder, so a rename into it survives a power cut. */
function syncFolder(folder: string): void {
  const handle = fs.openSync(folder, "r");
  try {
    fs.fsyncSync(handle);
  } finally {
    fs.closeSync(handle);
  }
}

/** Upload ids are UUIDs; anything else never reaches the disk or the bucket as a name. */
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function checkedId(id: string): string {
  if (!ID.test(id)) throw new Error(`not an evidence id: ${JSON.stringify(id)}`);
  return id;
}

/** Files at `<folder>/<id>`, incoming ones in `<folder>/incoming/` (same disk, so the final step is a rename). */
export function folderStore(folder: string): EvidenceStore {
  const incoming = path.join(folder, "incoming");
  fs.mkdirSync(incoming, { recursive: true });
  return {
    incoming,
    description: folder,
    async put(id, file) {
      await fs.promises.rename(file, path.join(folder, checkedId(id)));
      syncFolder(folder);
    },
    async read(id) {
      const file = path.join(folder, checkedId(id));
      // Opened before answering, so a missing file is an error here, not a broken stream later.
      const handle = await fs.promises.open(file, "r");
      return handle.createReadStream();
    },
    async remove(id) {
      await fs.promises.rm(path.join(folder, checkedId(id)), { force: true });
    },
  };
}

/** Objects `evidence/<id>` in the configured bucket; incoming files wait under `incoming` on the local disk. */
export function s3Store(options: EvidenceS3Config, incoming: string): EvidenceStore {
  fs.mkdirSync(incoming, { recursive: true });
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint?.toString(),
    forcePathStyle: options.endpoint !== undefined,
    credentials: options.credentials,
    // Checksums only where S3 requires them: S3-compatible stores (and emulators) do not all read the SDK's
    // streamed checksum trailers. Integrity is ours anyway: the SHA-256 is re-checked on every download.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const key = (id: string) => `evidence/${checkedId(id)}`;
  return {
    incoming,
    description: `s3://${options.bucket}/evidence/${options.endpoint ? ` at ${options.endpoint.origin}` : ""}`,
    async put(id, file, size) {
      await client.send(new PutObjectCommand({ Bucket: options.bucket, Key: key(id), Body: fs.createReadStream(file), ContentLength: size }));
      await fs.promises.rm(file, { force: true });
    },
    async read(id) {
      const object = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key: key(id) }));
      return object.Body as Readable;
    },
    async remove(id) {
      await client.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: key(id) }));
    },
  };
}

/** The store the configuration names: the bucket of KAWAL_EVIDENCE_S3_BUCKET, else `<dataDir>/evidence/`. */
export function openEvidenceStore(config: HubConfig): EvidenceStore {
  const folder = path.join(config.dataDir, "evidence");
  return config.evidenceS3 ? s3Store(config.evidenceS3, path.join(folder, "incoming")) : folderStore(folder);
}
