import crypto from "node:crypto";
import http from "node:http";
import sharp from "sharp";

/*
 * Evidence as a volunteer's phone makes and sends it: a photo that still carries where it was taken and with
 * which phone, sent as multipart/form-data to the gateway's POST /evidence.
 */

/** The place the photo was taken (Manggar), written into its EXIF GPS block. */
export const PHOTO_PLACE = { GPSLatitudeRef: "S", GPSLatitude: "2/1 52/1 3/1", GPSLongitudeRef: "E", GPSLongitude: "108/1 16/1 12/1" };
/** The phone, in its EXIF device block. */
export const PHOTO_DEVICE = { Make: "Samsang", Model: "Galaksi A99" };

/** A small JPEG photo of a campaign banner, with EXIF GPS and device data. */
export async function photoWithGps(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 40 } } })
    .jpeg()
    .withExif({ IFD0: PHOTO_DEVICE, IFD3: PHOTO_PLACE })
    .toBuffer();
}

/** A ZIP archive (its first bytes), whatever its name says. */
export function zipBytes(): Buffer {
  const header = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]);
  return Buffer.concat([header, crypto.randomBytes(2000)]);
}

/** CRC-32 of PNG chunks. */
function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A decompression bomb: a PNG of a few bytes that declares a canvas of `width` × `height` pixels. */
export function pngDeclaring(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk("IHDR", header), pngChunk("IDAT", Buffer.alloc(0)), pngChunk("IEND", Buffer.alloc(0))]);
}

/** A minimal PDF document. */
export function pdfBytes(): Buffer {
  return Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
}

export const sha256 = (bytes: Uint8Array) => crypto.createHash("sha256").update(bytes).digest("hex");

export interface UploadAnswer {
  status: number;
  body: {
    id?: string;
    contentType?: string;
    size?: number;
    sha256?: string;
    originalSha256?: string;
    mayCarryMetadata?: boolean;
    error?: { code: string; message: string; rule?: string; field?: string };
  };
}

/** POSTs `bytes` as the form's file field to `<gateway>/evidence`, with `headers` (an Idempotency-Key) beside the token. */
export async function uploadEvidence(
  gatewayUrl: string,
  token: string | null,
  bytes: Uint8Array,
  name = "bukti.jpg",
  declaredType = "image/jpeg",
  headers: Record<string, string> = {},
): Promise<UploadAnswer> {
  const form = new FormData();
  form.append("file", new Blob([Buffer.from(bytes)], { type: declaredType }), name);
  const response = await fetch(new URL("/evidence", gatewayUrl), { method: "POST", body: form, headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  return { status: response.status, body: (await response.json()) as UploadAnswer["body"] };
}

/** GETs `<gateway>/evidence/<id>`: the status, the bytes (or the error body) and the SHA-256 header. */
export async function downloadEvidence(gatewayUrl: string, token: string, id: string): Promise<{ status: number; bytes: Buffer; sha256Header: string | null }> {
  const response = await fetch(new URL(`/evidence/${id}`, gatewayUrl), { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), sha256Header: response.headers.get("x-kawal-evidence-sha256") };
}

/** Multipart head of a JPEG in the field "file", for hand-made uploads. */
function formHead(boundary: string): Buffer {
  return Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="bukti.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`);
}

/**
 * A phone that loses its connection mid-upload: sends half of `bytes`, waits until `received()` says the hub has
 * them, then drops the connection without finishing the request.
 */
export async function abandonedUpload(gatewayUrl: string, token: string, bytes: Buffer, received: () => boolean): Promise<void> {
  const boundary = "----kawal-gone";
  const request = http.request(new URL("/evidence", gatewayUrl), {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": `multipart/form-data; boundary=${boundary}` },
  });
  request.on("error", () => undefined); // the connection is dropped on purpose
  request.write(Buffer.concat([formHead(boundary), bytes.subarray(0, Math.floor(bytes.length / 2))]));
  for (let tries = 0; !received(); tries++) {
    if (tries > 100) throw new Error("the hub never received the first half");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  request.destroy();
}

/**
 * An upload whose form stops halfway through the file (the phone lost its connection; the request itself ends):
 * resolves with the gateway's status and body.
 */
export function cutOffUpload(gatewayUrl: string, token: string, bytes: Buffer): Promise<{ status: number; body: string }> {
  const boundary = "----kawal-cut";
  const head = formHead(boundary);
  return new Promise((resolve, reject) => {
    const request = http.request(new URL("/evidence", gatewayUrl), {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": `multipart/form-data; boundary=${boundary}` },
    });
    request.once("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    request.once("error", reject);
    request.end(Buffer.concat([head, bytes.subarray(0, Math.floor(bytes.length / 2))]));
  });
}
