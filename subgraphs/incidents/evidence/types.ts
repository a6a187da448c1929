import type { EvidenceLimits } from "../../../platform/config";

/*
 * What evidence may be, judged by the file's content (its magic bytes), never by its name or declared type.
 * Images are re-encoded without metadata before storage; PDFs and videos are stored as uploaded.
 */

export type EvidenceKind = keyof EvidenceLimits;

/** Accepted content types and their kind. */
export const ACCEPTED: Readonly<Record<string, EvidenceKind>> = {
  "image/jpeg": "image",
  "image/png": "image",
  "image/webp": "image",
  "application/pdf": "pdf",
  "video/mp4": "video",
  "video/quicktime": "video",
  "video/webm": "video",
};

/** Bytes read before the type is decided: file-type's own sample size. */
export const SNIFF_BYTES = 4100;

/** The content type of a file's first bytes, or undefined when file-type does not know them. */
export async function sniffType(head: Uint8Array): Promise<string | undefined> {
  // file-type is ESM only: a dynamic import, which TypeScript's nodenext output keeps as import().
  const { fileTypeFromBuffer } = await import("file-type");
  return (await fileTypeFromBuffer(head))?.mime;
}

/** A list for error messages: "image/jpeg, image/png, ...". */
export function acceptedList(): string {
  return Object.keys(ACCEPTED).join(", ");
}
