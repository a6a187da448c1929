import "reflect-metadata";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import mysql from "mysql2/promise";
import type { DataSource } from "typeorm";
import { SUBGRAPHS } from "../../subgraphs";
import { HubConfig, loadConfig, SUBGRAPH_NAMES, SubgraphName } from "../../platform/config";
import { databaseName, openDatabase } from "../../subgraphs/kit/database";
import { searchTokens } from "../../subgraphs/kit/filters";
import { reportingDeadline } from "../../subgraphs/incidents/deadline";
import { bulkInsert, Row } from "./bulk-insert";
import { Geography, IdRanges, nationalGeography, perRegency, placeIn } from "./geography";
import { Prng, seedOf } from "./prng";
import { acronymOf, organizationName, personName, THEMES } from "./seed-names";
import { round } from "./stats";

/*
 * The nationwide data set of issue 5, generated deterministically (one seeded PRNG stream per table) and
 * loaded straight into each subgraph's own database after its migrations ran. Every person, organization,
 * candidate pair, event and report is fictional; regions are the real Kemendagri list.
 */

/** The national size (scale 1). */
export const NATIONAL = { organizations: 431_000, events: 60_000, declarations: 20_000, signatures: 300_000, incidents: 200_000 };

export type Backend = "sqlite" | "mysql";

export interface SeedManifest {
  scale: number;
  backend: Backend;
  rows: Record<string, number>;
  /** Seconds to generate and insert each subgraph's rows (migrations included), and in total. */
  seconds: Record<SubgraphName | "total", number>;
  rowsPerSecond: number;
  /** What the benchmarks query: the biggest regency, an event with a full story, a province with many reports. */
  sample: { bigRegency: string; bigRegencyOrganizations: number; storyEventId: number; incidentProvince: string; searchTerms: string[] };
}

const PILKADA = { campaignStartsOn: "2024-09-25", campaignEndsOn: "2024-11-23", votingDay: "2024-11-27" };
const DAY = 86_400_000;
const CAMPAIGN_START = Date.parse("2024-09-25T00:00:00Z");
const CATEGORIES: Array<[string, number]> = [["BLACK_CAMPAIGN", 20], ["NEGATIVE_CAMPAIGN", 10], ["SARA_INSULT", 8], ["HOAX", 22], ["MONEY_POLITICS", 15], ["ASN_NEUTRALITY", 8], ["INTIMIDATION", 4], ["CAMPAIGN_PROPS", 8], ["VOTER_DATA", 3], ["OTHER", 2]];
const CHANNELS: Array<[string, number]> = [["PUBLIC_SPACE", 30], ["SOCIAL_MEDIA", 45], ["ONLINE_MEDIA", 10], ["MESSAGING", 15]];
const PLATFORMS: Record<string, string[]> = { SOCIAL_MEDIA: ["Facebook", "TikTok", "Instagram", "X", "YouTube"], ONLINE_MEDIA: ["Portal berita daring"], MESSAGING: ["WhatsApp", "Telegram"] };
const EVENT_KINDS: Array<[string, string, number]> = [["SOCIALIZATION", "Sosialisasi Pilkada Damai", 30], ["COACHING", "Pembinaan Ormas dan LSM", 15], ["DECLARATION", "Deklarasi Damai", 10], ["CAMPAIGN", "Kampanye Dialogis", 20], ["DEBATE", "Debat Publik Pasangan Calon", 5], ["MONITORING", "Pemantauan Partisipatif", 15], ["OTHER", "Rapat Koordinasi", 5]];
const PLEDGES = ["Menyukseskan Pilkada Serentak 2024", "Menolak kampanye hitam, hoaks dan politisasi SARA", "Menolak politik uang dan intimidasi", "Menjaga netralitas ASN dan kepala desa", "Mengajak masyarakat menggunakan hak pilih pada 27 November 2024"];

const iso = (ms: number) => new Date(ms).toISOString();
const time = (started: number) => round((performance.now() - started) / 1000, 1);

/** A hub configuration for a seeded data set: SQLite files in dataDir, or kawal_<tag>_* databases on MySQL. */
export function scaleConfig(backend: Backend, dataDir: string, mysqlUrl: string, tag: string): HubConfig {
  return loadConfig({
    KAWAL_DATA_DIR: dataDir,
    KAWAL_JWT_SECRET: crypto.randomBytes(32).toString("hex"),
    KAWAL_SUBGRAPH_SECRET: crypto.randomBytes(32).toString("hex"),
    HOST: "127.0.0.1",
    ...(backend === "mysql" ? { DATABASE_URL: `${mysqlUrl.replace(/\/$/, "")}/${tag}` } : {}),
  });
}

