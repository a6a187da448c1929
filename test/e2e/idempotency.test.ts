import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { dropExpiredKeys } from "../../subgraphs/kit/idempotency";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, backends, ormasOf, startTestHub, TestHub } from "../support/hub";
import { fileReport, hoaxReport } from "../support/reports";

type Errors = Array<{ message: string; extensions?: Record<string, unknown> }> | undefined;

const DAY = 24 * 60 * 60 * 1000;

interface Attendance {
  recordAttendance: { participants: Array<{ organization: { id: string }; attendees: number }> };
}

describe("idempotency keys: a retried write is never a second one", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      let hub: TestHub;
      let ids: DemoIds;
      before(async () => {
        hub = await startTestHub(backend, { KAWAL_RATE_LIMIT_MUTATIONS: "0" });
        ids = await loadDemoStory(hub);
      });
      after(() => hub.dispose());

      const storedTitled = async (title: string) =>
        ((await hub.hub.subgraphs.incidents.db.query("SELECT id FROM incident_reports WHERE title = ?", [title])) as Array<{ id: number }>).map((row) => String(row.id));

      test("a phone that sends the same report five times at once, with one key, stores one report and hears the same id five times", async () => {
        const volunteer = ormasOf(ids.org.gantung);
        const input = hoaxReport("Hoaks dikirim ulang oleh sinyal lemah", { idempotencyKey: "gantung-2024-11-21-001" });
        const answers = await Promise.all(Array.from({ length: 5 }, () => fileReport(hub, volunteer, input)));
        const stored = await storedTitled(String(input.title));
        assert.equal(stored.length, 1);
        assert.deepEqual(answers.map((answer) => answer.id), Array(5).fill(stored[0]));
      });

      test("the same key with another report is refused, naming the rule, and stores nothing", async () => {
        const volunteer = ormasOf(ids.org.gantung);
        const first = await fileReport(hub, volunteer, hoaxReport("Hoaks pertama", { idempotencyKey: "gantung-kunci-ganda" }));
        assert.ok(first.id);
        const { errors } = await hub.query(`mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }`, { input: hoaxReport("Hoaks lain dengan kunci sama", { idempotencyKey: "gantung-kunci-ganda" }) }, volunteer);
        const error = (errors as Errors)?.[0];
        assert.equal(error?.extensions?.code, "BAD_USER_INPUT");
        assert.equal(error?.extensions?.field, "input.idempotencyKey");
        assert.equal(error?.extensions?.rule, "idempotency key reused with another input");
        assert.deepEqual(await storedTitled("Hoaks lain dengan kunci sama"), []);
      });

      test("two volunteers who happen to pick the same key each get their own report", async () => {
        const a = await fileReport(hub, ormasOf(ids.org.pemuda), hoaxReport("Hoaks dari Pemuda", { idempotencyKey: "kunci-umum-1" }));
        const b = await fileReport(hub, ormasOf(ids.org.lsm), hoaxReport("Hoaks dari LSM", { idempotencyKey: "kunci-umum-1" }));
        assert.ok(a.id && b.id && a.id !== b.id);
      });

      test("a key that is not a short visible string is refused, naming the field", async () => {
        const refused = await fileReport(hub, ormasOf(ids.org.pemuda), hoaxReport("Hoaks kunci aneh", { idempotencyKey: "kunci dengan spasi" }));
        assert.equal(refused.code, "BAD_USER_INPUT");
        assert.deepEqual(await storedTitled("Hoaks kunci aneh"), []);
      });

      test("Kesbangpol registering an ormas twice with its key gets the same organization, not 'already registered'", async () => {
        const officer = agencyOf(ids.org.kesbangpol);
        const register = `mutation ($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id name } }`;
        const input = { name: "Paguyuban Nelayan Damai Dendang", kind: "ORMAS", regionCode: "19.06.05", idempotencyKey: "kesbangpol-reg-77" };
        const first = await hub.query<{ registerOrganization: { id: string } }>(register, { input }, officer);
        const again = await hub.query<{ registerOrganization: { id: string } }>(register, { input }, officer);
        assert.equal(first.errors, undefined);
        assert.equal(again.errors, undefined);
        assert.equal(again.data!.registerOrganization.id, first.data!.registerOrganization.id);
        const plain = await hub.query(register, { input: { ...input, idempotencyKey: undefined } }, officer);
        assert.match(String((plain.errors as Errors)?.[0]?.extensions?.rule), /^must be unique in its region/, "without the key, a second registration is still refused as a duplicate");
      });

      test("an ormas scheduling an event and Bawaslu recording a declaration, each twice with its key, create one of each", async () => {
        const schedule = `mutation ($input: ScheduleEventInput!) { scheduleEvent(input: $input) { id } }`;
        const event = { title: "Sosialisasi anti politik uang di Kelapa Kampit", kind: "SOCIALIZATION", startsAt: "2024-11-16T09:00:00+07:00", regionCode: "19.06.04", organizerId: ids.org.kampit, idempotencyKey: "kampit-acara-5" };
        const events = await Promise.all([0, 1].map(() => hub.query<{ scheduleEvent: { id: string } }>(schedule, { input: event }, ormasOf(ids.org.kampit))));
        assert.equal(events[0].data!.scheduleEvent.id, events[1].data!.scheduleEvent.id);

        const declare = `mutation ($input: CreateDeclarationInput!) { createDeclaration(input: $input) { id } }`;
        const declaration = { title: "Deklarasi Damai Kelapa Kampit", pledges: ["Menolak politik uang"], declaredAt: "2024-11-16T10:00:00+07:00", regionCode: "19.06.04", idempotencyKey: "bawaslu-deklarasi-9" };
        const declared = await Promise.all([0, 1].map(() => hub.query<{ createDeclaration: { id: string } }>(declare, { input: declaration }, agencyOf(ids.org.bawaslu))));
        assert.equal(declared[0].data!.createDeclaration.id, declared[1].data!.createDeclaration.id);
      });

      test("a late retry of an attendance count does not overwrite the count the organizer recorded since", async () => {
        const record = `mutation ($e: ID!, $o: ID!, $n: Int!, $k: String) { recordAttendance(eventId: $e, organizationId: $o, attendees: $n, idempotencyKey: $k) { participants { organization { id } attendees } } }`;
        const organizer = agencyOf(ids.org.kesbangpol);
        const attendeesOf = (data: Attendance | null | undefined) =>
          data?.recordAttendance.participants.find((participant) => participant.organization.id === ids.org.kampit)?.attendees;
        const first = await hub.query<Attendance>(record, { e: ids.eventId, o: ids.org.kampit, n: 12, k: "absen-kampit-1" }, organizer);
        assert.equal(attendeesOf(first.data), 12);
        await hub.query(record, { e: ids.eventId, o: ids.org.kampit, n: 15 }, organizer);
        const lateRetry = await hub.query<Attendance>(record, { e: ids.eventId, o: ids.org.kampit, n: 12, k: "absen-kampit-1" }, organizer);
        assert.equal(lateRetry.errors, undefined);
        assert.equal(attendeesOf(lateRetry.data), 15);
      });

      test("a key is kept past the 7-day reporting window and dropped after 9 days", async () => {
        const volunteer = ormasOf(ids.org.lsm);
        const input = hoaxReport("Hoaks yang dikirim ulang seminggu kemudian", { idempotencyKey: "lsm-lambat-1" });
        const first = await fileReport(hub, volunteer, input);
        const storage = hub.hub.subgraphs.incidents.storage;
        await dropExpiredKeys(storage, Date.now() + 8 * DAY);
        assert.equal((await fileReport(hub, volunteer, input)).id, first.id, "eight days on, the retry still answers the first report");
        await dropExpiredKeys(storage, Date.now() + 10 * DAY);
        const keys = (await hub.hub.subgraphs.incidents.db.query("SELECT idempotencyKey FROM idempotency_keys WHERE idempotencyKey = ?", ["lsm-lambat-1"])) as unknown[];
        assert.equal(keys.length, 0);
      });
    });
  }
});
