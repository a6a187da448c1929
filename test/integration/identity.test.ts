import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createAdministrator } from "../../launcher/admin";
import { Account, AuditEvent } from "../../subgraphs/identity/entities";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, backends, startTestHub, TestHub } from "../support/hub";
import { activate, call, changePassword, CREATE, createAccount, firstAdministrator, refresh, signIn, TestSession } from "../support/identity";

/*
 * People's accounts through the public API, on each engine: the first administrator from the command line,
 * accounts made by administrators within their own role, organization and regions, sign-in that never says
 * whether a login name exists, refresh tokens rotated on each use and revoked as a family when one is reused,
 * and the audit trail of all of it, free of secrets.
 */

const ADMIN_PASSWORD = "kapal layar Manggar tujuh";
const OFFICER_PASSWORD = "lada putih Gantung delapan";

describe("accounts, sessions and the audit trail", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      let hub: TestHub;
      let ids: DemoIds;
      let admin: TestSession;
      /** Every secret handed out during the run, none of which may appear in the audit trail. */
      const secrets: string[] = [ADMIN_PASSWORD, OFFICER_PASSWORD];
      const accounts = () => hub.hub.subgraphs.identity.db.getRepository(Account);

      before(async () => {
        hub = await startTestHub(backend, { KAWAL_RATE_LIMIT_MUTATIONS: "0" });
        ids = await loadDemoStory(hub);
        admin = await firstAdministrator(hub, ids.org.kesbangpol, "admin@kesbangpol.beltim.go.id", ADMIN_PASSWORD);
        secrets.push(admin.accessToken, admin.refreshToken);
      });
      after(() => hub.dispose());

      test("create-admin on a fresh database: a one-time password that must be changed, then no second first administrator", async () => {
        const taken = await createAdministrator(hub.hub.config, ["--org", ids.org.bawaslu, "--login", "admin@bawaslu.beltim.go.id"]).catch((error: Error) => error);
        assert.match(String(taken), /an administrator exists already/);
        const stored = await accounts().findOneByOrFail({ loginName: "admin@kesbangpol.beltim.go.id" });
        assert.deepEqual([stored.admin, stored.role, stored.regions.trim(), stored.mustChangePassword], [true, "AGENCY", "19.06", false]);
        assert.match(stored.passwordHash, /^\$argon2id\$/);
        assert.equal(admin.account.role, "AGENCY");
        const me = await call<{ me: { loginName: string; admin: boolean } }>(hub, "{ me { loginName admin } }", {}, admin.accessToken);
        assert.deepEqual(me.data?.me, { loginName: "admin@kesbangpol.beltim.go.id", admin: true });
      });

      test("create-admin refuses an organization that does not exist, by option name", async () => {
        const missing = await createAdministrator(hub.hub.config, ["--org", "999999", "--login", "x@beltim.go.id"]).catch((error: Error) => error);
        assert.match(String(missing), /--org: no organization 999999/);
      });

      test("first sign-in with an administrator-set password must change it; weak new passwords are refused", async () => {
        const created = await createAccount(hub, admin.accessToken, { organizationId: ids.org.kesbangpol, role: "AGENCY", regions: ["19.06.01"], loginName: "0812 1111 2222" });
        secrets.push(created.oneTimePassword);
        assert.equal(created.account.loginName, "+6281211112222");
        const first = await signIn(hub, "0812-1111-2222", created.oneTimePassword);
        assert.equal(first.code, "PASSWORD_CHANGE_REQUIRED");
        const weak = await changePassword(hub, "+6281211112222", created.oneTimePassword, "password123");
        assert.deepEqual([weak.code, weak.field], ["BAD_USER_INPUT", "newPassword"]);
        const session = await activate(hub, "+6281211112222", created.oneTimePassword, OFFICER_PASSWORD);
        secrets.push(session.accessToken, session.refreshToken);
        assert.deepEqual([session.account.role, session.account.regions, session.account.mustChangePassword], ["AGENCY", ["19.06.01"], false]);
        assert.equal((await signIn(hub, "+6281211112222", created.oneTimePassword)).code, "UNAUTHENTICATED", "the one-time password is gone");
        const again = await signIn(hub, "+6281211112222", OFFICER_PASSWORD);
        assert.equal(again.code, "ok");
        // The access token is the gateway's usual token: the officer writes within her regions.
        const { data } = await call<{ me: { regions: string[] } }>(hub, "{ me { regions } }", {}, again.data!.signIn.accessToken);
        assert.deepEqual(data?.me.regions, ["19.06.01"]);
      });

      test("a wrong password, an unknown login name and a disabled account get the same answer", async () => {
        const created = await createAccount(hub, admin.accessToken, { organizationId: ids.org.kesbangpol, role: "AGENCY", regions: ["19.06"], loginName: "dinonaktifkan@kesbangpol.beltim.go.id" });
        secrets.push(created.oneTimePassword);
        await activate(hub, "dinonaktifkan@kesbangpol.beltim.go.id", created.oneTimePassword, "burung camar pantai sembilan");
        const disabled = await call(hub, `mutation ($id: ID!) { disableAccount(id: $id) { disabled } }`, { id: created.account.id }, admin.accessToken);
        assert.equal(disabled.code, "ok", disabled.message);
        const answers = [
          await signIn(hub, "admin@kesbangpol.beltim.go.id", "not the password at all"),
          await signIn(hub, "nobody@kesbangpol.beltim.go.id", "not the password at all"),
          await signIn(hub, "dinonaktifkan@kesbangpol.beltim.go.id", "burung camar pantai sembilan"),
        ];
        for (const answer of answers) assert.deepEqual({ ...answer, data: undefined }, { ...answers[0], data: undefined });
        assert.equal(answers[0].code, "UNAUTHENTICATED");
        assert.doesNotMatch(answers[0].message, /unknown|exist|disabled|not found/i);
        const enabled = await call(hub, `mutation ($id: ID!) { enableAccount(id: $id) { disabled } }`, { id: created.account.id }, admin.accessToken);
        assert.deepEqual(enabled.data, { enableAccount: { disabled: false } });
        assert.equal((await signIn(hub, "dinonaktifkan@kesbangpol.beltim.go.id", "burung camar pantai sembilan")).code, "ok", "enabled again, with its password");
      });

      test("repeated failures for one login name are slowed down, and the right password still gets in (no lockout)", async () => {
        const created = await createAccount(hub, admin.accessToken, { organizationId: ids.org.kesbangpol, role: "AGENCY", regions: ["19.06"], loginName: "dicoba@kesbangpol.beltim.go.id" });
        secrets.push(created.oneTimePassword);
        await activate(hub, "dicoba@kesbangpol.beltim.go.id", created.oneTimePassword, "angin barat Kelapa Kampit");
        const timed = async (password: string) => {
          const started = Date.now();
          const answer = await signIn(hub, "dicoba@kesbangpol.beltim.go.id", password);
          return { code: answer.code, ms: Date.now() - started };
        };
        for (let i = 0; i < 4; i++) assert.equal((await timed(`tebakan ke ${i} yang salah`)).code, "UNAUTHENTICATED");
        const fifth = await timed("angin barat Kelapa Kampit");
        assert.equal(fifth.code, "ok", "slowed, never locked out");
        assert.ok(fifth.ms >= 950, `the attempt after the fourth failure waits a second (took ${fifth.ms} ms)`);
        const after = await timed("angin barat Kelapa Kampit");
        assert.ok(after.ms < 950, `a success clears the count (took ${after.ms} ms)`);
        assert.equal((await signIn(hub, "dicoba@kesbangpol.beltim.go.id", "x".repeat(100_000))).code, "UNAUTHENTICATED", "an enormous password is a wrong one");
      });

      test("refresh tokens rotate: each works once, and the newest keeps the session going", async () => {
        const session = (await signIn(hub, "admin@kesbangpol.beltim.go.id", ADMIN_PASSWORD)).data!.signIn;
        const second = await refresh(hub, session.refreshToken);
        assert.equal(second.code, "ok", second.message);
        const next = second.data!.refreshSession;
        assert.notEqual(next.refreshToken, session.refreshToken);
        const third = await refresh(hub, next.refreshToken);
        assert.equal(third.code, "ok", third.message);
        secrets.push(session.refreshToken, next.refreshToken, third.data!.refreshSession.refreshToken, next.accessToken);
        const stored = await hub.hub.subgraphs.identity.db.query("SELECT tokenHash FROM refresh_tokens");
        assert.ok(!JSON.stringify(stored).includes(next.refreshToken), "stored as a hash only");
      });

      test("a rotated refresh token presented again revokes its whole family", async () => {
        const session = (await signIn(hub, "admin@kesbangpol.beltim.go.id", ADMIN_PASSWORD)).data!.signIn;
        const rotated = (await refresh(hub, session.refreshToken)).data!.refreshSession;
        const reuse = await refresh(hub, session.refreshToken);
        assert.deepEqual([reuse.code, reuse.field], ["UNAUTHENTICATED", "refreshToken"]);
        const latest = await refresh(hub, rotated.refreshToken);
        assert.equal(latest.code, "UNAUTHENTICATED", "the thief's copy and the owner's newest token die together");
        const other = (await signIn(hub, "admin@kesbangpol.beltim.go.id", ADMIN_PASSWORD)).data!.signIn;
        assert.equal((await refresh(hub, other.refreshToken)).code, "ok", "other sessions of the account live on");
      });

      test("a disabled account's next refresh fails, and its password reset ends its sessions too", async () => {
        const created = await createAccount(hub, admin.accessToken, { organizationId: ids.org.kesbangpol, role: "ORMAS", regions: ["19.06.02"], loginName: "relawan.gantung@contoh.id" });
        secrets.push(created.oneTimePassword);
        const session = await activate(hub, "relawan.gantung@contoh.id", created.oneTimePassword, "perahu nelayan Dendang sepuluh");
        const reset = await call<{ resetPassword: { oneTimePassword: string; account: { mustChangePassword: boolean } } }>(hub, `mutation ($id: ID!) { resetPassword(id: $id) { oneTimePassword account { mustChangePassword } } }`, { id: created.account.id }, admin.accessToken);
        assert.equal(reset.code, "ok", reset.message);
        secrets.push(reset.data!.resetPassword.oneTimePassword);
        assert.equal((await refresh(hub, session.refreshToken)).code, "UNAUTHENTICATED", "a reset revokes the refresh tokens");
        const fresh = await activate(hub, "relawan.gantung@contoh.id", reset.data!.resetPassword.oneTimePassword, "perahu nelayan Dendang sebelas");
        await call(hub, `mutation ($id: ID!) { disableAccount(id: $id) { id } }`, { id: created.account.id }, admin.accessToken);
        assert.equal((await refresh(hub, fresh.refreshToken)).code, "UNAUTHENTICATED");
      });

      test("an administrator cannot create outside its regions, above its role, or without being one; nothing is created", async () => {
        const before = await accounts().count();
        const outside = await call(hub, CREATE, { input: { organizationId: ids.org.kesbangpol, role: "AGENCY", regions: ["19.01"], loginName: "luar@contoh.id" } }, admin.accessToken);
        assert.deepEqual([outside.code, outside.field], ["FORBIDDEN", "input.regions[0]"]);
        const officer = (await signIn(hub, "+6281211112222", OFFICER_PASSWORD)).data!.signIn;
        const notAdmin = await call(hub, CREATE, { input: { organizationId: ids.org.kesbangpol, role: "ORMAS", regions: ["19.06.01"], loginName: "bukan@contoh.id" } }, officer.accessToken);
        assert.equal(notAdmin.code, "FORBIDDEN");
        const demoToken = await hub.token(agencyOf(ids.org.kesbangpol));
        assert.equal((await call(hub, CREATE, { input: { organizationId: ids.org.kesbangpol, role: "ORMAS", regions: ["19.06"], loginName: "demo@contoh.id" } }, demoToken)).code, "FORBIDDEN", "a token that is no account's administers nothing");
        assert.equal((await call(hub, CREATE, { input: { organizationId: ids.org.kesbangpol, role: "ORMAS", regions: ["19.06"], loginName: "publik@contoh.id" } })).code, "UNAUTHENTICATED");
        const missingOrg = await call(hub, CREATE, { input: { organizationId: "999999", role: "ORMAS", regions: ["19.06"], loginName: "yatim@contoh.id" } }, admin.accessToken);
        assert.deepEqual([missingOrg.code, missingOrg.field], ["BAD_USER_INPUT", "input.organizationId"]);
        assert.equal(await accounts().count(), before);
      });

      test("an ORMAS administrator creates ORMAS accounts for its own organization's members in its regions only", async () => {
        const ormasAdmin = await createAccount(hub, admin.accessToken, { organizationId: ids.org.pemuda, role: "ORMAS", regions: ["19.06.01"], loginName: "ketua@p3m.or.id", admin: true });
        secrets.push(ormasAdmin.oneTimePassword);
        const session = await activate(hub, "ketua@p3m.or.id", ormasAdmin.oneTimePassword, "sepeda tua pasar Manggar");
        const before = await accounts().count();
        const member = await createAccount(hub, session.accessToken, { organizationId: ids.org.pemuda, role: "ORMAS", regions: ["19.06.01"], loginName: "anggota@p3m.or.id" });
        secrets.push(member.oneTimePassword);
        const refusals = [
          await call(hub, CREATE, { input: { organizationId: ids.org.gantung, role: "ORMAS", regions: ["19.06.01"], loginName: "lain@contoh.id" } }, session.accessToken),
          await call(hub, CREATE, { input: { organizationId: ids.org.pemuda, role: "AGENCY", regions: ["19.06.01"], loginName: "naik@contoh.id" } }, session.accessToken),
          await call(hub, CREATE, { input: { organizationId: ids.org.pemuda, role: "ORMAS", regions: ["19.06.02"], loginName: "jauh@contoh.id" } }, session.accessToken),
          await call(hub, `mutation ($id: ID!) { disableAccount(id: $id) { id } }`, { id: admin.account.id }, session.accessToken),
        ];
        assert.deepEqual(refusals.map(({ code, field }) => [code, field]), [
          ["FORBIDDEN", "input.organizationId"],
          ["FORBIDDEN", "input.role"],
          ["FORBIDDEN", "input.regions[0]"],
          ["FORBIDDEN", "id"],
        ]);
        assert.equal(await accounts().count(), before + 1, "the member only");
        const raise = await call(hub, `mutation ($id: ID!) { changeAccountAccess(id: $id, role: AGENCY) { role } }`, { id: member.account.id }, session.accessToken);
        assert.deepEqual([raise.code, raise.field], ["FORBIDDEN", "role"]);
        const events = await call<{ auditEvents: { edges: Array<{ node: { organization: { id: string } | null } }> } }>(hub, `{ auditEvents(first: 100) { edges { node { organization { id } } } } }`, {}, session.accessToken);
        assert.ok(events.data!.auditEvents.edges.length > 0);
        assert.ok(events.data!.auditEvents.edges.every(({ node }) => node.organization?.id === ids.org.pemuda), "its own organization's events only");
        const LIST = `{ accounts(first: 100) { totalCount edges { node { loginName organization { id } } } } }`;
        const own = await call<{ accounts: { edges: Array<{ node: { loginName: string; organization: { id: string } } }> } }>(hub, LIST, {}, session.accessToken);
        assert.deepEqual(own.data!.accounts.edges.map(({ node }) => node.loginName).sort(), ["anggota@p3m.or.id", "ketua@p3m.or.id"]);
        const all = await call<{ accounts: { edges: Array<{ node: { loginName: string } }> } }>(hub, LIST, {}, admin.accessToken);
        const logins = all.data!.accounts.edges.map(({ node }) => node.loginName);
        assert.ok(logins.includes("anggota@p3m.or.id") && logins.includes("+6281211112222") && logins.includes("admin@kesbangpol.beltim.go.id"), logins.join(", "));
      });

      test("the audit trail records sign-ins and account changes, for administrators, and holds no secret", async () => {
        const officer = await accounts().findOneByOrFail({ loginName: "+6281211112222" });
        const access = await call(hub, `mutation ($id: ID!) { changeAccountAccess(id: $id, regions: ["19.06.01", "19.06.02"]) { regions } }`, { id: String(officer.id) }, admin.accessToken);
        assert.equal(access.code, "ok", access.message);
        const { data, code, message } = await call<{ auditEvents: { totalCount: number; edges: Array<{ node: { kind: string; accountId: string | null; detail: string | null } }> } }>(
          hub,
          `query ($f: AuditFilter) { auditEvents(filter: $f, first: 100) { totalCount edges { node { kind accountId detail clientAddress at } } } }`,
          { f: { accountId: String(officer.id) } },
          admin.accessToken,
        );
        assert.equal(code, "ok", message);
        const kinds = data!.auditEvents.edges.map(({ node }) => node.kind);
        for (const kind of ["ACCOUNT_CREATED", "PASSWORD_CHANGED", "SIGN_IN_SUCCEEDED", "SIGN_IN_FAILED", "ACCESS_CHANGED"]) assert.ok(kinds.includes(kind), `${kind} in ${kinds.join(", ")}`);
        assert.equal(data!.auditEvents.edges[0].node.detail, "regions 19.06.01 -> 19.06.01 19.06.02", "newest first");
        const all = await call<{ auditEvents: { edges: Array<{ node: { kind: string } }> } }>(hub, `{ auditEvents(first: 100) { edges { node { kind } } } }`, {}, admin.accessToken);
        const allKinds = new Set(all.data!.auditEvents.edges.map(({ node }) => node.kind));
        for (const kind of ["ACCOUNT_DISABLED", "PASSWORD_RESET", "REFRESH_TOKEN_REUSED"]) assert.ok(allKinds.has(kind), kind);
        const forbidden = await call(hub, `{ auditEvents(first: 1) { totalCount } }`, {}, (await signIn(hub, "+6281211112222", OFFICER_PASSWORD)).data!.signIn.accessToken);
        assert.equal(forbidden.code, "FORBIDDEN");
        // Every row, every column: no password, one-time password, token or hash.
        const rows = JSON.stringify(await hub.hub.subgraphs.identity.db.getRepository(AuditEvent).find());
        for (const secret of secrets) assert.ok(!rows.includes(secret), "a secret in the audit trail");
        assert.doesNotMatch(rows, /argon2|not the password at all|nobody@/);
        // The API has no way to change it.
        const mutations = await call<{ __schema: { mutationType: { fields: Array<{ name: string }> } } }>(hub, `{ __schema { mutationType { fields { name } } } }`);
        assert.deepEqual(mutations.data!.__schema.mutationType.fields.map(({ name }) => name).filter((name) => /audit/i.test(name)), []);
      });
    });
  }
});
