import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Caller } from "../../caller/claims";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, integrator, ormasOf, startTestHub, TestHub } from "../support/hub";
import { activate, CREATE, CREATE_INTEGRATION, createAccount, createIntegration, firstAdministrator, requestToken } from "../support/identity";
import { postGraphQL } from "../../platform/graphql-fetch";
import { photoWithGps, uploadEvidence } from "../support/evidence";

/*
 * Every role against every mutation and every restricted field, each cell asserted. The organization in
 * question is the Manggar youth ormas (pemuda, region 19.06.01); "ORMAS of another" is the Gantung forum;
 * "AGENCY in region" is Bawaslu Belitung Timur (19.06); "AGENCY outside region" is a police unit whose token
 * covers Bangka (19.01) only. Integrators hold regions ["19"] and one scope each (or none).
 */

const ROLES = [
  "public",
  "ormasOfTheOrganization",
  "ormasOfAnother",
  "agencyInRegion",
  "agencyOutsideRegion",
  "integratorWithoutScope",
  "integratorReadDirectory",
  "integratorReadIncidents",
  "integratorSubscribeAlerts",
] as const;
type Role = (typeof ROLES)[number];

function callers(ids: DemoIds): Record<Role, Caller | null> {
  return {
    public: null,
    ormasOfTheOrganization: ormasOf(ids.org.pemuda),
    ormasOfAnother: ormasOf(ids.org.gantung),
    agencyInRegion: agencyOf(ids.org.bawaslu, ["19.06"]),
    agencyOutsideRegion: agencyOf(ids.org.police, ["19.01"]),
    integratorWithoutScope: integrator([]),
    integratorReadDirectory: integrator(["read:directory"]),
    integratorReadIncidents: integrator(["read:incidents"]),
    integratorSubscribeAlerts: integrator(["subscribe:alerts"]),
  };
}

type Outcome = "allowed" | "UNAUTHENTICATED" | "FORBIDDEN";

/** The usual shape of a write rule: who may, everyone else refused (the public as UNAUTHENTICATED). */
function only(...allowed: Role[]): Record<Role, Outcome> {
  return Object.fromEntries(ROLES.map((role) => [role, role === "public" ? "UNAUTHENTICATED" : allowed.includes(role) ? "allowed" : "FORBIDDEN"])) as Record<Role, Outcome>;
}

interface Fixtures {
  ids: DemoIds;
  /** A report filed by pemuda in Manggar (19.06.01). */
  reportId: string;
  /** Another, taken up by Bawaslu (UNDER_REVIEW): its handling deadline may be extended. */
  takenUpId: string;
  /** Two more, still RECEIVED, for correction and withdrawal. */
  correctableId: string;
  withdrawableId: string;
  /** An evidence upload of each role's own organization (integrators have none: they get pemuda's). */
  uploads: Record<Role, string>;
}

interface MutationCase {
  name: string;
  document: string;
  variables(fixtures: Fixtures, role: Role): Record<string, unknown>;
  expected: Record<Role, Outcome>;
}

