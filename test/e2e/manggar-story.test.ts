import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DemoIds, loadDemoStory, MANGGAR } from "../support/demo";
import { agencyOf, backends, startTestHub, TestHub } from "../support/hub";

interface StoryEvent {
  kind: string;
  region: { code: string; name: string; parent: { name: string } };
  organizer: { agencyType: string };
  speakers: Array<{ organization: { agencyType: string } }>;
  participants: Array<{ attendees: number }>;
  attendeeCount: number;
  declarations: Array<{ title: string; signatoryCount: number; signatures: unknown[] }>;
  election: { office: string; votingDay: string; quiet: string; candidatePairs: unknown[] };
}

describe("the Manggar story through one gateway", async () => {
 for (const backend of await backends()) describe(`on ${backend}`, () => {
  let hub: TestHub;
  let ids: DemoIds;
  before(async () => {
    hub = await startTestHub(backend);
    ids = await loadDemoStory(hub);
  });
  after(() => hub.dispose());

  test("Kesbangpol's socialization event in Manggar reads across all five subgraphs in one query", async () => {
    const { data, errors } = await hub.query<{ event: StoryEvent }>(MANGGAR, { id: ids.eventId }, agencyOf(ids.org.kesbangpol));
    assert.equal(errors, undefined);
    const event = data!.event;
    assert.equal(event.kind, "SOCIALIZATION");
    assert.deepEqual(event.region, { code: "19.06.01", name: "Manggar", parent: { name: "Kabupaten Belitung Timur" } });
    assert.equal(event.organizer.agencyType, "KESBANGPOL");
    assert.deepEqual(
      event.speakers.map((speaker) => speaker.organization.agencyType).sort(),
      ["BAWASLU", "POLICE", "PROSECUTOR"],
    );
    assert.equal(event.attendeeCount, 50);
    assert.equal(event.participants.reduce((sum, participation) => sum + participation.attendees, 0), 50);
    assert.ok(event.participants.length >= 4, "the 50 attendees come from several organizations");
    const [declaration] = event.declarations;
    assert.equal(declaration.title, "Deklarasi Pilkada Damai 2024");
    assert.equal(declaration.signatoryCount, declaration.signatures.length);
    assert.ok(declaration.signatoryCount >= 3);
    assert.equal(event.election.office, "REGENT");
    assert.equal(event.election.votingDay, "2024-11-27");
    assert.equal(event.election.quiet, "QUIET_PERIOD");
    assert.ok(event.election.candidatePairs.length >= 2);
  });

  test("a second demo load adds nothing", async () => {
    const count = async () =>
      (await hub.query<{ organizations: { totalCount: number } }>(`{ organizations(first: 0) { totalCount } }`)).data!.organizations.totalCount;
    const before = await count();
    await loadDemoStory(hub);
    assert.equal(await count(), before);
  });
});
});
