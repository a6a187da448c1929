import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startGateway } from "../../gateway/server";
import { startHub } from "../../launcher/hub";
import { postGraphQL } from "../../platform/graphql-fetch";
import { signToken } from "../../caller/tokens";
import type { Caller } from "../../caller/claims";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, backends, integrator, ormasOf, startTestHub, TestHub } from "../support/hub";
import { createIntegration, firstAdministrator, requestToken } from "../support/identity";
import { WebhookReceiver } from "../support/webhook-receiver";
import { Webhook } from "../../subgraphs/identity/webhook-entities";

/*
 * A partner's newsroom tool registers a webhook for black-campaign alerts in Belitung Timur; its server
 * verifies each delivery's signature and drops duplicates by webhook-id, and must end up with every alert
 * exactly once: through retries, a hub restart and a second gateway.
 */

const ALERT_HOOK = `subscription { incidentAlerts(filter: { regionCode: "19.06" }) { sequence kind report { title region { code } } } }`;

const REGISTER = `mutation ($url: String!, $subscription: String!) {
  registerWebhook(url: $url, subscription: $subscription) { secret webhook { id url disabled cursor } }
}`;

const WEBHOOKS = `{ webhooks { id disabled disabledReason deliveries { messageId eventType sequence statusCode attempts nextRetryAt deliveredAt lastError } } }`;

/** Short leases and retries, so takeovers and backoff happen within a test. */
const FAST = { KAWAL_WEBHOOK_LEASE_SECONDS: "1", KAWAL_WEBHOOK_RETRY_MS: "50", KAWAL_WEBHOOK_RETRY_MAX_MS: "200", KAWAL_WEBHOOK_GIVE_UP_SECONDS: "2" };

const newsroom: Caller = { ...integrator(["subscribe:alerts"]), sub: "app:kabar-belitung" };

interface Delivered {
  type: string;
  data: { incidentAlerts: { sequence: string; report: { title: string } } };
}

async function reportHoax(hub: TestHub, ids: DemoIds, title: string): Promise<void> {
  const { errors } = await hub.query(
    `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }`,
    { input: { category: "HOAX", channel: "MESSAGING", platform: "WhatsApp", title, description: "Pesan berantai.", occurredAt: "2024-11-21T08:00:00+07:00", regionCode: "19.06.01" } },
    ormasOf(ids.org.pemuda),
  );
  assert.equal(errors, undefined);
}

async function register(hub: TestHub, receiver: WebhookReceiver, caller: Caller = newsroom): Promise<string> {
  const { data, errors } = await hub.query<{ registerWebhook: { secret: string; webhook: { id: string } } }>(REGISTER, { url: receiver.url, subscription: ALERT_HOOK }, caller);
  assert.equal(errors, undefined, JSON.stringify(errors));
  receiver.secret = data!.registerWebhook.secret;
  return data!.registerWebhook.webhook.id;
}

const titlesOf = (receiver: WebhookReceiver) => receiver.messages.filter((m) => m.type === "incident.alert").map((m) => (m as unknown as Delivered).data.incidentAlerts.report.title);

