import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, backends, integrator, ormasOf, startTestHub, TestHub } from "../support/hub";

type Errors = Array<{ message: string; extensions?: Record<string, unknown> }> | undefined;
const code = (errors: Errors) => errors?.[0]?.extensions?.code;

const SCHEDULE = `mutation ($input: ScheduleEventInput!) { scheduleEvent(input: $input) { id title organizer { id } speakers { organization { name } } } }`;
const ATTEND = `mutation ($e: ID!, $o: ID!, $n: Int!) { recordAttendance(eventId: $e, organizationId: $o, attendees: $n) { attendeeCount } }`;
const DECLARE = `mutation ($input: CreateDeclarationInput!) { createDeclaration(input: $input) { id title signatoryCount } }`;
const SIGN = `mutation ($d: ID!, $o: ID!, $s: String!) { signDeclaration(declarationId: $d, organizationId: $o, signedBy: $s) { signatoryCount signatures { organization { id } signedBy } } }`;
const REPORT = `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { id status occurredAt reportingDeadline severity reporter { id } history { status } } }`;
const REVIEW = `mutation ($id: ID!, $s: IncidentStatus!, $v: Severity, $n: String) { reviewIncident(id: $id, status: $s, severity: $v, note: $n) { status severity history { status note by { id } } } }`;

const hoaxInput = (overrides: Record<string, unknown> = {}) => ({
  category: "HOAX",
  channel: "MESSAGING",
  platform: "WhatsApp",
  title: "Pesan berantai: TPS dipindah",
  description: "Pesan berantai menyebut TPS di Manggar dipindah; tidak benar.",
  occurredAt: "2024-11-21T09:00:00+07:00",
  regionCode: "19.06.01",
  ...overrides,
});

