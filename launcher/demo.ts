import crypto from "node:crypto";
import type { Caller } from "../caller/claims";
import { signToken } from "../caller/tokens";
import type { HubConfig } from "../platform/config";
import { mustGraphQL } from "../platform/graphql-fetch";
import { elections as electionsSubgraph } from "../subgraphs/elections";
import { DEMO_ELECTIONS } from "../subgraphs/elections/demo";
import { applyElections } from "../subgraphs/elections/import";
import { identity } from "../subgraphs/identity";
import { AccountRole } from "../subgraphs/identity/entities";
import { AccountSeed, findAccount, insertAccount } from "../subgraphs/identity/seed";
import { openStorage } from "../subgraphs/kit/storage";

/*
 * The Belitung Timur story of SCENARIO.md, told through the public API, so the demo data goes through
 * every rule a real client meets. Agencies and places are real; every person, ormas, candidate pair and
 * incident is fictional. The story's elections and candidate pairs are KPU data, which a real deployment imports
 * (`npm run admin -- import-elections`); the demo loads its invented ones the same way, with the import's rules.
 */

const BELTIM = "19.06";
const MANGGAR = "19.06.01";

interface OrganizationSeed {
  key: string;
  input: Record<string, unknown>;
}

const AGENCIES: OrganizationSeed[] = [
  { key: "kesbangpol", input: { name: "Badan Kesatuan Bangsa dan Politik Kabupaten Belitung Timur", acronym: "Kesbangpol Beltim", kind: "AGENCY", agencyType: "KESBANGPOL", regionCode: BELTIM, address: "Manggar" } },
  { key: "bawaslu", input: { name: "Badan Pengawas Pemilihan Umum Kabupaten Belitung Timur", acronym: "Bawaslu Beltim", kind: "AGENCY", agencyType: "BAWASLU", regionCode: BELTIM, address: "Manggar" } },
  { key: "police", input: { name: "Satuan Intelkam Polres Belitung Timur", acronym: "Sat Intelkam", kind: "AGENCY", agencyType: "POLICE", regionCode: BELTIM } },
  { key: "prosecutor", input: { name: "Seksi Intelijen Kejaksaan Negeri Manggar", acronym: "Seksi Intel Kejari", kind: "AGENCY", agencyType: "PROSECUTOR", regionCode: BELTIM } },
  { key: "kpu", input: { name: "Komisi Pemilihan Umum Kabupaten Belitung Timur", acronym: "KPU Beltim", kind: "AGENCY", agencyType: "KPU", regionCode: BELTIM } },
];

// Fictional organizations and fictional board members (pengurus); phone numbers are not real.
const ORMAS: OrganizationSeed[] = [
  { key: "pemuda", input: { name: "Perkumpulan Pemuda Peduli Manggar", acronym: "P3M", kind: "ORMAS", legalForm: "PERKUMPULAN", registrationNumber: "AHU-0000101.AH.01.07.2021", regionCode: MANGGAR, address: "Jalan Contoh No. 1, Manggar", board: [{ name: "Budi Rekaan", position: "Ketua", phone: "+62 812 0000 0101" }, { name: "Sari Karangan", position: "Sekretaris", phone: "+62 812 0000 0102" }] } },
  { key: "gantung", input: { name: "Forum Masyarakat Gantung Bersatu", acronym: "FMGB", kind: "ORMAS", legalForm: "UNINCORPORATED", registrationNumber: "SKT 001/19.06/2022", regionCode: "19.06.02", board: [{ name: "Hasan Khayalan", position: "Ketua", phone: "+62 812 0000 0201" }] } },
  { key: "lsm", input: { name: "Lembaga Informasi Damai Belitung Timur", acronym: "LIDA", kind: "LSM", legalForm: "YAYASAN", registrationNumber: "AHU-0000303.AH.01.04.2020", regionCode: BELTIM, board: [{ name: "Maya Fiksi", position: "Direktur", phone: "+62 812 0000 0301" }] } },
  { key: "nelayan", input: { name: "Ikatan Nelayan Dendang Sejahtera", kind: "ORMAS", legalForm: "UNINCORPORATED", registrationNumber: "SKT 004/19.06/2023", regionCode: "19.06.03", board: [{ name: "Rudi Andaian", position: "Ketua" }] } },
  { key: "kampit", input: { name: "Yayasan Cahaya Kelapa Kampit", kind: "LSM", legalForm: "YAYASAN", registrationNumber: "AHU-0000505.AH.01.04.2019", regionCode: "19.06.04", board: [{ name: "Dewi Rekaan", position: "Ketua" }] } },
  { key: "pesak", input: { name: "Gerakan Pemuda Simpang Pesak", kind: "ORMAS", legalForm: "UNINCORPORATED", registrationNumber: "SKT 006/19.06/2023", regionCode: "19.06.07", board: [{ name: "Anton Samaran", position: "Ketua" }] } },
];

