import { signToken } from "../../caller/tokens";
import { Caller, CALLER_HEADER, claimsOf } from "../../caller/claims";
import { mustGraphQL } from "../../platform/graphql-fetch";
import { regionCatalog } from "../../subgraphs/kit/regions";
import { IncidentCategory } from "../../subgraphs/incidents/entities";
import { nationalAgency } from "./bench-hub";
import { body } from "./loadgen";
import { DIRECTORY, INCIDENTS, MANGGAR } from "./operations";
import { Prng, seedOf } from "./prng";
import { distinctDraws } from "./scale-bench";

/*
 * The three loads of the comparison with Hive Gateway (issue 19), each over the same three operations:
 * one caller repeating one request; many callers with the same rights repeating it; and one caller whose
 * every request differs (a region, page size, category or time), so no cache or in-flight merge answers it.
 */

export type HiveLoadKind = "repeat" | "sameRights" | "distinct";

/** Each load's name and the target for ours / Hive + Rust planner (req/s). */
export const HIVE_LOADS: Record<HiveLoadKind, { name: string; target: number }> = {
  repeat: { name: "one caller repeating", target: 4 },
  sameRights: { name: "many callers, same rights", target: 2 },
  distinct: { name: "distinct requests", target: 1.2 },
};

export const HIVE_OPERATIONS = ["directory page", "Manggar story (five subgraphs)", "incident list (AGENCY)"] as const;
export type HiveOperation = (typeof HIVE_OPERATIONS)[number];

/** One bench caller as each kind of gateway takes it: a signed token, or (the plain gateway) its claims. */
export interface BenchCaller {
  bearer: Record<string, string>;
  claims: Record<string, string>;
}

async function benchCaller(jwtSecret: string, caller: Caller): Promise<BenchCaller> {
  return { bearer: { authorization: `Bearer ${await signToken(jwtSecret, caller, "12h")}` }, claims: { [CALLER_HEADER]: JSON.stringify(claimsOf(caller)) } };
}

/** `count` national AGENCY officers of one organization, differing only in `sub`. */
export function sameRightsCallers(jwtSecret: string, count: number): Promise<BenchCaller[]> {
  return Promise.all(Array.from({ length: count }, (_, n) => benchCaller(jwtSecret, { ...nationalAgency(), sub: `bench-officer-${n + 1}` })));
}

export function oneCaller(jwtSecret: string): Promise<BenchCaller> {
  return benchCaller(jwtSecret, nationalAgency());
}

/** The Manggar story with the election's phase asked at a time of the caller's choosing. */
const MANGGAR_AT = MANGGAR.replace("query Manggar($id: ID!)", "query Manggar($id: ID!, $at: String)").replace(/phase\(at: "[^"]+"\)/, "phase(at: $at)");

/** The repeated request of each operation (the gateway comparison's). */
export function repeatedBodies(eventId: string): Record<HiveOperation, string> {
  return {
    "directory page": body(DIRECTORY, { region: "19.06", first: 20 }),
    "Manggar story (five subgraphs)": body(MANGGAR, { id: eventId }),
    "incident list (AGENCY)": body(INCIDENTS, { region: "19.06", first: 20 }),
  };
}

/**
 * Distinct requests over the demo's province (Bangka Belitung, where its data lies): the directory of any of
 * its 448 regions with a page size of 1 to 60; the incident list of any of them, one category or all, 1 to 30
 * a page; the story of any demo event with the election's phase at a different minute each time.
 */
export async function distinctBodies(gatewayUrl: string, count: number): Promise<Record<HiveOperation, string[]>> {
  const prng = new Prng(seedOf("hive distinct loads"));
  const regions = [...regionCatalog().values()].filter((region) => region.code.startsWith("19")).map((region) => region.code);
  const categories = [null, ...Object.values(IncidentCategory)];
  const { events } = await mustGraphQL<{ events: { edges: Array<{ node: { id: string } }> } }>(gatewayUrl, "{ events(first: 100) { edges { node { id } } } }");
  const eventIds = events.edges.map((edge) => edge.node.id);
  const start = Date.parse("2024-09-01T00:00:00+07:00");
  const directory = distinctDraws(count, () => JSON.stringify({ region: prng.pick(regions), first: prng.int(1, 60) }));
  const incidents = distinctDraws(count, () => {
    const category = prng.pick(categories);
    return JSON.stringify({ region: prng.pick(regions), ...(category ? { categories: [category] } : {}), first: prng.int(1, 30) });
  });
  const stories = distinctDraws(count, () => JSON.stringify({ id: prng.pick(eventIds), at: new Date(start + prng.int(0, 200_000) * 60_000).toISOString() }));
  return {
    "directory page": directory.map((variables) => body(DIRECTORY, JSON.parse(variables) as Record<string, unknown>)),
    "Manggar story (five subgraphs)": stories.map((variables) => body(MANGGAR_AT, JSON.parse(variables) as Record<string, unknown>)),
    "incident list (AGENCY)": incidents.map((variables) => body(INCIDENTS, JSON.parse(variables) as Record<string, unknown>)),
  };
}
