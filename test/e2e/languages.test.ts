import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import type { GraphQLFormattedError } from "graphql";
import { ormasOf, startTestHub, TestHub } from "../support/hub";
import { hoaxReport, REPORT } from "../support/reports";

/*
 * The API's own messages follow Accept-Language (Bahasa Indonesia or English, English by default) on every
 * transport, while extensions.code, field and rule stay as programs branch on them.
 */
describe("the API speaks the caller's language", () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub("sqlite");
  });
  after(() => hub.dispose());

  /** POSTs an operation as `token` (or the public) with `language` as Accept-Language. */
  async function post(query: string, variables: Record<string, unknown>, language?: string, token?: string): Promise<{ status: number; errors: GraphQLFormattedError[] }> {
    const response = await fetch(hub.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(language ? { "accept-language": language } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { errors?: GraphQLFormattedError[] };
    return { status: response.status, errors: body.errors ?? [] };
  }

  const emptyTitle = { input: hoaxReport("   ") };

  /** What programs branch on, and proof the catalogue key stayed inside the hub. */
  const branchedOn = (error: GraphQLFormattedError) => ({ code: error.extensions?.code, field: error.extensions?.field, rule: error.extensions?.rule, i18n: error.extensions?.i18n });
  const EMPTY_TITLE = { code: "BAD_USER_INPUT", field: "input.title", rule: "must not be empty", i18n: undefined };

  test("an ormas volunteer whose phone asks for Indonesian hears that the title must not be empty in Bahasa, with code, field and rule unchanged; a phone that asks for nothing hears English", async () => {
    const token = await hub.token(ormasOf("2"));
    const indonesian = await post(REPORT, emptyTitle, "id-ID,id;q=0.9,en-US;q=0.8", token);
    assert.equal(indonesian.errors[0].message, "input.title: tidak boleh kosong");
    assert.deepEqual(branchedOn(indonesian.errors[0]), EMPTY_TITLE);
    const english = await post(REPORT, emptyTitle, undefined, token);
    assert.equal(english.errors[0].message, "input.title: must not be empty");
    assert.deepEqual(branchedOn(english.errors[0]), EMPTY_TITLE);
  });

  test("a query nested too deep is refused by the gateway's limit in Bahasa, still naming the limit", async () => {
    const deep = `{ region(code: "19.06.01") { ${"parent { ".repeat(15)}name${" }".repeat(15)} } }`;
    const { status, errors } = await post(deep, {}, "id");
    assert.equal(status, 400);
    const refusal = errors.find((error) => error.extensions?.limit === "depth");
    assert.equal(refusal?.message, "operasi ditolak: kueri terlalu dalam (paling dalam 10 tingkat)");
  });

  test("a forged token is refused with 401 in Bahasa when the caller asks for it", async () => {
    const { status, errors } = await post("{ __typename }", {}, "id", "bukan.token.sah");
    assert.equal(status, 401);
    assert.deepEqual({ message: errors[0].message, code: errors[0].extensions?.code }, { message: "token tidak sah (tanda tangan atau formatnya salah)", code: "UNAUTHENTICATED" });
  });

  test("the public asking for the region board hears who may ask, the list of roles in Bahasa too", async () => {
    const query = `{ incidentCounts(regionCode: "19.06") { count } }`;
    const indonesian = await post(query, {}, "id");
    assert.equal(indonesian.errors[0].message, "Query.incidentCounts memerlukan bearer token (AGENCY atau ORMAS atau INTEGRATOR dengan scope read:incidents)");
    const english = await post(query, {});
    assert.equal(english.errors[0].message, "Query.incidentCounts needs a bearer token (AGENCY or ORMAS or INTEGRATOR with scope read:incidents)");
    assert.equal(indonesian.errors[0].extensions?.code, "UNAUTHENTICATED");
  });

  /** The first `error` message of a subscription over graphql-ws, opened with `headers` and `init` as connection_init payload. */
  async function subscriptionError(headers: Record<string, string>, init: Record<string, unknown>): Promise<GraphQLFormattedError[]> {
    const socket = new WebSocket(hub.url.replace(/^http/, "ws"), "graphql-transport-ws", { headers });
    try {
      const received: Array<{ type: string; payload?: unknown }> = [];
      const errored = new Promise<GraphQLFormattedError[]>((resolve, reject) => {
        socket.on("message", (data: Buffer) => {
          const message = JSON.parse(data.toString()) as { type: string; payload?: unknown };
          received.push(message);
          if (message.type === "connection_ack") socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: "subscription { incidentAlerts { sequence } }" } }));
          if (message.type === "error") resolve(message.payload as GraphQLFormattedError[]);
        });
        socket.once("close", (code, reason) => reject(new Error(`closed ${code} ${reason.toString()}; got ${JSON.stringify(received)}`)));
      });
      await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
      socket.send(JSON.stringify({ type: "connection_init", payload: init }));
      return await errored;
    } finally {
      socket.close();
    }
  }

  test("over graphql-ws, the public subscribing to alerts is told to sign in, in the language of the upgrade request", async () => {
    const [error] = await subscriptionError({ "accept-language": "id" }, {});
    assert.equal(error.extensions?.code, "UNAUTHENTICATED");
    assert.match(error.message, /^Subscription\.incidentAlerts memerlukan bearer token \(.+\): header Authorization lewat HTTP/);
  });

  test("over graphql-ws, connection_init's accept-language chooses the language (a browser cannot set the upgrade's headers)", async () => {
    const [indonesian] = await subscriptionError({ "accept-language": "en" }, { "accept-language": "in" });
    assert.match(indonesian.message, /memerlukan bearer token/);
    const [english] = await subscriptionError({}, {});
    assert.match(english.message, /^Subscription\.incidentAlerts needs a bearer token/);
  });

  test("over SSE and multipart HTTP, the public subscribing to alerts is refused in the language of the request", async () => {
    for (const accept of ["text/event-stream", 'multipart/mixed;subscriptionSpec="1.0"']) {
      const response = await fetch(hub.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept, "accept-language": "id" },
        body: JSON.stringify({ query: "subscription { incidentAlerts { sequence } }" }),
      });
      const { errors } = (await response.json()) as { errors: GraphQLFormattedError[] };
      assert.equal(errors[0].extensions?.code, "UNAUTHENTICATED", accept);
      assert.match(errors[0].message, /^Subscription\.incidentAlerts memerlukan bearer token/, accept);
      assert.equal(errors[0].extensions?.i18n, undefined);
    }
  });

  test("the OAuth token endpoint keeps RFC 6749's error code and says error_description in Bahasa", async () => {
    const response = await fetch(new URL("/oauth/token", hub.url), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "accept-language": "id" }, body: "" });
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { error: "invalid_request", error_description: "grant_type: wajib diisi (client_credentials)" });
  });

  test("the sign-in route answers a missing field in Bahasa, naming the field", async () => {
    const response = await fetch(new URL("/auth/sign-in", hub.url), { method: "POST", headers: { "content-type": "application/json", "accept-language": "id" }, body: "{}" });
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { error: { code: "BAD_USER_INPUT", message: "loginName: harus string", field: "loginName" } });
  });

  test("a volunteer whose photo upload is empty hears it in Bahasa from the incidents subgraph, the rule unchanged", async () => {
    const form = new FormData();
    form.append("file", new Blob([]), "bukti.jpg");
    const token = await hub.token(ormasOf("2"));
    const response = await fetch(new URL("/evidence", hub.url), { method: "POST", body: form, headers: { authorization: `Bearer ${token}`, "accept-language": "id" } });
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { error: { code: "BAD_USER_INPUT", rule: "empty", message: "kosong: berkas tidak berisi apa pun" } });
  });
});