/** 50 board members (pengurus) attended, spread over the organizations. */
const ATTENDANCE: Array<[string, number]> = [["pemuda", 12], ["gantung", 10], ["lsm", 8], ["nelayan", 9], ["kampit", 6], ["pesak", 5]];
const SIGNATORIES: Array<[string, string]> = [["pemuda", "Budi Rekaan"], ["gantung", "Hasan Khayalan"], ["lsm", "Maya Fiksi"], ["nelayan", "Rudi Andaian"]];

const INCIDENTS: Array<{ by: string; pair?: number; atEvent?: boolean; input: Record<string, unknown> }> = [
  { by: "pemuda", pair: 2, input: { category: "BLACK_CAMPAIGN", channel: "SOCIAL_MEDIA", platform: "Facebook", url: "https://www.facebook.com/contoh.akun.fiktif/posts/1", title: "Unggahan fitnah terhadap pasangan calon nomor urut 2", description: "Akun anonim menyebarkan tuduhan tanpa dasar bahwa pasangan calon nomor urut 2 akan menjual lahan nelayan. Tangkapan layar disimpan.", occurredAt: "2024-11-10T20:15:00+07:00", regionCode: MANGGAR } },
  { by: "gantung", input: { category: "HOAX", channel: "MESSAGING", platform: "WhatsApp", title: "Pesan berantai: pemungutan suara diundur", description: "Pesan berantai di grup warga menyebut pemungutan suara diundur ke Desember. KPU tidak pernah mengumumkannya.", occurredAt: "2024-11-20T07:30:00+07:00", regionCode: "19.06.02" } },
  { by: "nelayan", pair: 1, input: { category: "MONEY_POLITICS", channel: "PUBLIC_SPACE", title: "Dugaan pembagian sembako pada masa tenang", description: "Warga melihat pembagian paket sembako disertai ajakan memilih pasangan calon tertentu.", occurredAt: "2024-11-25T16:00:00+07:00", regionCode: "19.06.03" } },
  { by: "kampit", input: { category: "SARA_INSULT", channel: "SOCIAL_MEDIA", platform: "TikTok", url: "https://www.tiktok.com/@akun.fiktif/video/1", title: "Video bernada SARA terhadap pendukung pasangan calon", description: "Video pendek menghina kelompok etnis pendukung salah satu pasangan calon.", occurredAt: "2024-11-05T19:00:00+07:00", regionCode: "19.06.04" } },
  { by: "pesak", input: { category: "CAMPAIGN_PROPS", channel: "PUBLIC_SPACE", title: "Alat peraga kampanye belum diturunkan pada masa tenang", description: "Baliho pasangan calon masih terpasang di dekat tempat ibadah.", occurredAt: "2024-11-24T08:00:00+07:00", regionCode: "19.06.07" } },
  { by: "lsm", atEvent: true, input: { category: "NEGATIVE_CAMPAIGN", channel: "ONLINE_MEDIA", platform: "Portal berita daring", title: "Kritik program kerja dibahas peserta sosialisasi", description: "Artikel daring mengkritik program kerja pasangan calon berdasarkan data; dicatat untuk pemantauan, bukan pelanggaran.", occurredAt: "2024-10-17T13:00:00+07:00", regionCode: MANGGAR } },
];

const loaderCaller: Caller = { sub: "kawal-demo-loader", role: "AGENCY", org: "0", regions: ["19"], scopes: [] };

const ormasCaller = (id: string): Caller => ({ sub: `demo-ormas-${id}`, role: "ORMAS", org: id, regions: [BELTIM], scopes: [] });
const agencyCaller = (id: string): Caller => ({ sub: `demo-agency-${id}`, role: "AGENCY", org: id, regions: [BELTIM], scopes: [] });

/** True when the directory already holds the demo (a second start loads nothing twice). */
async function demoLoaded(url: string, token: string): Promise<boolean> {
  const data = await mustGraphQL<{ organizations: { totalCount: number } }>(
    url,
    `query { organizations(filter: { regionCode: "19.06", kind: AGENCY }, first: 0) { totalCount } }`,
    {},
    token,
  );
  return data.organizations.totalCount > 0;
}

/**
 * Imports the demo's elections and invented candidate pairs into `config`'s elections database, as
 * `npm run admin -- import-elections` does: matched by office, region and voting day, so a database that holds
 * them from before they were demo-only keeps its one copy.
 */
async function loadDemoElections(config: HubConfig): Promise<void> {
  const storage = await openStorage({ name: "elections", entities: electionsSubgraph.entities, migrations: electionsSubgraph.migrations }, config);
  try {
    await storage.write((manager) => applyElections(manager, DEMO_ELECTIONS));
  } finally {
    await storage.close();
  }
}

