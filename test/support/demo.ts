import { loadDemo } from "../../launcher/demo";
import { TestHub } from "./hub";

/** The Manggar story: the socialization event read across all five subgraphs in one query. */
export const MANGGAR = `query Manggar($id: ID!) {
  event(id: $id) {
    title kind startsAt
    region { code name parent { name } }
    organizer { name agencyType }
    speakers { organization { name agencyType } topic }
    participants { organization { name } attendees }
    attendeeCount
    declarations { title pledges signatoryCount signatures { organization { name } signedBy } }
    election {
      title office votingDay
      quiet: phase(at: "2024-11-25T10:00:00+07:00")
      candidatePairs { ballotNumber headCandidate deputyCandidate }
    }
  }
}`;

/** The ids of the demo story, looked up by name through the gateway. */
export interface DemoIds {
  org: Record<"kesbangpol" | "bawaslu" | "police" | "prosecutor" | "pemuda" | "gantung" | "lsm" | "kampit", string>;
  eventId: string;
  declarationId: string;
  electionId: string;
  candidatePairIds: string[];
}

const NAMES: Record<keyof DemoIds["org"], string> = {
  kesbangpol: "Kesatuan Bangsa dan Politik Kabupaten Belitung Timur",
  bawaslu: "Badan Pengawas Pemilihan Umum Kabupaten Belitung Timur",
  police: "Satuan Intelkam Polres Belitung Timur",
  prosecutor: "Seksi Intelijen Kejaksaan Negeri Manggar",
  pemuda: "Perkumpulan Pemuda Peduli Manggar",
  gantung: "Forum Masyarakat Gantung Bersatu",
  lsm: "Lembaga Informasi Damai Belitung Timur",
  kampit: "Yayasan Cahaya Kelapa Kampit",
};

/** Loads the Belitung Timur demo into a test hub and returns its ids. */
export async function loadDemoStory(test: TestHub): Promise<DemoIds> {
  await loadDemo(test.url, test.hub.config);
  const org = {} as DemoIds["org"];
  for (const [key, name] of Object.entries(NAMES) as Array<[keyof DemoIds["org"], string]>) {
    const { data } = await test.query<{ organizations: { edges: Array<{ node: { id: string } }> } }>(
      `query ($s: String!) { organizations(filter: { search: $s }, first: 1) { edges { node { id } } } }`,
      { s: name },
    );
    org[key] = data!.organizations.edges[0].node.id;
  }
  const { data } = await test.query<{
    events: { edges: Array<{ node: { id: string; declarations: Array<{ id: string }>; election: { id: string; candidatePairs: Array<{ id: string }> } } }> };
  }>(`{ events(filter: { regionCode: "19.06.01", kind: SOCIALIZATION }) { edges { node { id declarations { id } election { id candidatePairs { id } } } } } }`);
  const event = data!.events.edges[0].node;
  return {
    org,
    eventId: event.id,
    declarationId: event.declarations[0].id,
    electionId: event.election.id,
    candidatePairIds: event.election.candidatePairs.map((pair) => pair.id),
  };
}