/** Removes a seeded data set: its SQLite files, or its MySQL databases. */
export async function dropScaleData(config: HubConfig): Promise<void> {
  if (!config.databaseUrl) {
    for (const name of SUBGRAPH_NAMES) for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(path.join(config.dataDir, `${name}.sqlite${suffix}`), { force: true });
    return;
  }
  const url = config.databaseUrl;
  const connection = await mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username || "root"), password: decodeURIComponent(url.password) });
  try {
    for (const name of SUBGRAPH_NAMES) await connection.query(`DROP DATABASE IF EXISTS \`${databaseName(name, config)}\``);
  } finally {
    await connection.end();
  }
}

interface Plan {
  scale: number;
  geography: Geography;
  organizations: IdRanges;
  events: IdRanges;
  /** Election id of each province (governor) and regency (regent or mayor); candidate pair ids per election. */
  provinceElection: number[];
  regencyElection: number[];
  pairs: Map<number, number[]>;
}

function plan(scale: number): Plan {
  const geography = nationalGeography();
  const provinceElection = geography.provinces.map((_, index) => index + 1);
  const regencyElection = geography.regencies.map((_, index) => geography.provinces.length + index + 1);
  const prng = new Prng(seedOf("candidate-pairs"));
  const pairs = new Map<number, number[]>();
  let pairId = 1;
  for (const election of [...provinceElection, ...regencyElection]) {
    const count = prng.int(2, 5);
    pairs.set(election, Array.from({ length: count }, () => pairId++));
  }
  return {
    scale,
    geography,
    organizations: new IdRanges(geography, perRegency(geography, Math.round(NATIONAL.organizations * scale))),
    events: new IdRanges(geography, perRegency(geography, Math.round(NATIONAL.events * scale))),
    provinceElection,
    regencyElection,
    pairs,
  };
}

function* organizationRows(p: Plan): Generator<Row> {
  const prng = new Prng(seedOf("organizations"));
  let id = 1;
  for (const [index, regency] of p.geography.regencies.entries()) {
    for (let n = 0; n < p.organizations.count[index]; n++) {
      const place = placeIn(prng, regency, { regency: 2, district: 4, village: 4 });
      const name = organizationName(prng, place.name);
      const kind = prng.weighted([["ORMAS", 68], ["LSM", 30], ["AGENCY", 2]] as const);
      const legalForm = kind === "AGENCY" ? null : kind === "LSM" ? prng.pick(["YAYASAN", "PERKUMPULAN"]) : prng.pick(["PERKUMPULAN", "UNINCORPORATED"]);
      const year = prng.int(2010, 2024);
      const registration = legalForm === "UNINCORPORATED" ? `SKT ${id}/${regency.code}/${year}` : legalForm ? `AHU-${String(id).padStart(7, "0")}.AH.01.07.${year}` : null;
      yield [
        id++, name, name.toLowerCase(), prng.chance(0.5) ? acronymOf(name) : null, kind,
        kind === "AGENCY" ? prng.pick(["KESBANGPOL", "BAWASLU", "POLICE", "PROSECUTOR", "KPU", "LOCAL_GOVERNMENT"]) : null,
        legalForm, registration, place.code, `Jalan Contoh No. ${prng.int(1, 200)}, ${place.name}`,
        prng.weighted([["ACTIVE", 92], ["SUSPENDED", 5], ["DISSOLVED", 3]] as const), iso(Date.parse(`${year}-01-01T00:00:00Z`) + prng.int(0, 364) * DAY),
      ];
    }
  }
}

/** organization_search_tokens rows as registerOrganization writes them: token, nameKey, organizationId, regionCode. */
function* searchTokenRows(p: Plan): Generator<Row> {
  for (const row of organizationRows(p)) for (const token of searchTokens(String(row[2]))) yield [token, row[2], row[0], row[8]];
}