/** Until `check` holds (at most 10 s). */
async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("webhooks on each database", async () => {
 for (const backend of await backends()) {
  describe(`webhooks (${backend})`, () => {
    let hub: TestHub;
    let ids: DemoIds;
    const receivers: WebhookReceiver[] = [];
    const receiver = async () => {
      const started = await new WebhookReceiver().start();
      receivers.push(started);
      return started;
    };
    let administrator: Promise<string> | undefined;
    /** The Kesbangpol administrator's access token (the first administrator, made once per hub). */
    const adminToken = () =>
      (administrator ??= firstAdministrator(hub, ids.org.kesbangpol, "admin@kesbangpol.beltim.go.id", "Kesbangpol-Webhook-2024!").then((session) => session.accessToken));
    before(async () => {
      hub = await startTestHub(backend, FAST);
      ids = await loadDemoStory(hub);
    });
    after(async () => {
      await Promise.all(receivers.map((r) => r.dispose()));
      await hub.dispose();
    });

    test("a partner app registers a webhook and its server receives each alert once, signed, in order", async () => {
      const newsServer = await receiver();
      await register(hub, newsServer);
      assert.match(newsServer.secret!, /^whsec_[A-Za-z0-9+/=]+$/);
      for (let n = 1; n <= 3; n++) await reportHoax(hub, ids, `Hoaks webhook #${n}`);
      await newsServer.count(3);
      assert.deepEqual(titlesOf(newsServer), ["Hoaks webhook #1", "Hoaks webhook #2", "Hoaks webhook #3"]);
      assert.deepEqual(newsServer.badSignatures, []);
      const sequences = newsServer.messages.map((m) => (m as unknown as Delivered).data.incidentAlerts.sequence);
      assert.deepEqual([...sequences].sort(), sequences);
      const { data } = await hub.query<{ webhooks: Array<{ deliveries: Array<{ statusCode: number; attempts: number; deliveredAt: string | null }> }> }>(WEBHOOKS, {}, newsroom);
      await eventually(async () => {
        const list = await hub.query<{ webhooks: Array<{ cursor: string | null; deliveries: Array<{ deliveredAt: string | null }> }> }>(WEBHOOKS, {}, newsroom);
        return list.data!.webhooks[0].deliveries.filter((d) => d.deliveredAt).length === 3;
      }, "the delivery log shows three deliveries");
      assert.ok(data);
      const log = (await hub.query<{ webhooks: Array<{ deliveries: Array<{ statusCode: number; attempts: number; nextRetryAt: string | null }> }> }>(WEBHOOKS, {}, newsroom)).data!;
      assert.deepEqual(log.webhooks[0].deliveries.map((d) => [d.statusCode, d.attempts, d.nextRetryAt]), [[204, 1, null], [204, 1, null], [204, 1, null]]);
    });

    test("a receiver that answers 500 three times still gets every alert once, after retries", async () => {
      const flaky = await receiver();
      flaky.failFirst = 3;
      const caller = { ...newsroom, sub: "app:flaky" };
      await register(hub, flaky, caller);
      await reportHoax(hub, ids, "Hoaks saat server sibuk #1");
      await reportHoax(hub, ids, "Hoaks saat server sibuk #2");
      await flaky.count(2);
      assert.deepEqual(titlesOf(flaky), ["Hoaks saat server sibuk #1", "Hoaks saat server sibuk #2"]);
      assert.equal(flaky.requests, 5);
      await eventually(async () => {
        const { data } = await hub.query<{ webhooks: Array<{ deliveries: Array<{ attempts: number; statusCode: number; deliveredAt: string | null }> }> }>(WEBHOOKS, {}, caller);
        const [second, first] = data!.webhooks[0].deliveries;
        return first?.attempts === 4 && first.statusCode === 204 && second?.deliveredAt !== null;
      }, "the log shows the first alert delivered on its fourth attempt");
    });

    test("a test event reaches the receiver and its result is in the log", async () => {
      const server = await receiver();
      const caller = { ...newsroom, sub: "app:test-event" };
      const id = await register(hub, server, caller);
      const sent = await hub.query<{ sendTestWebhookEvent: { messageId: string; eventType: string } }>(`mutation ($id: ID!) { sendTestWebhookEvent(id: $id) { messageId eventType } }`, { id }, caller);
      assert.equal(sent.errors, undefined);
      const [message] = await server.count(1);
      assert.equal(message.type, "webhook.test");
      assert.equal(message.id, sent.data!.sendTestWebhookEvent.messageId);
    });

    test("a receiver failing past the give-up time is disabled, and its owner sees why", async () => {
      const broken = await receiver();
      broken.down = true;
      const caller = { ...newsroom, sub: "app:broken" };
      await register(hub, broken, caller);
      await reportHoax(hub, ids, "Hoaks ke server mati");
      await eventually(async () => {
        const { data } = await hub.query<{ webhooks: Array<{ disabled: boolean }> }>(WEBHOOKS, {}, caller);
        return data!.webhooks[0].disabled;
      }, "the webhook is disabled");
      const { data } = await hub.query<{ webhooks: Array<{ disabledReason: string }> }>(WEBHOOKS, {}, caller);
      assert.match(data!.webhooks[0].disabledReason, /deliveries failed for .* \(last: the receiver answered HTTP 500\)/);
    });

    test("the owner disables and deletes its webhook; another caller cannot touch it", async () => {
      const server = await receiver();
      const caller = { ...newsroom, sub: "app:owner" };
      const id = await register(hub, server, caller);
      const stranger = await hub.query(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id }, { ...newsroom, sub: "app:stranger" });
      assert.equal(stranger.errors?.[0].extensions?.field, "id");
      const disabled = await hub.query<{ disableWebhook: { disabled: boolean; disabledReason: string } }>(`mutation ($id: ID!) { disableWebhook(id: $id) { disabled disabledReason } }`, { id }, caller);
      assert.deepEqual(disabled.data?.disableWebhook, { disabled: true, disabledReason: "disabled by its owner" });
      const deleted = await hub.query(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id }, caller);
      assert.deepEqual(deleted.data, { deleteWebhook: true });
      assert.deepEqual((await hub.query(WEBHOOKS, {}, caller)).data, { webhooks: [] });
    });

    test("an agency administrator registers a webhook for its office's alerts, and receives them", async () => {
      const server = await receiver();
      const registered = await postGraphQL<{ registerWebhook: { secret: string } }>(hub.url, REGISTER, { url: server.url, subscription: ALERT_HOOK }, await adminToken());
      assert.equal(registered.errors, undefined, JSON.stringify(registered.errors));
      server.secret = registered.data!.registerWebhook.secret;
      await reportHoax(hub, ids, "Hoaks untuk Kesbangpol");
      await server.count(1);
      assert.deepEqual(titlesOf(server), ["Hoaks untuk Kesbangpol"]);
    });

    test("a partner app whose credentials are revoked: its webhooks are disabled with the reason, deliveries stop, and its token cannot restart them", async () => {
      const server = await receiver();
      const app = await createIntegration(hub, await adminToken(), { organizationId: ids.org.bawaslu, name: "Kabar Belitung", scopes: ["subscribe:alerts"], regions: ["19.06"] });
      const token = await requestToken(hub, { grant_type: "client_credentials", client_id: app.integration.clientId, client_secret: app.clientSecret });
      const appToken = token.body.access_token!;
      const registered = await postGraphQL<{ registerWebhook: { secret: string; webhook: { id: string } } }>(hub.url, REGISTER, { url: server.url, subscription: ALERT_HOOK }, appToken);
      assert.equal(registered.errors, undefined, JSON.stringify(registered.errors));
      server.secret = registered.data!.registerWebhook.secret;
      await reportHoax(hub, ids, "Hoaks sebelum dicabut");
      await server.count(1);

      const revoked = await postGraphQL(hub.url, `mutation ($id: ID!) { revokeIntegration(id: $id) { revokedAt } }`, { id: app.integration.id }, await adminToken());
      assert.equal(revoked.errors, undefined, JSON.stringify(revoked.errors));
      const listed = await postGraphQL<{ webhooks: Array<{ disabled: boolean; disabledReason: string | null }> }>(hub.url, WEBHOOKS, {}, appToken);
      assert.deepEqual(listed.data?.webhooks.map((w) => [w.disabled, w.disabledReason]), [[true, "the partner app was revoked"]]);
      const restarted = await postGraphQL(hub.url, `mutation ($id: ID!) { enableWebhook(id: $id) { disabled } }`, { id: registered.data!.registerWebhook.webhook.id }, appToken);
      assert.equal(restarted.errors?.[0]?.extensions?.code, "FORBIDDEN", JSON.stringify(restarted));
      // The gateway holding the webhook learns of it at its next lease renewal (a third of the lease, here 1 s).
      await new Promise((resolve) => setTimeout(resolve, 700));
      await reportHoax(hub, ids, "Hoaks sesudah dicabut");
      await new Promise((resolve) => setTimeout(resolve, 1500)); // a lease period: a delivery would have come by now
      assert.deepEqual(titlesOf(server), ["Hoaks sebelum dicabut"]);
    });

    test("bad registrations are refused naming the field, and nothing is stored", async () => {
      const server = await receiver();
      const cases: Array<[Caller, string, string, string, string]> = [
        [newsroom, server.url, `subscription { incidentAlerts { nope } }`, "subscription", "BAD_USER_INPUT"],
        [newsroom, server.url, `query { latestAlertSequence }`, "subscription", "BAD_USER_INPUT"],
        [newsroom, "http://10.20.30.40/hook", ALERT_HOOK, "url", "BAD_USER_INPUT"],
        [newsroom, "ftp://127.0.0.1/hook", ALERT_HOOK, "url", "BAD_USER_INPUT"],
      ];
      for (const [caller, url, subscription, field, code] of cases) {
        const { errors } = await hub.query(REGISTER, { url, subscription }, caller);
        assert.equal(errors?.[0].extensions?.field, field, `${url} ${subscription}: ${JSON.stringify(errors)}`);
        assert.equal(errors?.[0].extensions?.code, code);
      }
      const withoutScope = { ...integrator(["read:incidents"]), sub: "app:no-scope" };
      const refused = await hub.query(REGISTER, { url: server.url, subscription: ALERT_HOOK }, withoutScope);
      assert.equal(refused.errors?.[0].extensions?.code, "FORBIDDEN");
      assert.match(refused.errors![0].message, /subscribe:alerts/);
      const ormas = await hub.query(REGISTER, { url: server.url, subscription: ALERT_HOOK }, ormasOf(ids.org.pemuda));
      assert.equal(ormas.errors?.[0].extensions?.code, "FORBIDDEN");
      // An agency officer who is not an administrator (a minted token) may subscribe but not register.
      const officer = await hub.query(REGISTER, { url: server.url, subscription: ALERT_HOOK }, agencyOf(ids.org.bawaslu));
      assert.equal(officer.errors?.[0].extensions?.code, "FORBIDDEN");
      for (const caller of [newsroom, withoutScope, ormasOf(ids.org.pemuda), agencyOf(ids.org.bawaslu)]) {
        const { data } = await hub.query<{ webhooks: unknown[] }>(`{ webhooks { id } }`, {}, caller);
        const own = caller === newsroom ? 1 : 0; // the first test's webhook
        assert.equal(data!.webhooks.length, own);
      }
    });

    test("a second gateway delivers nothing twice, and takes the webhooks over when the first stops", async () => {
      const server = await receiver();
      const caller = { ...newsroom, sub: "app:two-gateways" };
      await register(hub, server, caller);
      const second = await startGateway(hub.hub.config, { port: 0, host: "127.0.0.1" });
      try {
        await reportHoax(hub, ids, "Hoaks dua gateway #1");
        await server.count(1);
        await eventually(async () => {
          const { data } = await hub.query<{ webhooks: Array<{ deliveries: Array<{ deliveredAt: string | null }> }> }>(WEBHOOKS, {}, caller);
          return data!.webhooks[0].deliveries[0]?.deliveredAt !== null;
        }, "the first gateway has recorded the delivery");
        // The first gateway stops: its leases go back, the second resumes from the stored cursor.
        await hub.hub.gateway.dispose();
        const viaSecond = async (title: string) => {
          const token = await signToken(hub.hub.config.jwtSecret!, ormasOf(ids.org.pemuda));
          const { errors } = await postGraphQL(
            second.url,
            `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }`,
            { input: { category: "HOAX", channel: "MESSAGING", platform: "WhatsApp", title, description: "Pesan berantai.", occurredAt: "2024-11-21T08:00:00+07:00", regionCode: "19.06.01" } },
            token,
          );
          assert.equal(errors, undefined);
        };
        await viaSecond("Hoaks dua gateway #2");
        await viaSecond("Hoaks dua gateway #3");
        await server.count(3);
        assert.deepEqual(titlesOf(server), ["Hoaks dua gateway #1", "Hoaks dua gateway #2", "Hoaks dua gateway #3"]);
        assert.equal(server.requests, 3, "no delivery was made twice");
      } finally {
        await second.dispose();
      }
    });
  });

  describe(`webhooks across a hub restart (${backend})`, () => {
    test("alerts committed while the receiver was down reach it once the hub is back", async () => {
      const hub = await startTestHub(backend, FAST);
      const server = await new WebhookReceiver().start();
      try {
        const ids = await loadDemoStory(hub);
        await register(hub, server);
        server.down = true;
        await reportHoax(hub, ids, "Hoaks sebelum restart #1");
        await reportHoax(hub, ids, "Hoaks sebelum restart #2");
        await eventually(() => server.requests >= 1, "the first delivery was tried");
        await hub.hub.dispose();
        server.down = false;
        const restarted = await startHub(hub.hub.config, { port: 0, freePorts: true });
        try {
          await server.count(2);
          assert.deepEqual(titlesOf(server), ["Hoaks sebelum restart #1", "Hoaks sebelum restart #2"]);
        } finally {
          await restarted.dispose();
        }
      } finally {
        await server.dispose();
        await hub.dispose();
      }
    });
  });
 }
});

