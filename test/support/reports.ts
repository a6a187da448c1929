import type { Caller } from "../../caller/claims";
import { HubConfig } from "../../platform/config";
import { startSubgraph } from "../../subgraphs/kit/subgraph";
import { SUBGRAPHS } from "../../subgraphs";
import type { TestHub } from "./hub";

export const REPORT = `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { id title } }`;

/** A hoax report of the story (Manggar, a WhatsApp chain message), with its own title. */
export function hoaxReport(title: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    category: "HOAX",
    channel: "MESSAGING",
    platform: "WhatsApp",
    title,
    description: "Pesan berantai menyebut TPS di Manggar dipindah; tidak benar.",
    occurredAt: "2024-11-21T09:00:00+07:00",
    regionCode: "19.06.01",
    ...overrides,
  };
}

/** What a volunteer's phone learns of one report it sent: the id it was given, or the error code. */
export interface Filed {
  title: string;
  id?: string;
  code?: string;
}

/** Files a report through the gateway as `caller`. */
export async function fileReport(hub: TestHub, caller: Caller, input: Record<string, unknown>): Promise<Filed> {
  const { data, errors } = await hub.query<{ reportIncident: { id: string } }>(REPORT, { input }, caller);
  return { title: String(input.title), id: data?.reportIncident?.id, code: errors?.[0]?.extensions?.code as string | undefined };
}

/** A stored alert and the title of the report it points at. */
export interface StoredAlert {
  sequence: number;
  reportId: number;
  title: string;
}

/** What the incidents database holds once the hub has stopped, read by a fresh incidents instance. */
export interface StoredIncidents {
  reports: Array<{ id: number; title: string }>;
  alerts: StoredAlert[];
}

/** Starts the incidents subgraph again on `config` (a restart), reads what it has stored, and stops it. */
export async function readStoredIncidents(config: HubConfig): Promise<StoredIncidents> {
  const incidents = await startSubgraph(SUBGRAPHS.incidents, config, { port: 0, host: "127.0.0.1" });
  try {
    const reports = (await incidents.db.query("SELECT id, title FROM incident_reports ORDER BY id")) as Array<{ id: number; title: string }>;
    const alerts = (await incidents.db.query(
      "SELECT a.sequence AS sequence, a.reportId AS reportId, r.title AS title FROM incident_alerts a JOIN incident_reports r ON r.id = a.reportId ORDER BY a.sequence",
    )) as StoredAlert[];
    return { reports: reports.map((row) => ({ id: Number(row.id), title: row.title })), alerts: alerts.map((row) => ({ ...row, sequence: Number(row.sequence), reportId: Number(row.reportId) })) };
  } finally {
    await incidents.dispose();
  }
}

/** GETs a subgraph's plain route (/ready, /ready/writes) next to its GraphQL endpoint. */
export async function subgraphRoute(graphqlUrl: string, route: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(new URL(route, graphqlUrl));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
