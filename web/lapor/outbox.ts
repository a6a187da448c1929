import { ApiAnswer, ApiError, graphql, NoAnswer } from "../shared/graphql";
import { forgetPhotos, markUploaded, photoById } from "./photos";

/*
 * Reports written on this phone, kept in localStorage until the hub has stored them: each gets its own
 * idempotency key when written, so sending it again after a lost answer or a reload never files it twice.
 * A report's photos (photos.ts) are uploaded first, each once, and sent as its evidenceIds.
 */

export interface ReportInput {
  category: string;
  channel: string;
  platform?: string;
  url?: string;
  title: string;
  description: string;
  occurredAt: string;
  /** When the volunteer saw it (diketahui); absent: when it happened. */
  discoveredAt?: string;
  regionCode: string;
  candidatePairId?: string;
}

export interface Filed {
  id: string;
  status: string;
  reportingDeadline: string;
}

export interface OutboxEntry {
  /** The idempotency key, also this entry's id. */
  key: string;
  input: ReportInput;
  /** The report's evidence photos on this phone (photos.ts), uploaded before the report is sent. */
  photoIds?: string[];
  savedAt: string;
  /** waiting: not yet stored by the hub; sent: stored (`filed`); rejected: the hub refused it (`errors`). */
  state: "waiting" | "sent" | "rejected";
  filed?: Filed;
  errors?: ApiError[];
}

const STORAGE_KEY = "kawal.lapor.outbox";

const REPORT = `mutation Lapor($input: ReportIncidentInput!) { reportIncident(input: $input) { id status reportingDeadline } }`;

export function loadOutbox(): OutboxEntry[] {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "[]") as OutboxEntry[];
  } catch {
    return [];
  }
}

function saveOutbox(entries: OutboxEntry[]): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(entries));
}

function update(key: string, change: Partial<OutboxEntry>): void {
  saveOutbox(loadOutbox().map((entry) => (entry.key === key ? { ...entry, ...change } : entry)));
}

export function removeEntry(key: string): void {
  saveOutbox(loadOutbox().filter((entry) => entry.key !== key));
}

/** A random UUID (v4), also where crypto.randomUUID is missing (an insecure context). */
export function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Keeps a new report on the phone, before any attempt to send it. */
export function addToOutbox(input: ReportInput, photoIds: string[] = []): OutboxEntry {
  const entry: OutboxEntry = { key: newKey(), input, photoIds, savedAt: new Date().toISOString(), state: "waiting" };
  saveOutbox([...loadOutbox(), entry]);
  return entry;
}

let flushing: Promise<void> | undefined;

/**
 * Sends every waiting report, oldest first, with its key; stops at the first one the network or the hub
 * could not take (it stays waiting). One flush at a time: a second call waits for the running one.
 */
export function flushOutbox(accessToken: () => Promise<string | null>): Promise<void> {
  flushing ??= sendWaiting(accessToken).finally(() => {
    flushing = undefined;
  });
  return flushing;
}

/** The photo could not be uploaded now (no signal, token, hub busy): the report waits. */
class NotYet extends Error {}

/** A photo the hub refused (not an image, too large): the report is rejected with it, under evidenceIds. */
class PhotoRefused extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
  }
}

/** The evidence id of a kept photo: its stored id, or a new upload whose id is stored before it is used. */
async function uploaded(photoId: string, token: string): Promise<string> {
  const photo = await photoById(photoId);
  if (!photo) throw new PhotoRefused({ message: "photo missing", extensions: { field: "input.evidenceIds", rule: "photo no longer on this phone" } });
  if (photo.evidenceId) return photo.evidenceId;
  const form = new FormData();
  form.append("file", photo.blob, photo.name);
  // The photo's own id is its key: an upload whose answer was lost, sent again, gets the same evidence id back.
  const headers = { authorization: `Bearer ${token}`, "idempotency-key": photo.id };
  const response = await fetch("/evidence", { method: "POST", headers, body: form }).catch(() => null);
  if (!response) throw new NotYet();
  const body = (await response.json().catch(() => ({}))) as { id?: string; error?: { code?: string; message?: string; rule?: string } };
  if (response.status === 201 && body.id) {
    await markUploaded(photoId, body.id);
    return body.id;
  }
  if (body.error?.code === "BAD_USER_INPUT") throw new PhotoRefused({ message: body.error.message ?? "", extensions: { code: "BAD_USER_INPUT", field: "input.evidenceIds", rule: body.error.rule } });
  throw new NotYet();
}

async function sendWaiting(accessToken: () => Promise<string | null>): Promise<void> {
  for (const entry of loadOutbox().filter((candidate) => candidate.state === "waiting")) {
    const token = await accessToken();
    if (!token) return;
    const evidenceIds: string[] = [];
    try {
      for (const photoId of entry.photoIds ?? []) evidenceIds.push(await uploaded(photoId, token));
    } catch (error) {
      if (error instanceof NotYet) return;
      if (!(error instanceof PhotoRefused)) throw error;
      update(entry.key, { state: "rejected", errors: [error.error] });
      continue;
    }
    let answer: ApiAnswer<{ reportIncident: Filed }>;
    try {
      const input = { ...entry.input, ...(evidenceIds.length ? { evidenceIds } : {}), idempotencyKey: entry.key };
      answer = await graphql<{ reportIncident: Filed }>(REPORT, { input }, token);
    } catch (error) {
      if (error instanceof NoAnswer) return;
      throw error;
    }
    if (answer.data?.reportIncident) {
      update(entry.key, { state: "sent", filed: answer.data.reportIncident });
      // Attached to the stored report: the phone no longer needs them.
      await forgetPhotos(entry.photoIds ?? []);
      continue;
    }
    const code = answer.errors?.[0]?.extensions?.code;
    // Bad input is final; anything else (expired token, storage unavailable, rate limit) is tried again later.
    if (code === "BAD_USER_INPUT" || code === "FORBIDDEN") update(entry.key, { state: "rejected", errors: answer.errors });
    else return;
  }
}