describe("webhooks in production", () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub("sqlite", { NODE_ENV: "production", ...FAST });
  });
  after(() => hub.dispose());

  test("a URL that is not https, or resolves to loopback or the metadata address, is refused and nothing is stored", async () => {
    const cases: Array<[string, RegExp]> = [
      ["http://partner.example.id/hook", /must be an https URL/],
      ["https://localhost/hook", /resolves to (127\.0\.0\.1|::1).*public addresses/],
      ["https://127.0.0.1/hook", /resolves to 127\.0\.0\.1/],
      ["https://169.254.169.254/latest/meta-data", /resolves to 169\.254\.169\.254/],
    ];
    for (const [url, message] of cases) {
      const { errors } = await hub.query(REGISTER, { url, subscription: ALERT_HOOK }, newsroom);
      assert.equal(errors?.[0].extensions?.field, "url", url);
      assert.match(errors![0].message, message);
    }
    assert.deepEqual((await hub.query(`{ webhooks { id } }`, {}, newsroom)).data, { webhooks: [] });
  });

  test("a webhook whose host resolves to loopback by the time of delivery is not posted to, and is disabled with the reason", async () => {
    const server = await new WebhookReceiver().start();
    try {
      // As if its DNS had pointed elsewhere at registration: stored directly, past the registration checks.
      const stored = await hub.hub.subgraphs.identity.storage.write((manager) =>
        manager.save(
          manager.create(Webhook, {
            ownerSubject: newsroom.sub,
            callerClaims: JSON.stringify({ sub: newsroom.sub, role: newsroom.role, regions: newsroom.regions, scope: newsroom.scopes.join(" ") }),
            url: server.url.replace("http://127.0.0.1", "https://localhost"),
            subscription: ALERT_HOOK,
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            cursor: "0",
            disabled: false,
            disabledReason: null,
            createdAt: new Date().toISOString(),
            leaseHolder: null,
            leaseExpiresAt: null,
          }),
        ),
      );
      const sent = await hub.query(`mutation ($id: ID!) { sendTestWebhookEvent(id: $id) { messageId } }`, { id: String(stored.id) }, newsroom);
      assert.equal(sent.errors, undefined);
      await eventually(async () => {
        const { data } = await hub.query<{ webhooks: Array<{ disabled: boolean }> }>(WEBHOOKS, {}, newsroom);
        return data!.webhooks[0]?.disabled === true;
      }, "the webhook is disabled");
      const { data } = await hub.query<{ webhooks: Array<{ disabledReason: string }> }>(WEBHOOKS, {}, newsroom);
      assert.match(data!.webhooks[0].disabledReason, /the URL is refused: it resolves to (127\.0\.0\.1|::1)/);
      assert.equal(server.requests, 0);
    } finally {
      await server.dispose();
    }
  });
});