const MUTATIONS: MutationCase[] = [
  {
    name: "registerOrganization",
    document: `mutation ($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id } }`,
    variables: (_, role) => ({ input: { name: `Ormas Matriks ${role}`, kind: "ORMAS", regionCode: "19.06.01" } }),
    expected: only("agencyInRegion"),
  },
  {
    name: "scheduleEvent",
    document: `mutation ($input: ScheduleEventInput!) { scheduleEvent(input: $input) { id } }`,
    variables: ({ ids }, role) => ({
      input: { title: `Rapat ${role}`, kind: "COACHING", startsAt: "2024-11-12T09:00:00+07:00", regionCode: "19.06.01", organizerId: ids.org.pemuda },
    }),
    expected: only("ormasOfTheOrganization", "agencyInRegion"),
  },
  {
    name: "recordAttendance",
    document: `mutation ($e: ID!, $o: ID!, $n: Int!) { recordAttendance(eventId: $e, organizationId: $o, attendees: $n) { id } }`,
    variables: ({ ids }) => ({ e: ids.eventId, o: ids.org.pemuda, n: 12 }), // the demo's own count: allowed writes change nothing
    expected: only("ormasOfTheOrganization", "agencyInRegion"),
  },
  {
    name: "createDeclaration",
    document: `mutation ($input: CreateDeclarationInput!) { createDeclaration(input: $input) { id } }`,
    variables: (_, role) => ({ input: { title: `Deklarasi ${role}`, pledges: ["Menolak hoaks"], declaredAt: "2024-11-01T10:00:00+07:00", regionCode: "19.06.01" } }),
    expected: only("ormasOfTheOrganization", "ormasOfAnother", "agencyInRegion"),
  },
  {
    name: "signDeclaration",
    document: `mutation ($d: ID!, $o: ID!) { signDeclaration(declarationId: $d, organizationId: $o, signedBy: "Budi Rekaan") { id } }`,
    variables: ({ ids }) => ({ d: ids.declarationId, o: ids.org.pemuda }),
    expected: only("ormasOfTheOrganization"),
  },
  {
    name: "reportIncident",
    document: `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }`,
    variables: (_, role) => ({
      input: { category: "HOAX", channel: "MESSAGING", platform: "WhatsApp", title: `Hoaks ${role}`, description: "Pesan berantai palsu.", occurredAt: "2024-11-21T09:00:00+07:00", regionCode: "19.06.01" },
    }),
    expected: only("ormasOfTheOrganization", "ormasOfAnother", "agencyInRegion"),
  },
  {
    name: "reviewIncident",
    document: `mutation ($id: ID!) { reviewIncident(id: $id, status: UNDER_REVIEW) { id } }`,
    variables: ({ reportId }) => ({ id: reportId }),
    expected: only("agencyInRegion"),
  },
  {
    name: "extendHandlingDeadline",
    document: `mutation ($id: ID!) { extendHandlingDeadline(id: $id, reason: "Meminta keterangan pelapor") { id } }`,
    variables: ({ takenUpId }) => ({ id: takenUpId }),
    expected: only("agencyInRegion"),
  },
  {
    name: "correctIncident",
    document: `mutation ($id: ID!, $d: String!) { correctIncident(id: $id, input: { description: $d }) { id } }`,
    variables: ({ correctableId }, role) => ({ id: correctableId, d: `Koreksi oleh ${role}` }),
    expected: only("ormasOfTheOrganization"),
  },
  {
    // KPU and Kesbangpol only (writes.test.ts shows Kesbangpol doing it): Bawaslu, the matrix's agency, is refused.
    name: "correctElection",
    document: `mutation ($id: ID!) { correctElection(id: $id, input: { title: "Judul koreksi" }) { id } }`,
    variables: ({ ids }) => ({ id: ids.electionId }),
    expected: only(),
  },
  {
    name: "setCandidatePair",
    document: `mutation ($id: ID!) { setCandidatePair(electionId: $id, ballotNumber: 9, headCandidate: "Calon Rekaan", deputyCandidate: "Wakil Rekaan") { id } }`,
    variables: ({ ids }) => ({ id: ids.electionId }),
    expected: only(),
  },
  {
    // Each role attaches an upload of its own organization (only those may be attached).
    name: "attachEvidence",
    document: `mutation ($r: ID!, $e: ID!) { attachEvidence(reportId: $r, evidenceId: $e) { id } }`,
    variables: ({ reportId, uploads }, role) => ({ r: reportId, e: uploads[role] }),
    expected: only("ormasOfTheOrganization", "agencyInRegion"),
  },
  {
    name: "withdrawIncident",
    document: `mutation ($id: ID!) { withdrawIncident(id: $id, reason: "Salah lapor") { id } }`,
    variables: ({ withdrawableId }) => ({ id: withdrawableId }),
    expected: only("ormasOfTheOrganization"),
  },
];

type Errors = Array<{ message: string; extensions?: Record<string, unknown> }> | undefined;
const codeOf = (errors: Errors) => errors?.[0]?.extensions?.code;