function* electionRows(p: Plan): Generator<Row> {
  for (const [index, province] of p.geography.provinces.entries()) {
    yield [p.provinceElection[index], `Pilkada Gubernur dan Wakil Gubernur ${province.name} 2024`, "GOVERNOR", province.code, PILKADA.campaignStartsOn, PILKADA.campaignEndsOn, PILKADA.votingDay];
  }
  for (const [index, regency] of p.geography.regencies.entries()) {
    const city = regency.name.startsWith("Kota ");
    const title = city ? `Pilkada Wali Kota dan Wakil Wali Kota ${regency.name.slice(5)} 2024` : `Pilkada Bupati dan Wakil Bupati ${regency.name.replace(/^Kabupaten /, "")} 2024`;
    yield [p.regencyElection[index], title, city ? "MAYOR" : "REGENT", regency.code, PILKADA.campaignStartsOn, PILKADA.campaignEndsOn, PILKADA.votingDay];
  }
}

function* pairRows(p: Plan): Generator<Row> {
  const prng = new Prng(seedOf("pair-names"));
  for (const [election, ids] of p.pairs) {
    for (const [ballot, id] of ids.entries()) yield [id, election, ballot + 1, personName(prng), personName(prng)];
  }
}

/** The election an event, declaration or report of a regency belongs to: mostly the regency's own, some the governor's. */
function electionFor(prng: Prng, p: Plan, index: number): number {
  return prng.chance(0.75) ? p.regencyElection[index] : p.provinceElection[p.geography.regencies[index].provinceIndex];
}

interface EventTables {
  events: Row[];
  speakers: Row[];
  participations: Row[];
}

function eventTables(p: Plan): EventTables {
  const prng = new Prng(seedOf("events"));
  const tables: EventTables = { events: [], speakers: [], participations: [] };
  let id = 1;
  for (const [index, regency] of p.geography.regencies.entries()) {
    for (let n = 0; n < p.events.count[index]; n++) {
      const [kind, title] = prng.weighted(EVENT_KINDS.map(([k, t, w]) => [[k, t], w] as const));
      const place = placeIn(prng, regency, { regency: 2, district: 5, village: 3 });
      const startsAt = Date.parse("2024-09-01T01:00:00Z") + prng.int(0, 86) * DAY + prng.int(0, 9) * 3_600_000;
      const organizer = p.organizations.pick(prng, index, regency.provinceIndex) ?? 1;
      tables.events.push([id, `${title} ${prng.pick(THEMES)} ${place.name}`, kind, iso(startsAt), iso(startsAt + 4 * 3_600_000), `Balai Pertemuan ${place.name}`, place.code, prng.chance(0.8) ? electionFor(prng, p, index) : null, organizer]);
      for (const org of p.organizations.distinctInProvince(prng, regency.provinceIndex, prng.int(1, 3))) {
        tables.speakers.push([id, org, personName(prng), `Pilkada damai: peran ${prng.pick(THEMES).toLowerCase()}`]);
      }
      for (const org of p.organizations.distinctInProvince(prng, regency.provinceIndex, prng.int(2, 6))) {
        tables.participations.push([id, org, prng.int(1, 20), iso(startsAt + 5 * 3_600_000)]);
      }
      id++;
    }
  }
  return tables;
}

interface DeclarationTables {
  declarations: Row[];
  signatures: Row[];
}

function declarationTables(p: Plan): DeclarationTables {
  const prng = new Prng(seedOf("declarations"));
  const perRegencyCount = perRegency(p.geography, Math.round(NATIONAL.declarations * p.scale));
  const signaturesTotal = Math.round(NATIONAL.signatures * p.scale);
  const declarationsTotal = perRegencyCount.reduce((a, b) => a + b, 0);
  const tables: DeclarationTables = { declarations: [], signatures: [] };
  let id = 1;
  for (const [index, regency] of p.geography.regencies.entries()) {
    for (let n = 0; n < perRegencyCount[index]; n++) {
      // The first declaration of a regency is made at one of its events, so every story has one.
      const event = (n === 0 || prng.chance(0.6)) ? p.events.pick(prng, index, regency.provinceIndex) : null;
      const declaredAt = Date.parse("2024-09-01T04:00:00Z") + prng.int(0, 86) * DAY;
      const pledges = PLEDGES.filter(() => prng.chance(0.7));
      tables.declarations.push([id, `Deklarasi Pilkada Damai 2024 ${regency.name}`, JSON.stringify(pledges.length ? pledges : PLEDGES.slice(0, 2)), iso(declaredAt), placeIn(prng, regency, { regency: 4, district: 5, village: 1 }).code, event, electionFor(prng, p, index), p.organizations.pick(prng, index, regency.provinceIndex) ?? 1, iso(declaredAt)]);
      // Signatures spread evenly: the national 300,000 over 20,000 declarations is 15 each.
      const k = Math.floor(signaturesTotal / declarationsTotal) + (id <= signaturesTotal % declarationsTotal ? 1 : 0);
      for (const org of p.organizations.distinctInProvince(prng, regency.provinceIndex, k)) {
        tables.signatures.push([id, org, personName(prng), iso(declaredAt + prng.int(0, 120) * 60_000)]);
      }
      id++;
    }
  }
  return tables;
}

