import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Caller, callerFromClaims } from "../../caller/claims";
import { AuditEvent, AuditKind } from "../../subgraphs/identity/entities";
import { DemoIds, loadDemoStory } from "../support/demo";
import { ORGANIZATIONS_PAGE } from "../support/directory";
import { agencyOf, ormasOf, startTestHub, TestHub } from "../support/hub";
import { firstAdministrator } from "../support/identity";
import { fileReport, hoaxReport } from "../support/reports";

/*
 * Election day: many officers with the same rights poll the same screens. The gateway's response cache shares
 * an answer as widely as what the subgraphs read to compute it allows: the directory (nothing of the caller)
 * with everyone, the incident list (the caller's rights) with officers of the same agency, role, regions and
 * scopes, `me` (the person) with nobody else. An answer naming a report's reporter is shared with no one.
 */

interface Answer<T> {
  /** The Age header: set only when the answer came from the cache. */
  age: string | null;
  data?: T | null;
  errors?: Array<{ message: string }>;
}

const INCIDENT_LIST = `query { incidentReports(filter: { regionCode: "19.06" }, first: 50) { totalCount edges { node { id title region { name } } } } }`;
type IncidentList = { incidentReports: { totalCount: number; edges: Array<{ node: { id: string } }> } };
const REPORTER = `query ($id: ID!) { incidentReport(id: $id) { title reporter { id } } }`;
type Reporter = { incidentReport: { title: string; reporter: { id: string } | null } };
const ME = `query { me { id loginName } }`;
type Me = { me: { id: string; loginName: string } | null };

describe("answers shared by rights, not by person", () => {
  let hub: TestHub;
  let ids: DemoIds;
  let reportId: string;
  /** Two officers of Bawaslu Belitung Timur with the same rights, and a colleague who covers Manggar only. */
  let ani: Caller;
  let budi: Caller;
  let citra: Caller;

  const ask = async <T>(query: string, caller: Caller | string | null, variables: Record<string, unknown> = {}): Promise<Answer<T>> => {
    const token = typeof caller === "string" ? caller : caller && (await hub.token(caller));
    const response = await fetch(hub.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { age: response.headers.get("age"), ...((await response.json()) as Omit<Answer<T>, "age">) };
  };

  before(async () => {
    hub = await startTestHub("sqlite", { KAWAL_RESPONSE_CACHE_SECONDS: "60" });
    ids = await loadDemoStory(hub);
    const filed = await fileReport(hub, ormasOf(ids.org.pemuda), hoaxReport("Hoaks TPS dipindah (berbagi jawaban)"));
    assert.ok(filed.id, filed.code);
    reportId = filed.id;
    ani = { ...agencyOf(ids.org.bawaslu), sub: "officer-ani" };
    budi = { ...agencyOf(ids.org.bawaslu), sub: "officer-budi" };
    citra = { ...agencyOf(ids.org.bawaslu, ["19.06.01"]), sub: "officer-citra" };
  });
  after(() => hub.dispose());

  test("two officers of Bawaslu Belitung Timur with the same rights: the second is served the incident list the first's request left", async () => {
    const first = await ask<IncidentList>(INCIDENT_LIST, ani);
    const second = await ask<IncidentList>(INCIDENT_LIST, budi);
    assert.equal(first.errors, undefined);
    assert.equal(first.age, null);
    assert.notEqual(second.age, null, "served from the cache");
    assert.deepEqual(second.data, first.data);
  });

  test("an officer of the same agency covering other regions is never served that list: hers is computed", async () => {
    await ask(INCIDENT_LIST, ani);
    const hers = await ask<IncidentList>(INCIDENT_LIST, citra);
    assert.equal(hers.errors, undefined);
    assert.equal(hers.age, null);
  });

  test("the directory reads nothing of the caller: the public and a volunteer are served the page an officer's request left", async () => {
    const variables = { filter: { regionCode: "19.06" }, first: 20 };
    const officers = await ask(ORGANIZATIONS_PAGE, budi, variables);
    assert.equal(officers.errors, undefined);
    const publics = await ask(ORGANIZATIONS_PAGE, null, variables);
    const volunteers = await ask(ORGANIZATIONS_PAGE, ormasOf(ids.org.gantung), variables);
    assert.notEqual(publics.age, null, "the public is served from the cache");
    assert.notEqual(volunteers.age, null, "the volunteer is served from the cache");
    assert.deepEqual(publics.data, officers.data);
  });

  test("the reporter is never served from the cache, not even to a colleague with the same rights: each delivery is computed and audited", async () => {
    const deliveries = async (subject: string) =>
      (await hub.hub.subgraphs.identity.db.getRepository(AuditEvent).findBy({ kind: AuditKind.REPORTER_DELIVERED, subject })).filter((event) => String(event.reportId) === reportId);
    const anis = await ask<Reporter>(REPORTER, ani, { id: reportId });
    const budis = await ask<Reporter>(REPORTER, budi, { id: reportId });
    assert.deepEqual(anis.data?.incidentReport.reporter, { id: ids.org.pemuda });
    assert.deepEqual(budis.data?.incidentReport.reporter, { id: ids.org.pemuda });
    assert.equal(budis.age, null);
    assert.equal((await deliveries("officer-budi")).length, 1);
  });

  test("`me` is never shared between two people, not even with the same rights; the same person is served their own again", async () => {
    const admin = await firstAdministrator(hub, ids.org.kesbangpol, "admin@kesbangpol.beltim.go.id", "kapal layar Manggar tujuh");
    const claims = JSON.parse(Buffer.from(admin.accessToken.split(".")[1], "base64url").toString()) as Record<string, unknown>;
    const twin = { ...callerFromClaims(claims), sub: "account:999999" };
    const own = await ask<Me>(ME, admin.accessToken);
    assert.equal(own.data?.me?.loginName, "admin@kesbangpol.beltim.go.id");
    const twins = await ask<Me>(ME, twin);
    assert.equal(twins.age, null);
    assert.equal(twins.data?.me, null);
    const again = await ask<Me>(ME, admin.accessToken);
    assert.notEqual(again.age, null, "served from the cache");
    assert.deepEqual(again.data, own.data);
  });

  test("a new report drops the list the officers shared: the next officer's list counts it", async () => {
    await ask(INCIDENT_LIST, ani);
    const cached = await ask<IncidentList>(INCIDENT_LIST, budi);
    assert.notEqual(cached.age, null, "served from the cache");
    const filed = await fileReport(hub, ormasOf(ids.org.gantung), hoaxReport("Hoaks surat suara tercoblos (berbagi jawaban)"));
    assert.ok(filed.id, filed.code);
    const fresh = await ask<IncidentList>(INCIDENT_LIST, budi);
    assert.equal(fresh.age, null);
    assert.equal(fresh.data?.incidentReports.totalCount, (cached.data?.incidentReports.totalCount ?? 0) + 1);
  });
});