/**
 * Loads the Belitung Timur story unless it is there already: its elections into `config`'s elections database,
 * the rest through the gateway at `url`. Returns true when it loaded. Needs the hub's token secret.
 */
export async function loadDemo(url: string, config: HubConfig): Promise<boolean> {
  if (!config.jwtSecret) throw new Error("the demo signs its callers' tokens with the hub's own secret (KAWAL_JWT_SECRET), and this hub has none");
  const jwtSecret = config.jwtSecret;
  const loader = await signToken(jwtSecret, loaderCaller, "1h");
  if (await demoLoaded(url, loader)) return false;
  await loadDemoElections(config);
  const ids: Record<string, string> = {};
  for (const { key, input } of [...AGENCIES, ...ORMAS]) {
    const data = await mustGraphQL<{ registerOrganization: { id: string } }>(
      url,
      `mutation ($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id } }`,
      { input },
      loader,
    );
    ids[key] = data.registerOrganization.id;
  }
  const { elections } = await mustGraphQL<{ elections: Array<{ id: string; office: string; candidatePairs: Array<{ id: string; ballotNumber: number }> }> }>(
    url,
    `query { elections(regionCode: "19.06") { id office candidatePairs { id ballotNumber } } }`,
  );
  const regent = elections.find((election) => election.office === "REGENT");
  if (!regent) throw new Error("the demo's regent election of Belitung Timur is missing from the elections subgraph");
  const kesbangpol = await signToken(jwtSecret, agencyCaller(ids.kesbangpol), "1h");

  const { scheduleEvent } = await mustGraphQL<{ scheduleEvent: { id: string } }>(
    url,
    `mutation ($input: ScheduleEventInput!) { scheduleEvent(input: $input) { id } }`,
    {
      input: {
        title: "Sosialisasi dan Pembinaan LSM: Menjaga Pilkada Damai 2024",
        kind: "SOCIALIZATION",
        startsAt: "2024-10-17T09:00:00+07:00",
        endsAt: "2024-10-17T13:00:00+07:00",
        venue: "Manggar, Belitung Timur",
        regionCode: MANGGAR,
        electionId: regent.id,
        organizerId: ids.kesbangpol,
        speakers: [
          { organizationId: ids.police, topic: "Deteksi dini gangguan keamanan selama kampanye" },
          { organizationId: ids.prosecutor, topic: "Tindak pidana pemilihan dan Sentra Gakkumdu" },
          { organizationId: ids.bawaslu, topic: "Pengawasan partisipatif: melaporkan kampanye hitam dalam 7 hari" },
        ],
      },
    },
    kesbangpol,
  );
  for (const [key, attendees] of ATTENDANCE) {
    await mustGraphQL(
      url,
      `mutation ($e: ID!, $o: ID!, $n: Int!) { recordAttendance(eventId: $e, organizationId: $o, attendees: $n) { id } }`,
      { e: scheduleEvent.id, o: ids[key], n: attendees },
      kesbangpol,
    );
  }
  const { createDeclaration } = await mustGraphQL<{ createDeclaration: { id: string } }>(
    url,
    `mutation ($input: CreateDeclarationInput!) { createDeclaration(input: $input) { id } }`,
    {
      input: {
        title: "Deklarasi Pilkada Damai 2024",
        pledges: [
          "Menyukseskan Pilkada Serentak 2024 di Kabupaten Belitung Timur",
          "Menolak kampanye hitam, hoaks dan politisasi SARA",
          "Menolak politik uang dan intimidasi",
          "Mengajak masyarakat menggunakan hak pilih pada 27 November 2024",
        ],
        declaredAt: "2024-10-17T11:00:00+07:00",
        regionCode: MANGGAR,
        eventId: scheduleEvent.id,
        electionId: regent.id,
      },
    },
    kesbangpol,
  );
  for (const [key, signedBy] of SIGNATORIES) {
    await mustGraphQL(
      url,
      `mutation ($d: ID!, $o: ID!, $s: String!) { signDeclaration(declarationId: $d, organizationId: $o, signedBy: $s) { id } }`,
      { d: createDeclaration.id, o: ids[key], s: signedBy },
      await signToken(jwtSecret, ormasCaller(ids[key]), "1h"),
    );
  }
  const reportIds: string[] = [];
  for (const { by, pair, atEvent, input } of INCIDENTS) {
    const candidatePairId = pair ? regent.candidatePairs.find((candidate) => candidate.ballotNumber === pair)?.id : undefined;
    const { reportIncident } = await mustGraphQL<{ reportIncident: { id: string } }>(
      url,
      `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }`,
      { input: { ...input, candidatePairId, eventId: atEvent ? scheduleEvent.id : undefined } },
      await signToken(jwtSecret, ormasCaller(ids[by]), "1h"),
    );
    reportIds.push(reportIncident.id);
  }
  // Bawaslu verifies the black campaign and forwards it to Sentra Gakkumdu (Bawaslu, police, prosecutor).
  const bawaslu = await signToken(jwtSecret, agencyCaller(ids.bawaslu), "1h");
  const review = `mutation ($id: ID!, $s: IncidentStatus!, $v: Severity, $n: String) { reviewIncident(id: $id, status: $s, severity: $v, note: $n) { id } }`;
  await mustGraphQL(url, review, { id: reportIds[0], s: "VERIFIED", v: "CRITICAL", n: "Unggahan dan akun pengunggah telah diverifikasi." }, bawaslu);
  await mustGraphQL(url, review, { id: reportIds[0], s: "FORWARDED", n: "Diteruskan ke Sentra Gakkumdu Belitung Timur." }, bawaslu);
  await mustGraphQL(url, review, { id: reportIds[1], s: "UNDER_REVIEW", n: "Klarifikasi ke KPU Belitung Timur." }, bawaslu);
  return true;
}