function* incidentRows(p: Plan): Generator<Row> {
  const prng = new Prng(seedOf("incidents"));
  const counts = perRegency(p.geography, Math.round(NATIONAL.incidents * p.scale));
  let id = 1;
  for (const [index, regency] of p.geography.regencies.entries()) {
    for (let n = 0; n < counts[index]; n++) {
      const category = prng.weighted(CATEGORIES);
      const channel = prng.weighted(CHANNELS);
      const platform = PLATFORMS[channel] ? prng.pick(PLATFORMS[channel]) : null;
      const occurredAt = CAMPAIGN_START + prng.int(0, 63 * 24) * 3_600_000;
      const place = placeIn(prng, regency, { regency: 1, district: 5, village: 4 });
      const election = electionFor(prng, p, index);
      const pair = prng.chance(0.5) ? prng.pick(p.pairs.get(election) ?? [null]) : null;
      const event = prng.chance(0.05) ? p.events.pick(prng, index, regency.provinceIndex) : null;
      yield [
        id++, category, channel, platform, platform && channel !== "MESSAGING" ? `https://contoh.invalid/laporan/${id}` : null,
        `Dugaan ${category.toLowerCase().replace(/_/g, " ")} di ${place.name}`,
        `Laporan fiktif untuk uji beban: warga melaporkan dugaan ${category.toLowerCase().replace(/_/g, " ")} melalui ${channel.toLowerCase().replace(/_/g, " ")} di ${place.name}, ${regency.name}.`,
        iso(occurredAt), iso(occurredAt + prng.int(1, 72) * 3_600_000), place.code, pair, event,
        p.organizations.pick(prng, index, regency.provinceIndex) ?? 1,
        prng.weighted([["LOW", 30], ["MEDIUM", 40], ["HIGH", 22], ["CRITICAL", 8]] as const),
        prng.weighted([["RECEIVED", 50], ["UNDER_REVIEW", 20], ["VERIFIED", 10], ["FORWARDED", 8], ["RESOLVED", 7], ["DISMISSED", 5]] as const),
        iso(occurredAt), reportingDeadline(iso(occurredAt), place.code),
      ];
    }
  }
}

/** Opens (and migrates) one subgraph's database, empty. */
async function openEmpty(name: SubgraphName, config: HubConfig): Promise<DataSource> {
  const definition = SUBGRAPHS[name];
  return openDatabase({ name, entities: definition.entities, migrations: definition.migrations }, config);
}

/**
 * Generates the data set at `scale` (1 = national) and loads it into the five databases of `config`,
 * replacing whatever a previous seed left there. Returns counts, timings and what the benchmarks query.
 */