describe("writes through the gateway, each with its role rule", async () => {
 for (const backend of await backends()) describe(`on ${backend}`, () => {
  let hub: TestHub;
  let ids: DemoIds;
  before(async () => {
    hub = await startTestHub(backend);
    ids = await loadDemoStory(hub);
  });
  after(() => hub.dispose());

  describe("scheduleEvent", () => {
    const input = (organizerId: string, overrides: Record<string, unknown> = {}) => ({
      title: "Pemantauan kampanye di Gantung",
      kind: "MONITORING",
      startsAt: "2024-11-15T09:00:00+07:00",
      regionCode: "19.06.02",
      organizerId,
      ...overrides,
    });
    test("an ormas schedules its own event, with an agency speaker", async () => {
      const { data, errors } = await hub.query<{ scheduleEvent: { organizer: { id: string }; speakers: Array<{ organization: { name: string } }> } }>(
        SCHEDULE,
        { input: input(ids.org.gantung, { speakers: [{ organizationId: ids.org.bawaslu, topic: "Pelaporan" }] }) },
        ormasOf(ids.org.gantung),
      );
      assert.equal(errors, undefined);
      assert.equal(data!.scheduleEvent.organizer.id, ids.org.gantung);
      assert.match(data!.scheduleEvent.speakers[0].organization.name, /Bawaslu|Pengawas/);
    });
    test("an ormas cannot schedule in another organization's name", async () => {
      const { errors } = await hub.query(SCHEDULE, { input: input(ids.org.pemuda) }, ormasOf(ids.org.gantung));
      assert.equal(code(errors), "FORBIDDEN");
    });
    test("the public cannot schedule", async () => {
      const { errors } = await hub.query(SCHEDULE, { input: input(ids.org.gantung) });
      assert.equal(code(errors), "UNAUTHENTICATED");
    });
    test("bad input names the field: an end before the start, an unknown organizer", async () => {
      const early = await hub.query(SCHEDULE, { input: input(ids.org.kesbangpol, { endsAt: "2024-11-15T08:00:00+07:00" }) }, agencyOf(ids.org.kesbangpol));
      assert.equal(code(early.errors), "BAD_USER_INPUT");
      assert.equal(early.errors![0].extensions!.field, "input.endsAt");
      const unknown = await hub.query(SCHEDULE, { input: input("999999") }, agencyOf(ids.org.kesbangpol));
      assert.equal(code(unknown.errors), "BAD_USER_INPUT");
      assert.equal(unknown.errors![0].extensions!.field, "input.organizerId");
    });
  });

  describe("recordAttendance", () => {
    test("the organizer records attendance; recording again replaces the count", async () => {
      const first = await hub.query<{ recordAttendance: { attendeeCount: number } }>(ATTEND, { e: ids.eventId, o: ids.org.kampit, n: 7 }, agencyOf(ids.org.kesbangpol));
      assert.equal(first.errors, undefined);
      assert.equal(first.data!.recordAttendance.attendeeCount, 51);
      const again = await hub.query<{ recordAttendance: { attendeeCount: number } }>(ATTEND, { e: ids.eventId, o: ids.org.kampit, n: 6 }, agencyOf(ids.org.kesbangpol));
      assert.equal(again.data!.recordAttendance.attendeeCount, 50);
    });
    test("an unrelated ormas cannot record attendance for another organization", async () => {
      const { errors } = await hub.query(ATTEND, { e: ids.eventId, o: ids.org.lsm, n: 3 }, ormasOf(ids.org.gantung));
      assert.equal(code(errors), "FORBIDDEN");
    });
    test("a negative head count is refused by name", async () => {
      const { errors } = await hub.query(ATTEND, { e: ids.eventId, o: ids.org.kampit, n: -1 }, agencyOf(ids.org.kesbangpol));
      assert.equal(code(errors), "BAD_USER_INPUT");
      assert.equal(errors![0].extensions!.field, "attendees");
    });
  });

  describe("declarations", () => {
    let declarationId: string;
    test("an agency creates a declaration", async () => {
      const { data, errors } = await hub.query<{ createDeclaration: { id: string; signatoryCount: number } }>(
        DECLARE,
        { input: { title: "Deklarasi Tolak Politik Uang", pledges: ["Menolak politik uang"], declaredAt: "2024-11-01T10:00:00+07:00", regionCode: "19.06.02" } },
        agencyOf(ids.org.bawaslu),
      );
      assert.equal(errors, undefined);
      assert.equal(data!.createDeclaration.signatoryCount, 0);
      declarationId = data!.createDeclaration.id;
    });
    test("a declaration without pledges is refused by name", async () => {
      const { errors } = await hub.query(DECLARE, { input: { title: "Kosong", pledges: [], declaredAt: "2024-11-01T10:00:00+07:00", regionCode: "19.06" } }, agencyOf(ids.org.bawaslu));
      assert.equal(code(errors), "BAD_USER_INPUT");
      assert.equal(errors![0].extensions!.field, "input.pledges");
    });
    test("an ormas signs for itself, and signing twice keeps one signature", async () => {
      const once = await hub.query<{ signDeclaration: { signatoryCount: number } }>(SIGN, { d: declarationId, o: ids.org.gantung, s: "Hasan Khayalan" }, ormasOf(ids.org.gantung));
      const twice = await hub.query<{ signDeclaration: { signatoryCount: number; signatures: Array<{ signedBy: string }> } }>(SIGN, { d: declarationId, o: ids.org.gantung, s: "Orang Lain" }, ormasOf(ids.org.gantung));
      assert.equal(once.data!.signDeclaration.signatoryCount, 1);
      assert.equal(twice.data!.signDeclaration.signatoryCount, 1);
      assert.equal(twice.data!.signDeclaration.signatures[0].signedBy, "Hasan Khayalan");
    });
    test("nobody signs in another organization's name, not even an agency", async () => {
      for (const caller of [ormasOf(ids.org.pemuda), agencyOf(ids.org.kesbangpol)]) {
        const { errors } = await hub.query(SIGN, { d: declarationId, o: ids.org.lsm, s: "Maya Fiksi" }, caller);
        assert.equal(code(errors), "FORBIDDEN");
      }
    });
    test("an empty signatory name is refused by name", async () => {
      const { errors } = await hub.query(SIGN, { d: declarationId, o: ids.org.lsm, s: "  " }, ormasOf(ids.org.lsm));
      assert.equal(code(errors), "BAD_USER_INPUT");
      assert.equal(errors![0].extensions!.field, "signedBy");
    });
  });

  describe("incident reports", () => {
    let reportId: string;
    test("an ormas reports a hoax; the deadline is the end of the seventh day after it happened, in Manggar's time (WIB)", async () => {
      const { data, errors } = await hub.query<{ reportIncident: { id: string; status: string; reportingDeadline: string; reporter: { id: string }; history: Array<{ status: string }> } }>(
        REPORT,
        { input: hoaxInput() },
        ormasOf(ids.org.pemuda),
      );
      assert.equal(errors, undefined);
      const report = data!.reportIncident;
      assert.equal(report.status, "RECEIVED");
      assert.equal(report.reportingDeadline, "2024-11-28T23:59:59+07:00");
      assert.equal(report.reporter.id, ids.org.pemuda, "the reporting organization sees itself as reporter");
      assert.deepEqual(report.history.map((change) => change.status), ["RECEIVED"]);
      reportId = report.id;
    });
    test("integrators and the public cannot file reports", async () => {
      assert.equal(code((await hub.query(REPORT, { input: hoaxInput() }, integrator(["read:incidents"]))).errors), "FORBIDDEN");
      assert.equal(code((await hub.query(REPORT, { input: hoaxInput() })).errors), "UNAUTHENTICATED");
    });
    test("bad reports are refused by field: a future date, a non-http link, an unknown region", async () => {
      for (const [overrides, field] of [
        [{ occurredAt: "2099-01-01T00:00:00+07:00" }, "input.occurredAt"],
        [{ occurredAt: "2023-12-01T00:00:00+07:00" }, "input.occurredAt"], // long before Pilkada 2024's calendar
        [{ url: "javascript:alert(1)" }, "input.url"],
        [{ regionCode: "19.99.99" }, "input.regionCode"],
        [{ title: "" }, "input.title"],
      ] as const) {
        const { errors } = await hub.query(REPORT, { input: hoaxInput(overrides) }, ormasOf(ids.org.pemuda));
        assert.equal(code(errors), "BAD_USER_INPUT", JSON.stringify(overrides));
        assert.equal(errors![0].extensions!.field, field);
      }
    });
    test("where no election is held, a report reaches back one year at most", async () => {
      const aceh = ormasOf(ids.org.pemuda, ["11"]);
      const old = await hub.query(REPORT, { input: hoaxInput({ regionCode: "11.01", occurredAt: new Date(Date.now() - 400 * 86_400_000).toISOString() }) }, aceh);
      assert.equal(code(old.errors), "BAD_USER_INPUT");
      assert.match(old.errors![0].message, /no election covers region 11.01/);
      const recent = await hub.query(REPORT, { input: hoaxInput({ regionCode: "11.01", occurredAt: new Date(Date.now() - 3 * 86_400_000).toISOString() }) }, aceh);
      assert.equal(recent.errors, undefined);
    });

    test("Bawaslu reviews the report: status history records who and when", async () => {
      const { data, errors } = await hub.query<{ reviewIncident: { status: string; severity: string; history: Array<{ status: string; note: string | null; by: { id: string } | null }> } }>(
        REVIEW,
        { id: reportId, s: "VERIFIED", v: "HIGH", n: "Terverifikasi" },
        agencyOf(ids.org.bawaslu),
      );
      assert.equal(errors, undefined);
      assert.equal(data!.reviewIncident.status, "VERIFIED");
      assert.equal(data!.reviewIncident.severity, "HIGH");
      const last = data!.reviewIncident.history.at(-1)!;
      assert.deepEqual([last.status, last.note, last.by?.id], ["VERIFIED", "Terverifikasi", ids.org.bawaslu]);
    });
    test("only agencies of the report's region review it", async () => {
      assert.equal(code((await hub.query(REVIEW, { id: reportId, s: "DISMISSED" }, ormasOf(ids.org.pemuda))).errors), "FORBIDDEN");
      assert.equal(code((await hub.query(REVIEW, { id: reportId, s: "DISMISSED" }, agencyOf("77", ["19.01"]))).errors), "FORBIDDEN");
    });
    test("reviewing a report that does not exist says so", async () => {
      const { errors } = await hub.query(REVIEW, { id: "999999", s: "VERIFIED" }, agencyOf(ids.org.bawaslu));
      assert.ok(["NOT_FOUND", "BAD_USER_INPUT"].includes(String(code(errors))), JSON.stringify(errors));
    });
    test("an agency's report lists count a new report and a review the moment they are made", async () => {
      const LISTS = `{ verified: incidentReports(filter: { regionCode: "19.06", status: VERIFIED }) { totalCount }
        newest: incidentReports(filter: { regionCode: "19.06" }, first: 1) { totalCount edges { node { id } } } }`;
      type Lists = { verified: { totalCount: number }; newest: { totalCount: number; edges: Array<{ node: { id: string } }> } };
      const officer = agencyOf(ids.org.bawaslu);
      const read = async () => (await hub.query<Lists>(LISTS, {}, officer)).data!;
      const before = await read();
      assert.deepEqual(await read(), before, "asked twice with nothing written, the lists answer the same");
      const filed = await hub.query<{ reportIncident: { id: string } }>(REPORT, { input: hoaxInput({ title: "Hoaks jadwal pencoblosan" }) }, ormasOf(ids.org.pemuda));
      assert.equal(filed.errors, undefined);
      const afterReport = await read();
      assert.equal(afterReport.newest.totalCount, before.newest.totalCount + 1);
      assert.equal(afterReport.newest.edges[0].node.id, filed.data!.reportIncident.id, "the new report heads the list");
      assert.equal(afterReport.verified.totalCount, before.verified.totalCount);
      assert.equal((await hub.query(REVIEW, { id: filed.data!.reportIncident.id, s: "VERIFIED" }, officer)).errors, undefined);
      assert.equal((await read()).verified.totalCount, before.verified.totalCount + 1);
    });
    test("whistleblower protection: the reporter is visible to the region's agencies and the reporter only", async () => {
      const read = async (caller: Parameters<TestHub["query"]>[2]) =>
        (await hub.query<{ incidentReport: { reporter: { id: string } | null } | null }>(`query ($id: ID!) { incidentReport(id: $id) { reporter { id } } }`, { id: reportId }, caller)).data?.incidentReport?.reporter ?? null;
      assert.deepEqual(await read(agencyOf(ids.org.bawaslu)), { id: ids.org.pemuda });
      assert.deepEqual(await read(ormasOf(ids.org.pemuda)), { id: ids.org.pemuda });
      assert.equal(await read(ormasOf(ids.org.gantung)), null);
      assert.equal(await read(agencyOf("77", ["19.01"])), null);
      assert.equal(await read(integrator(["read:incidents"])), null);
    });
  });

  describe("election corrections (KPU or Kesbangpol of the region)", () => {
    const CORRECT = `mutation ($id: ID!, $input: CorrectElectionInput!) { correctElection(id: $id, input: $input) { title campaignEndsOn votingDay } }`;
    const SET_PAIR = `mutation ($e: ID!, $n: Int!, $h: String!, $d: String!) { setCandidatePair(electionId: $e, ballotNumber: $n, headCandidate: $h, deputyCandidate: $d) { ballotNumber headCandidate election { id } } }`;
    const PAIRS = `query ($id: ID!) { election(id: $id) { title campaignEndsOn candidatePairs { ballotNumber headCandidate } } }`;
    const kesbangpol = () => agencyOf(ids.org.kesbangpol);

    test("Kesbangpol corrects the election's title; a calendar out of order is refused by name and changes nothing", async () => {
      const { data, errors } = await hub.query<{ correctElection: { title: string } }>(CORRECT, { id: ids.electionId, input: { title: "Pilkada Bupati dan Wakil Bupati Kabupaten Belitung Timur 2024" } }, kesbangpol());
      assert.equal(errors, undefined, JSON.stringify(errors));
      assert.equal(data!.correctElection.title, "Pilkada Bupati dan Wakil Bupati Kabupaten Belitung Timur 2024");
      const noQuiet = await hub.query(CORRECT, { id: ids.electionId, input: { campaignEndsOn: "2024-11-26" } }, kesbangpol());
      assert.equal(noQuiet.errors?.[0]?.extensions?.field, "input.votingDay");
      assert.match(String(noQuiet.errors?.[0]?.extensions?.rule), /quiet period/);
      const { data: read } = await hub.query<{ election: { campaignEndsOn: string } }>(PAIRS, { id: ids.electionId });
      assert.equal(read!.election.campaignEndsOn, "2024-11-23");
    });

    test("Kesbangpol adds a candidate pair and corrects its names by ballot number", async () => {
      const added = await hub.query(SET_PAIR, { e: ids.electionId, n: 4, h: "Joko Contoh Saputra", d: "Ani Fiktif Lestari" }, kesbangpol());
      assert.equal(added.errors, undefined, JSON.stringify(added.errors));
      const fixed = await hub.query(SET_PAIR, { e: ids.electionId, n: 4, h: "Joko Contoh Saputro", d: "Ani Fiktif Lestari" }, kesbangpol());
      assert.equal(fixed.errors, undefined, JSON.stringify(fixed.errors));
      const { data } = await hub.query<{ election: { candidatePairs: Array<{ ballotNumber: number; headCandidate: string }> } }>(PAIRS, { id: ids.electionId });
      assert.deepEqual(data!.election.candidatePairs.filter((pair) => pair.ballotNumber === 4), [{ ballotNumber: 4, headCandidate: "Joko Contoh Saputro" }]);
      const zero = await hub.query(SET_PAIR, { e: ids.electionId, n: 0, h: "X", d: "Y" }, kesbangpol());
      assert.equal(zero.errors?.[0]?.extensions?.field, "ballotNumber");
    });

    test("Bawaslu keeps no election data: its correction is refused", async () => {
      const { errors } = await hub.query(CORRECT, { id: ids.electionId, input: { title: "Judul lain" } }, agencyOf(ids.org.bawaslu));
      assert.equal(code(errors as Errors), "FORBIDDEN");
      assert.match(String((errors as Errors)?.[0]?.message), /KPU or Kesbangpol/);
    });
  });
});
});
