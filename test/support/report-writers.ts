import http from "node:http";
import { REPORT } from "./reports";

/*
 * Ormas volunteers filing black-campaign reports through the gateway, as the fault tests need them: in a
 * loop, under load, or one slow upload that a stop catches halfway.
 */

export const READ_REPORT = `query ($id: ID!) { incidentReport(id: $id) { id title } }`;

let serial = 0;

/** A black-campaign report in Manggar, its title unique in this test process. */
export function reportInput(title = `Unggahan fitnah #${++serial}`): Record<string, unknown> {
  return {
    category: "BLACK_CAMPAIGN",
    channel: "SOCIAL_MEDIA",
    platform: "Facebook",
    title,
    description: "Akun anonim memfitnah pasangan calon.",
    occurredAt: "2024-11-20T20:00:00+07:00",
    regionCode: "19.06.01",
  };
}

/** How one request ended for the client. */
export type Outcome =
  | { kind: "acknowledged"; id: string }
  /** An HTTP answer without a report id: a refusal (503 while stopping), GraphQL errors, or another operation's data. */
  | { kind: "answered"; status: number; retryAfter: string | null; code: unknown; message: string; data: unknown }
  /** No HTTP answer: the connection was refused or cut. */
  | { kind: "no answer"; reason: string };

interface ReportBody {
  data?: { reportIncident?: { id: string } | null; [field: string]: unknown } | null;
  errors?: Array<{ message: string; extensions?: { code?: unknown } }>;
}

/** POSTs a GraphQL request body and tells how it ended. */
export async function send(url: string, headers: Record<string, string>, body: string): Promise<Outcome> {
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { kind: "no answer", reason: cause?.code ?? cause?.message ?? String(error) };
  }
  let parsed: ReportBody;
  try {
    parsed = (await response.json()) as ReportBody;
  } catch (error) {
    return { kind: "no answer", reason: `the answer was cut: ${String(error)}` };
  }
  return outcomeOf(response.status, response.headers.get("retry-after"), parsed);
}

function outcomeOf(status: number, retryAfter: string | null, body: ReportBody): Outcome {
  const id = body.data?.reportIncident?.id;
  if (status === 200 && id && !body.errors) return { kind: "acknowledged", id };
  return { kind: "answered", status, retryAfter, code: body.errors?.[0]?.extensions?.code, message: body.errors?.[0]?.message ?? "", data: body.data };
}

/** Files one report through the gateway at `url`. */
export function sendReport(url: string, token: string): Promise<Outcome> {
  return send(url, { authorization: `Bearer ${token}` }, JSON.stringify({ query: REPORT, variables: { input: reportInput() } }));
}

/**
 * Volunteers filing reports one after the other, each until its first request that is not acknowledged
 * (as an app would then wait for Retry-After before sending again).
 */
export class ReportWriters {
  /** Ids of every acknowledged report, in no particular order. */
  readonly acknowledged: string[] = [];
  /** How each writer's last request ended (the one that stopped it). */
  readonly endings: Outcome[] = [];
  private readonly loops: Promise<void>[];

  constructor(url: string, tokens: string[]) {
    this.loops = tokens.map(async (token) => {
      for (;;) {
        const outcome = await sendReport(url, token);
        if (outcome.kind !== "acknowledged") {
          this.endings.push(outcome);
          return;
        }
        this.acknowledged.push(outcome.id);
      }
    });
  }

  /** Resolves once `count` reports were acknowledged in all (or every writer stopped). */
  async untilAcknowledged(count: number): Promise<void> {
    let stopped = false;
    void Promise.all(this.loops).then(() => (stopped = true));
    while (!stopped && this.acknowledged.length < count) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** Resolves once every writer has stopped. */
  async stopped(): Promise<void> {
    await Promise.all(this.loops);
  }
}

/** A report upload that stalls halfway: a volunteer on a weak connection. */
export interface SlowUpload {
  /** Resolves once the server has taken the request (it answered `Expect: 100-continue`) and half the body is sent. */
  inFlight: Promise<void>;
  /** Sends the rest of the body. */
  finish(): void;
  /** The answer; `no answer` when the connection was cut. */
  outcome: Promise<Outcome>;
}

/** Starts a report upload to `url` (a gateway or subgraph GraphQL endpoint) that stops halfway. */
export function slowUpload(url: string, headers: Record<string, string>, body: string = JSON.stringify({ query: REPORT, variables: { input: reportInput() } })): SlowUpload {
  const bytes = Buffer.from(body);
  const half = Math.floor(bytes.length / 2);
  const request = http.request(url, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json", "content-length": String(bytes.length), expect: "100-continue" },
    // A connection of its own: a pooled one could be one the server is about to close as idle.
    agent: false,
  });
  const inFlight = new Promise<void>((resolve, reject) => {
    request.once("continue", () => request.write(bytes.subarray(0, half), () => resolve()));
    request.once("error", reject);
  });
  const outcome = new Promise<Outcome>((resolve) => {
    request.once("error", (error: NodeJS.ErrnoException) => resolve({ kind: "no answer", reason: error.code ?? error.message }));
    request.once("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.once("error", (error: NodeJS.ErrnoException) => resolve({ kind: "no answer", reason: error.code ?? error.message }));
      response.once("end", () => {
        const retryAfter = response.headers["retry-after"];
        resolve(outcomeOf(response.statusCode ?? 0, typeof retryAfter === "string" ? retryAfter : null, JSON.parse(Buffer.concat(chunks).toString("utf8")) as ReportBody));
      });
    });
  });
  request.flushHeaders();
  return { inFlight, finish: () => request.end(bytes.subarray(half)), outcome };
}

/** Demo organizations the fault tests act as. */
export const PEMUDA = "Perkumpulan Pemuda Peduli Manggar";
export const KESBANGPOL = "Kesatuan Bangsa dan Politik Kabupaten Belitung Timur";

/** The id of a demo organization, looked up by name through the gateway (the directory is public). */
export async function findOrganization(url: string, name: string): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: `query ($s: String!) { organizations(filter: { search: $s }, first: 1) { edges { node { id } } } }`, variables: { s: name } }),
  });
  const body = (await response.json()) as { data?: { organizations: { edges: Array<{ node: { id: string } }> } } };
  const id = body.data?.organizations.edges[0]?.node.id;
  if (!id) throw new Error(`no organization named ${name}: ${JSON.stringify(body)}`);
  return id;
}

/** Waits until `condition` holds, checking every 10 ms. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
