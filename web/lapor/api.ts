import { graphql } from "../shared/graphql";

export interface Region {
  code: string;
  name: string;
}

export interface CandidatePair {
  id: string;
  ballotNumber: number;
  headCandidate: string;
  deputyCandidate: string;
}

export interface OwnReport {
  id: string;
  title: string;
  category: string;
  status: string;
  reportingDeadline: string;
  region: { code: string };
  reporter: { id: string } | null;
}

const REGIONS = `query Regions($parent: ID) { regions(parentCode: $parent) { code name } }`;

/** Regions under `parent` (the provinces without it), remembered on the phone for opening with no signal. */
export async function regionsUnder(parent: string | null): Promise<Region[]> {
  const cacheKey = `kawal.regions.${parent ?? "root"}`;
  try {
    const { data } = await graphql<{ regions: Region[] }>(REGIONS, { parent });
    if (data?.regions) {
      localStorage.setItem(cacheKey, JSON.stringify(data.regions));
      return data.regions;
    }
  } catch {
    // No signal: the remembered list below.
  }
  return JSON.parse(localStorage.getItem(cacheKey) ?? "[]") as Region[];
}

const ELECTIONS = `query Elections($region: String) { elections(regionCode: $region) { id title region { code } candidatePairs { id ballotNumber headCandidate deputyCandidate } } }`;

/** The candidate pairs of the elections that cover a district (its regency's and its province's). */
export async function candidatePairsFor(districtCode: string): Promise<Array<CandidatePair & { election: string }>> {
  const cacheKey = `kawal.pairs.${districtCode}`;
  try {
    const { data } = await graphql<{ elections: Array<{ title: string; region: { code: string }; candidatePairs: CandidatePair[] }> }>(ELECTIONS, { region: districtCode.slice(0, 2) });
    if (data?.elections) {
      const pairs = data.elections
        .filter((election) => districtCode === election.region.code || districtCode.startsWith(`${election.region.code}.`))
        .flatMap((election) => election.candidatePairs.map((pair) => ({ ...pair, election: election.title })));
      localStorage.setItem(cacheKey, JSON.stringify(pairs));
      return pairs;
    }
  } catch {
    // No signal: the remembered list below.
  }
  return JSON.parse(localStorage.getItem(cacheKey) ?? "[]") as Array<CandidatePair & { election: string }>;
}

const REPORTS = `query Own($region: String) { incidentReports(filter: { regionCode: $region }, first: 50) { edges { node { id title category status reportingDeadline region { code } reporter { id } } } } }`;

/** The organization's own reports in its regions, newest first. */
export async function ownReports(accessToken: string, regions: string[], organizationId: string): Promise<OwnReport[]> {
  const found: OwnReport[] = [];
  for (const region of regions) {
    const { data } = await graphql<{ incidentReports: { edges: Array<{ node: OwnReport }> } }>(REPORTS, { region }, accessToken);
    found.push(...(data?.incidentReports.edges.map((edge) => edge.node).filter((report) => report.reporter?.id === organizationId) ?? []));
  }
  return found;
}
