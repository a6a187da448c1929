import "reflect-metadata";
import { signToken } from "../../caller/tokens";
import { RunningHub, startHub } from "../../launcher/hub";
import type { SubgraphProcess } from "../../launcher/subgraph-processes";
import { Caller, CALLER_HEADER, claimsOf } from "../../caller/claims";
import type { HubConfig } from "../../platform/config";
import { mustGraphQL } from "../../platform/graphql-fetch";
import { loadDemo } from "../../launcher/demo";

/** The hub under measurement, with the headers one benchmark caller sends to each gateway. */
export interface BenchHub {
  hub: RunningHub<SubgraphProcess>;
  /** Our gateway's GraphQL URL. */
  url: string;
  /** The benchmark caller's signed bearer token. */
  token: string;
  /** Headers for our gateway: a signed bearer token. */
  ourHeaders: Record<string, string>;
  /** Headers for the plain gateway: the same caller's claims, which it passes through unverified. */
  plainHeaders: Record<string, string>;
  dispose(): Promise<void>;
}

/** A national AGENCY officer: sees every report and its reporter everywhere (regions "11" ... "96"). */
export function nationalAgency(): Caller {
  const provinces = ["11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36", "51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82", "91", "92", "93", "94", "95", "96"];
  return { sub: "bench-officer", role: "AGENCY", org: "1", regions: provinces, scopes: [] };
}

/**
 * Starts the whole hub on free loopback ports as `npm start` runs it: the five subgraphs in child processes
 * (one per core beyond the gateway's, launcher/subgraph-processes.ts), our gateway in this one (where a plain
 * gateway may run beside it, measured one at a time).
 */
export async function startBenchHub(config: HubConfig, caller: Caller = nationalAgency()): Promise<BenchHub> {
  const hub = await startHub({ ...config, host: "127.0.0.1" }, { port: 0, freePorts: true, subgraphs: "forked" });
  const token = await signToken(config.jwtSecret!, caller, "12h");
  return {
    hub,
    url: hub.gateway.url,
    token,
    ourHeaders: { authorization: `Bearer ${token}` },
    plainHeaders: { [CALLER_HEADER]: JSON.stringify(claimsOf(caller)) },
    dispose: () => hub.dispose(),
  };
}

/** Loads the demo story through the gateway at `url` and returns the Manggar socialization event's id, which the story's operation asks for. */
export async function loadBenchDemo(url: string, config: HubConfig): Promise<string> {
  await loadDemo(url, config);
  const { events } = await mustGraphQL<{ events: { edges: Array<{ node: { id: string } }> } }>(
    url,
    `{ events(filter: { regionCode: "19.06.01", kind: SOCIALIZATION }, first: 1) { edges { node { id } } } }`,
  );
  const eventId = events.edges[0]?.node.id;
  if (!eventId) throw new Error("the demo has no Manggar socialization event");
  return eventId;
}
