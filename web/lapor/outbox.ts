import { ApiAnswer, ApiError, graphql, NoAnswer } from "../shared/graphql";

/*
 * Reports written on this phone, kept in localStorage until the hub has stored them: each gets its own
 * idempotency key when written, so sending it again after a lost answer or a reload never files it twice.
 */

export interface ReportInput {
  category: string;
  channel: string;
  platform?: string;
  url?: string;
  title: string;
  description: string;
  occurredAt: string;
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
function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Keeps a new report on the phone, before any attempt to send it. */
export function addToOutbox(input: ReportInput): OutboxEntry {
  const entry: OutboxEntry = { key: newKey(), input, savedAt: new Date().toISOString(), state: "waiting" };
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

async function sendWaiting(accessToken: () => Promise<string | null>): Promise<void> {
  for (const entry of loadOutbox().filter((candidate) => candidate.state === "waiting")) {
    const token = await accessToken();
    if (!token) return;
    let answer: ApiAnswer<{ reportIncident: Filed }>;
    try {
      answer = await graphql<{ reportIncident: Filed }>(REPORT, { input: { ...entry.input, idempotencyKey: entry.key } }, token);
    } catch (error) {
      if (error instanceof NoAnswer) return;
      throw error;
    }
    if (answer.data?.reportIncident) {
      update(entry.key, { state: "sent", filed: answer.data.reportIncident });
      continue;
    }
    const code = answer.errors?.[0]?.extensions?.code;
    // Bad input is final; anything else (expired token, storage unavailable, rate limit) is tried again later.
    if (code === "BAD_USER_INPUT" || code === "FORBIDDEN") update(entry.key, { state: "rejected", errors: answer.errors });
    else return;
  }
}