/** The id of the demo organization whose name holds `search`. */
async function findOrganization(url: string, search: string): Promise<string> {
  const data = await mustGraphQL<{ organizations: { edges: Array<{ node: { id: string } }> } }>(
    url,
    `query ($s: String!) { organizations(filter: { search: $s }, first: 1) { edges { node { id } } } }`,
    { s: search },
  );
  const id = data.organizations.edges[0]?.node.id;
  if (!id) throw new Error(`the demo organization "${search}" is missing`);
  return id;
}

const KESBANGPOL_NAME = "Kesatuan Bangsa dan Politik Kabupaten Belitung Timur";
const PEMUDA_NAME = "Pemuda Peduli Manggar";

/** Ready-to-use tokens for the demo's Kesbangpol officer and the Manggar youth ormas. */
export async function demoTokens(url: string, jwtSecret: string, expiresIn = "12h"): Promise<{ agency: string; ormas: string }> {
  return {
    agency: await signToken(jwtSecret, agencyCaller(await findOrganization(url, KESBANGPOL_NAME)), expiresIn),
    ormas: await signToken(jwtSecret, ormasCaller(await findOrganization(url, PEMUDA_NAME)), expiresIn),
  };
}

export interface DemoAccount {
  loginName: string;
  password: string;
  /** "Kesbangpol administrator (AGENCY, 19.06)". */
  description: string;
}

/**
 * The demo's sign-in accounts (demo only: `npm start` skips them in production): a Kesbangpol administrator,
 * a Kesbangpol officer and a volunteer of the Manggar youth ormas. Their passwords are derived from the
 * hub's token secret, so every start prints the same ones and no two installations share them. Made on the
 * first start, directly in the identity database (the demo has no administrator to make them through the API).
 */
export async function loadDemoAccounts(url: string, config: HubConfig): Promise<DemoAccount[]> {
  if (!config.jwtSecret) return [];
  const secret = config.jwtSecret;
  const kesbangpol = Number(await findOrganization(url, KESBANGPOL_NAME));
  const pemuda = Number(await findOrganization(url, PEMUDA_NAME));
  const password = (login: string) => `demo-${crypto.createHmac("sha256", secret).update(login).digest("base64url").slice(0, 16)}`;
  const seeds: Array<Omit<AccountSeed, "password" | "mustChangePassword" | "origin"> & { description: string }> = [
    { loginName: "admin.kesbangpol@demo.kawal.id", organizationId: kesbangpol, role: AccountRole.AGENCY, regions: [BELTIM], admin: true, description: "Kesbangpol Belitung Timur administrator (AGENCY, 19.06)" },
    { loginName: "petugas.kesbangpol@demo.kawal.id", organizationId: kesbangpol, role: AccountRole.AGENCY, regions: [BELTIM], admin: false, description: "Kesbangpol Belitung Timur officer (AGENCY, 19.06)" },
    { loginName: "relawan.p3m@demo.kawal.id", organizationId: pemuda, role: AccountRole.ORMAS, regions: [MANGGAR], admin: false, description: "Perkumpulan Pemuda Peduli Manggar volunteer (ORMAS, 19.06.01)" },
  ];
  const storage = await openStorage({ name: "identity", entities: identity.entities, migrations: identity.migrations }, config);
  try {
    for (const { description: _description, ...seed } of seeds) {
      if (!(await findAccount(storage.reader, seed.loginName))) await insertAccount(storage, { ...seed, password: password(seed.loginName), mustChangePassword: false, origin: "the demo" });
    }
  } finally {
    await storage.close();
  }
  return seeds.map((seed) => ({ loginName: seed.loginName, password: password(seed.loginName), description: seed.description }));
}
