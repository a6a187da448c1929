import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import type { EvidenceLimits } from "../../../platform/config";
import { EvidenceRefusal } from "./refusal";
import { ACCEPTED, acceptedList, EvidenceKind, sniffType, SNIFF_BYTES } from "./types";
import { message } from "../../../platform/i18n";

/*
 * An upload on its way in: written to a temp file while its SHA-256 and size are counted, its type decided from its
 * first bytes (refused at once when not accepted), its size held to its kind's limit as it arrives; an image is then
 * re-encoded without metadata (EXIF GPS and camera data identify whoever took it) into a second temp file. Both are
 * fsync'd before the store takes one. Whatever fails on the way removes the temp files.
 */

/** A complete upload, ready for the store. */
export interface ReceivedFile {
  /** The temp file to store: the upload itself, or its re-encoded image. */
  file: string;
  contentType: string;
  kind: EvidenceKind;
  /** SHA-256 (hex) and size of the bytes stored. */
  sha256: string;
  size: number;
  /** SHA-256 (hex) and size of the bytes as uploaded. */
  originalSha256: string;
  originalSize: number;
  /** True for what is stored as uploaded (PDFs, videos): it may carry its author's metadata. */
  mayCarryMetadata: boolean;
}

const MIB = 1024 * 1024;

function tooLarge(kind: EvidenceKind, contentType: string, limit: number): EvidenceRefusal {
  return new EvidenceRefusal(413, "too large", message("evidence.tooLarge", { kind, type: contentType, max: limit, mib: (limit / MIB).toFixed(1) }));
}

/** SHA-256 (hex) of a file, read as a stream. */
export async function fileSha256(file: string): Promise<string> {
  const hash = crypto.createHash("sha256");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.promises.open(file, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `body` to `file`, deciding the type from its first bytes and holding it to the type's limit. */
async function writeChecked(body: AsyncIterable<Buffer>, file: string, limits: EvidenceLimits): Promise<{ contentType: string; kind: EvidenceKind; sha256: string; size: number }> {
  const hash = crypto.createHash("sha256");
  const largest = Math.max(limits.image, limits.pdf, limits.video);
  const output = await fs.promises.open(file, "wx");
  let size = 0;
  let head: Buffer[] = [];
  let type: { contentType: string; kind: EvidenceKind } | undefined;
  // A failing disk is the hub's fault, not a cut-off upload: it is thrown as it is.
  let diskError: unknown;
  const decide = async (): Promise<{ contentType: string; kind: EvidenceKind }> => {
    const contentType = await sniffType(Buffer.concat(head));
    const kind = contentType === undefined ? undefined : ACCEPTED[contentType];
    if (contentType === undefined || kind === undefined) {
      throw new EvidenceRefusal(415, "type not allowed", message("evidence.typeNotAllowed", { type: contentType ?? message("evidence.noKnownType"), accepted: acceptedList() }));
    }
    head = [];
    return { contentType, kind };
  };
  try {
    try {
      for await (const chunk of body) {
        size += chunk.length;
        if (size > (type ? limits[type.kind] : largest)) throw type ? tooLarge(type.kind, type.contentType, limits[type.kind]) : new EvidenceRefusal(413, "too large", message("evidence.tooLargeAny", { max: largest }));
        hash.update(chunk);
        if (!type) {
          head.push(chunk);
          if (size >= SNIFF_BYTES) type = await decide();
          if (type && size > limits[type.kind]) throw tooLarge(type.kind, type.contentType, limits[type.kind]);
        }
        await output.write(chunk).catch((error: unknown) => {
          diskError = error;
          throw error;
        });
      }
    } catch (error) {
      if (error instanceof EvidenceRefusal || error === diskError) throw error;
      throw new EvidenceRefusal(400, "cut off", message("evidence.cutOffAt", { size }));
    }
    if (size === 0) throw new EvidenceRefusal(400, "empty", message("evidence.empty"));
    type ??= await decide();
    await output.sync();
  } finally {
    await output.close();
  }
  return { ...type, sha256: hash.digest("hex"), size };
}

/**
 * Most pixels an image may have: a 200-megapixel phone photo fits; a small file declaring a huge canvas (a
 * decompression bomb) does not get decoded.
 */
export const MAX_IMAGE_PIXELS = 200_000_000;

/** Re-encodes an image without any metadata (orientation applied first, so the picture stands as it was taken). */
async function stripImage(file: string, contentType: string, target: string): Promise<void> {
  const format = contentType === "image/png" ? "png" : contentType === "image/webp" ? "webp" : "jpeg";
  try {
    // sharp writes no metadata unless told to keep it.
    await sharp(file, { failOn: "error", limitInputPixels: MAX_IMAGE_PIXELS }).rotate().toFormat(format).toFile(target);
  } catch (error) {
    await fs.promises.rm(target, { force: true });
    if (error instanceof Error && /pixel limit/i.test(error.message)) {
      throw new EvidenceRefusal(413, "too large", message("evidence.megapixels", { max: MAX_IMAGE_PIXELS / 1_000_000 }));
    }
    throw new EvidenceRefusal(415, "type not allowed", message("evidence.unreadableImage", { type: contentType, detail: error instanceof Error ? error.message : String(error) }));
  }
  await fsyncFile(target);
}

/** Receives an upload into `folder` (temp files named after `id`); see the top of this module. */
export async function receiveUpload(body: AsyncIterable<Buffer>, folder: string, id: string, limits: EvidenceLimits): Promise<ReceivedFile> {
  const original = path.join(folder, `${id}.part`);
  try {
    const received = await writeChecked(body, original, limits);
    const base = { contentType: received.contentType, kind: received.kind, originalSha256: received.sha256, originalSize: received.size };
    if (received.kind !== "image") return { ...base, file: original, sha256: received.sha256, size: received.size, mayCarryMetadata: true };
    const stripped = path.join(folder, `${id}.stripped`);
    await stripImage(original, received.contentType, stripped);
    await fs.promises.rm(original, { force: true });
    const { size } = await fs.promises.stat(stripped);
    return { ...base, file: stripped, sha256: await fileSha256(stripped), size, mayCarryMetadata: false };
  } catch (error) {
    await fs.promises.rm(original, { force: true });
    throw error;
  }
}