describe("the authorization matrix", () => {
  let hub: TestHub;
  let fixtures: Fixtures;
  let who: Record<Role, Caller | null>;
  before(async () => {
    hub = await startTestHub();
    const ids = await loadDemoStory(hub);
    who = callers(ids);
    const file = async () => {
      const { data } = await hub.query<{ reportIncident: { id: string } }>(
        MUTATIONS.find((mutation) => mutation.name === "reportIncident")!.document,
        { input: { category: "BLACK_CAMPAIGN", channel: "SOCIAL_MEDIA", platform: "Facebook", title: "Fitnah", description: "Unggahan fitnah.", occurredAt: "2024-11-20T20:00:00+07:00", regionCode: "19.06.01" } },
        ormasOf(ids.org.pemuda),
      );
      return data!.reportIncident.id;
    };
    const photo = await photoWithGps();
    const uploads = {} as Record<Role, string>;
    for (const role of ROLES) {
      const caller = who[role]?.role === "INTEGRATOR" || role === "public" ? who.ormasOfTheOrganization : who[role];
      const uploaded = await uploadEvidence(hub.url, await hub.token(caller!), photo);
      uploads[role] = uploaded.body.id!;
    }
    fixtures = { ids, reportId: await file(), takenUpId: await file(), correctableId: await file(), withdrawableId: await file(), uploads };
    await hub.query(`mutation ($id: ID!) { reviewIncident(id: $id, status: UNDER_REVIEW) { id } }`, { id: fixtures.takenUpId }, who.agencyInRegion);
  });
  after(() => hub.dispose());

  for (const mutation of MUTATIONS) {
    describe(mutation.name, () => {
      for (const role of ROLES) {
        const expected = mutation.expected[role];
        test(`${role}: ${expected}`, async () => {
          const { data, errors } = await hub.query(mutation.document, mutation.variables(fixtures, role), who[role]);
          if (expected === "allowed") {
            assert.equal(errors, undefined, JSON.stringify(errors));
            assert.ok(data?.[mutation.name]);
          } else {
            assert.equal(codeOf(errors), expected, JSON.stringify(errors));
            assert.equal(data ?? null, null, "a refused write returns nothing");
          }
        });
      }
    });
  }

  describe("IncidentReport.reporter (and the reporter's own history entry and versions)", () => {
    const expected: Record<Role, "visible" | "hidden" | Outcome> = {
      public: "UNAUTHENTICATED",
      ormasOfTheOrganization: "visible",
      ormasOfAnother: "hidden",
      agencyInRegion: "visible",
      agencyOutsideRegion: "hidden",
      integratorWithoutScope: "FORBIDDEN",
      integratorReadDirectory: "FORBIDDEN",
      integratorReadIncidents: "hidden",
      integratorSubscribeAlerts: "FORBIDDEN",
    };
    for (const role of ROLES) {
      test(`${role}: ${expected[role]}`, async () => {
        const { data, errors } = await hub.query<{
          incidentReport: { reporter: { id: string } | null; history: Array<{ by: { id: string } | null }>; versions: Array<{ by: { id: string } }> | null } | null;
        }>(
          `query ($id: ID!) { incidentReport(id: $id) { reporter { id } history { by { id } } versions { by { id } } } }`,
          { id: fixtures.reportId },
          who[role],
        );
        if (expected[role] === "visible" || expected[role] === "hidden") {
          assert.equal(errors, undefined, JSON.stringify(errors));
          const reporter = expected[role] === "visible" ? { id: fixtures.ids.org.pemuda } : null;
          assert.deepEqual(data!.incidentReport!.reporter, reporter);
          assert.deepEqual(data!.incidentReport!.history[0].by, reporter);
          assert.deepEqual(data!.incidentReport!.versions?.[0].by ?? null, reporter, "the versions show who wrote them: only to those who may see the reporter");
        } else {
          assert.equal(codeOf(errors), expected[role]);
          assert.equal(data?.incidentReport ?? null, null);
        }
      });
    }
  });

  describe("BoardMember.phone", () => {
    const expected: Record<Role, "phones" | "names only" | "no board"> = {
      public: "no board",
      ormasOfTheOrganization: "phones",
      ormasOfAnother: "names only",
      agencyInRegion: "phones",
      agencyOutsideRegion: "phones",
      integratorWithoutScope: "no board",
      integratorReadDirectory: "names only",
      integratorReadIncidents: "no board",
      integratorSubscribeAlerts: "no board",
    };
    for (const role of ROLES) {
      test(`${role}: ${expected[role]}`, async () => {
        const { data, errors } = await hub.query<{ organization: { board: Array<{ name: string; phone: string | null }> } }>(
          `query ($id: ID!) { organization(id: $id) { board { name phone } } }`,
          { id: fixtures.ids.org.pemuda },
          who[role],
        );
        assert.equal(errors, undefined);
        const board = data!.organization.board;
        if (expected[role] === "no board") return assert.deepEqual(board, []);
        assert.deepEqual(board.map((member) => member.name), ["Budi Rekaan", "Sari Karangan"]);
        const phones = board.map((member) => member.phone);
        assert.deepEqual(phones, expected[role] === "phones" ? ["+62 812 0000 0101", "+62 812 0000 0102"] : [null, null]);
      });
    }
  });

  describe("Organization.incidentReportsFiled", () => {
    const expected: Record<Role, "all" | "in the caller's regions" | "none of another region" | Outcome> = {
      public: "UNAUTHENTICATED",
      ormasOfTheOrganization: "all",
      ormasOfAnother: "FORBIDDEN",
      agencyInRegion: "in the caller's regions",
      agencyOutsideRegion: "none of another region",
      integratorWithoutScope: "FORBIDDEN",
      integratorReadDirectory: "FORBIDDEN",
      integratorReadIncidents: "FORBIDDEN",
      integratorSubscribeAlerts: "FORBIDDEN",
    };
    for (const role of ROLES) {
      test(`${role}: ${expected[role]}`, async () => {
        const { data, errors } = await hub.query<{ organization: { incidentReportsFiled: { totalCount: number } } | null }>(
          `query ($id: ID!) { organization(id: $id) { incidentReportsFiled { totalCount } } }`,
          { id: fixtures.ids.org.pemuda },
          who[role],
        );
        const outcome = expected[role];
        if (outcome === "UNAUTHENTICATED" || outcome === "FORBIDDEN") {
          assert.equal(codeOf(errors), outcome);
          return assert.equal(data?.organization ?? null, null);
        }
        assert.equal(errors, undefined, JSON.stringify(errors));
        const count = data!.organization!.incidentReportsFiled.totalCount;
        // pemuda's reports all lie in Manggar (19.06.01): the demo's, the fixture, the matrix's own.
        if (outcome === "none of another region") assert.equal(count, 0);
        else assert.ok(count >= 2, `${count}`);
      });
    }
  });

  describe("Query.incidentAlerts (the replay of the live alerts)", () => {
    const expected: Record<Role, "alerts of the caller's regions" | "none of another region" | Outcome> = {
      public: "UNAUTHENTICATED",
      ormasOfTheOrganization: "FORBIDDEN",
      ormasOfAnother: "FORBIDDEN",
      agencyInRegion: "alerts of the caller's regions",
      agencyOutsideRegion: "none of another region",
      integratorWithoutScope: "FORBIDDEN",
      integratorReadDirectory: "FORBIDDEN",
      integratorReadIncidents: "FORBIDDEN",
      integratorSubscribeAlerts: "alerts of the caller's regions",
    };
    for (const role of ROLES) {
      test(`${role}: ${expected[role]}`, async () => {
        const { data, errors } = await hub.query<{ incidentAlerts: Array<{ kind: string; report: { id: string } }> }>(
          `{ incidentAlerts(filter: { categories: [BLACK_CAMPAIGN, HOAX] }) { kind report { id } } }`,
          {},
          who[role],
        );
        const outcome = expected[role];
        if (outcome === "UNAUTHENTICATED" || outcome === "FORBIDDEN") {
          assert.equal(codeOf(errors), outcome);
          return assert.equal(data ?? null, null);
        }
        assert.equal(errors, undefined, JSON.stringify(errors));
        if (outcome === "none of another region") assert.deepEqual(data!.incidentAlerts, []);
        else assert.ok(data!.incidentAlerts.some((alert) => alert.report.id === fixtures.reportId));
      });
    }
  });
  describe("administration (identity): administrators' accounts only, within their role, organization and regions", () => {
    /** Accounts signed in, and a partner app's token from POST /oauth/token (Bawaslu's dashboard, all scopes, 19.06). */
    const ACCOUNT_ROLES = ["agencyAdministrator", "ormasAdministrator", "agencyOfficerAccount", "partnerAppToken"] as const;
    type AccountRole = (typeof ACCOUNT_ROLES)[number];
    type AnyRole = Role | AccountRole;
    const tokens = {} as Record<AccountRole, string>;
    let serial = 0;
    before(async () => {
      const { ids } = fixtures;
      const agencyAdmin = await firstAdministrator(hub, ids.org.kesbangpol, "admin@matriks.beltim.go.id", "kapal layar Manggar tujuh");
      tokens.agencyAdministrator = agencyAdmin.accessToken;
      const ormasAdmin = await createAccount(hub, agencyAdmin.accessToken, { organizationId: ids.org.pemuda, role: "ORMAS", regions: ["19.06.01"], loginName: "ketua@matriks.or.id", admin: true });
      tokens.ormasAdministrator = (await activate(hub, "ketua@matriks.or.id", ormasAdmin.oneTimePassword, "sepeda tua pasar Manggar")).accessToken;
      const officer = await createAccount(hub, agencyAdmin.accessToken, { organizationId: ids.org.kesbangpol, role: "AGENCY", regions: ["19.06"], loginName: "petugas@matriks.beltim.go.id" });
      tokens.agencyOfficerAccount = (await activate(hub, "petugas@matriks.beltim.go.id", officer.oneTimePassword, "lada putih Gantung delapan")).accessToken;
      const app = await createIntegration(hub, agencyAdmin.accessToken, { organizationId: ids.org.bawaslu, name: "Dasbor matriks", scopes: ["read:directory", "read:incidents", "subscribe:alerts"], regions: ["19.06"] });
      integrationId = app.integration.id;
      const granted = await requestToken(hub, { grant_type: "client_credentials", client_id: app.integration.clientId, client_secret: app.clientSecret });
      tokens.partnerAppToken = granted.body.access_token!;
    });
    let integrationId = "";

    const send = async (role: AnyRole, document: string, variables: Record<string, unknown>) =>
      (ACCOUNT_ROLES as readonly string[]).includes(role)
        ? postGraphQL(hub.url, document, variables, tokens[role as AccountRole])
        : hub.query(document, variables, who[role as Role]);

    const cases: Array<{ name: string; document: string; variables: () => Record<string, unknown>; allowed: AnyRole[] }> = [
      {
        name: "createAccount (ORMAS member of the Manggar youth ormas, 19.06.01)",
        document: CREATE,
        variables: () => ({ input: { organizationId: fixtures.ids.org.pemuda, role: "ORMAS", regions: ["19.06.01"], loginName: `anggota${++serial}@matriks.or.id` } }),
        allowed: ["agencyAdministrator", "ormasAdministrator"],
      },
      {
        name: "createAccount (AGENCY officer of Kesbangpol, 19.06)",
        document: CREATE,
        variables: () => ({ input: { organizationId: fixtures.ids.org.kesbangpol, role: "AGENCY", regions: ["19.06"], loginName: `petugas${++serial}@matriks.beltim.go.id` } }),
        allowed: ["agencyAdministrator"],
      },
      {
        name: "auditEvents",
        document: `{ auditEvents(first: 1) { totalCount } }`,
        variables: () => ({}),
        allowed: ["agencyAdministrator", "ormasAdministrator"],
      },
      {
        name: "createIntegration (the Manggar youth ormas's app: read:directory, 19.06.01)",
        document: CREATE_INTEGRATION,
        variables: () => ({ input: { organizationId: fixtures.ids.org.pemuda, name: `Aplikasi ${++serial}`, scopes: ["read:directory"], regions: ["19.06.01"] } }),
        allowed: ["agencyAdministrator", "ormasAdministrator"],
      },
      {
        name: "createIntegration (Bawaslu's alert feed: subscribe:alerts, 19.06)",
        document: CREATE_INTEGRATION,
        variables: () => ({ input: { organizationId: fixtures.ids.org.bawaslu, name: `Umpan ${++serial}`, scopes: ["subscribe:alerts"], regions: ["19.06"] } }),
        allowed: ["agencyAdministrator"],
      },
      {
        name: "integrations",
        document: `{ integrations(first: 1) { totalCount } }`,
        variables: () => ({}),
        allowed: ["agencyAdministrator", "ormasAdministrator"],
      },
      {
        name: "revokeIntegration (Bawaslu's dashboard, all three scopes: beyond an ORMAS administrator)",
        document: `mutation ($id: ID!) { revokeIntegration(id: $id) { id } }`,
        variables: () => ({ id: integrationId }),
        allowed: ["agencyAdministrator"],
      },
    ];
    for (const { name, document, variables, allowed } of cases) {
      describe(name, () => {
        for (const role of [...ROLES, ...ACCOUNT_ROLES]) {
          const expected = allowed.includes(role) ? "allowed" : role === "public" ? "UNAUTHENTICATED" : "FORBIDDEN";
          test(`${role}: ${expected}`, async () => {
            const { data, errors } = await send(role, document, variables());
            if (expected === "allowed") return assert.equal(errors, undefined, JSON.stringify(errors));
            assert.equal(codeOf(errors), expected, JSON.stringify(errors));
            assert.equal(data ?? null, null);
          });
        }
      });
    }
  });
});