export async function seedScale(config: HubConfig, scale: number, log: (line: string) => void = () => {}): Promise<SeedManifest> {
  const backend: Backend = config.databaseUrl ? "mysql" : "sqlite";
  await dropScaleData(config);
  const p = plan(scale);
  const rows: Record<string, number> = {};
  const seconds = {} as SeedManifest["seconds"];
  const startedAll = performance.now();
  const step = async (name: SubgraphName, load: (db: DataSource) => Promise<void>) => {
    const started = performance.now();
    const db = await openEmpty(name, config);
    try {
      await load(db);
    } finally {
      await db.destroy();
    }
    seconds[name] = time(started);
    log(`  ${name}: ${seconds[name]} s`);
  };

  await step("organizations", async (db) => {
    await SUBGRAPHS.organizations.loadReferenceData?.(db); // the national region list, as on first start
    rows.organizations = await bulkInsert(db, "organizations", ["id", "name", "nameKey", "acronym", "kind", "agencyType", "legalForm", "registrationNumber", "regionCode", "address", "status", "registeredAt"], organizationRows(p));
    // The token table of indexed name search, as registerOrganization writes it.
    rows.organization_search_tokens = await bulkInsert(db, "organization_search_tokens", ["token", "nameKey", "organizationId", "regionCode"], searchTokenRows(p));
  });
  await step("elections", async (db) => {
    rows.elections = await bulkInsert(db, "elections", ["id", "title", "office", "regionCode", "campaignStartsOn", "campaignEndsOn", "votingDay"], electionRows(p));
    rows.candidate_pairs = await bulkInsert(db, "candidate_pairs", ["id", "electionId", "ballotNumber", "headCandidate", "deputyCandidate"], pairRows(p));
  });
  await step("events", async (db) => {
    const tables = eventTables(p);
    rows.events = await bulkInsert(db, "events", ["id", "title", "kind", "startsAt", "endsAt", "venue", "regionCode", "electionId", "organizerId"], tables.events);
    rows.event_speakers = await bulkInsert(db, "event_speakers", ["eventId", "organizationId", "name", "topic"], tables.speakers);
    rows.event_participations = await bulkInsert(db, "event_participations", ["eventId", "organizationId", "attendees", "recordedAt"], tables.participations);
  });
  let storyEventId = 1;
  await step("declarations", async (db) => {
    const tables = declarationTables(p);
    rows.declarations = await bulkInsert(db, "declarations", ["id", "title", "pledges", "declaredAt", "regionCode", "eventId", "electionId", "createdByOrgId", "createdAt"], tables.declarations);
    rows.declaration_signatures = await bulkInsert(db, "declaration_signatures", ["declarationId", "organizationId", "signedBy", "signedAt"], tables.signatures);
    storyEventId = Number(tables.declarations.find((row) => row[5] !== null)?.[5] ?? 1);
  });
  await step("incidents", async (db) => {
    rows.incident_reports = await bulkInsert(db, "incident_reports", ["id", "category", "channel", "platform", "url", "title", "description", "occurredAt", "reportedAt", "regionCode", "candidatePairId", "eventId", "reporterOrgId", "severity", "status", "discoveredAt", "reportingDueAt"], incidentRows(p));
  });
  seconds.total = time(startedAll);
  const total = Object.values(rows).reduce((a, b) => a + b, 0);

  const biggest = p.organizations.count.indexOf(Math.max(...p.organizations.count));
  const bigRegency = p.geography.regencies[biggest];
  const provinceTotals = new Map<number, number>();
  p.geography.regencies.forEach((regency) => provinceTotals.set(regency.provinceIndex, (provinceTotals.get(regency.provinceIndex) ?? 0) + regency.weight));
  const busiest = [...provinceTotals.entries()].sort((a, b) => b[1] - a[1])[0][0];
  return {
    scale,
    backend,
    rows,
    seconds,
    rowsPerSecond: Math.round(total / seconds.total),
    sample: {
      bigRegency: bigRegency.code,
      bigRegencyOrganizations: p.organizations.count[biggest],
      storyEventId,
      incidentProvince: p.geography.provinces[busiest].code,
      // A common theme word, a two-word phrase, a motto word, and a rarer invented word with its place.
      searchTerms: ["pemuda", "forum nelayan", "sejahtera", "lumar", `${bigRegency.districts[0]?.name ?? "manggar"}`],
    },
  };
}

/** `npm run seed:scale -- --scale 0.1 --backend mysql|sqlite [--data-dir DIR] [--mysql URL] [--tag NAME]`. */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string) => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 && args[at + 1] ? args[at + 1] : fallback;
  };
  const scale = Number(option("scale", "0.01"));
  if (![0.001, 0.01, 0.1, 1].includes(scale)) throw new Error("--scale: must be 0.001, 0.01, 0.1 or 1");
  const backends = option("backend", "sqlite") === "both" ? (["sqlite", "mysql"] as const) : [option("backend", "sqlite") as Backend];
  for (const backend of backends) {
    if (backend !== "sqlite" && backend !== "mysql") throw new Error("--backend: must be sqlite, mysql or both");
    const dataDir = path.resolve(option("data-dir", path.join("data", `scale-${scale}`)));
    const config = scaleConfig(backend, dataDir, option("mysql", process.env.KAWAL_TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306"), option("tag", `kawal_scale_${String(scale).replace(".", "_")}`));
    console.log(`seeding ${scale * 100}% of national size into ${backend === "mysql" ? `${config.databaseUrl} (kawal_*_<subgraph>)` : dataDir}`);
    const manifest = await seedScale(config, scale, console.log);
    console.log(JSON.stringify(manifest, null, 2));
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
