import assert from "node:assert/strict";
import { describe, mock, test } from "node:test";
import { GraphQLError } from "graphql";
import type { MaybeCaller } from "../../caller/claims";
import { alertSubscriptionPolicy } from "../../gateway/subscriptions/alert-access";
import { createQuotas } from "../../gateway/subscriptions/policies/quotas";
import { createSessions, Session, SessionOptions } from "../../gateway/subscriptions/sessions";
import { anyone, FakeEngine, officer, prepared } from "../support/subscription-policies";
import { message, render } from "../../platform/i18n";

/*
 * The policies composed per connection, as every transport opens them: a fake engine stands for the core,
 * and the test plays both the engine (driving each subscription's sink) and the transport (iterating the
 * stream, returning it, closing the session).
 */

function setup(options: Partial<SessionOptions> = {}) {
  const engine = new FakeEngine();
  const quotas = options.quotas ?? createQuotas({ maxConnectionsPerCaller: 2, maxSubscriptionsPerCaller: 2 });
  const sessions = createSessions({ engine, authorize: anyone, quotas, ...options });
  const open = (caller: MaybeCaller = officer(), address = "10.0.0.1"): Session => {
    const opened = sessions.open(caller, address);
    if (!opened.ok) throw new Error(render(opened.reason));
    return opened.session;
  };
  const subscribe = (session: Session, delivered: string[] = []) => {
    const subscribed = session.subscribe(prepared(), { after: "7" }, (payload) => delivered.push(payload));
    if (!subscribed.ok) throw new Error(subscribed.errors[0].message);
    return subscribed.stream;
  };
  return { engine, quotas, sessions, open, subscribe };
}

describe("subscription sessions: the policies composed for any transport", () => {
  test("the engine's payloads go to deliver, and the engine subscribes as the caller with the client's variables", () => {
    const { engine, open, subscribe } = setup();
    const delivered: string[] = [];
    subscribe(open(officer({ sub: "siti" })), delivered);
    const [started] = engine.subscriptions;
    assert.equal(started.scope.sub, "siti");
    assert.deepEqual(started.variables, { after: "7" });
    started.sink.next('{"data":1}');
    started.sink.next('{"data":2}');
    assert.deepEqual(delivered, ['{"data":1}', '{"data":2}']);
  });

  test("the engine completing ends the stream and gives everything back", async () => {
    const { engine, quotas, sessions, open, subscribe } = setup();
    const stream = subscribe(open());
    assert.equal(sessions.streams(), 1);
    const pulled = stream.next();
    engine.subscriptions[0].sink.complete();
    assert.deepEqual(await pulled, { done: true, value: undefined });
    assert.equal(sessions.streams(), 0);
    assert.equal(quotas.usage("sub:officer-1").subscriptions, 0);
    assert.equal(engine.subscriptions[0].disposed, 1);
  });

  test("the engine failing ends the stream with its first error", async () => {
    const { engine, open, subscribe } = setup();
    const stream = subscribe(open());
    engine.subscriptions[0].sink.error([{ message: "the subgraph refused", extensions: { code: "SUBGRAPH_REFUSED" } }]);
    await assert.rejects(stream.next(), (error: GraphQLError) => error.message === "the subgraph refused" && error.extensions.code === "SUBGRAPH_REFUSED");
  });

  test("the client leaving (return) leaves the engine once, and nothing more is delivered", async () => {
    const { engine, sessions, open, subscribe } = setup();
    const delivered: string[] = [];
    const stream = subscribe(open(), delivered);
    await stream.return();
    await stream.return();
    engine.subscriptions[0].sink.next('{"late":true}');
    assert.equal(engine.subscriptions[0].disposed, 1);
    assert.deepEqual(delivered, []);
    assert.equal(sessions.streams(), 0);
  });

  test("refusals come in order: the rule, then the quota; a refused subscription holds nothing", () => {
    const { engine, quotas, open, subscribe } = setup();
    const session = open();
    subscribe(session);
    subscribe(session);
    const overQuota = session.subscribe(prepared(), undefined, () => {});
    assert.ok(!overQuota.ok && overQuota.errors[0].extensions.code === "TOO_MANY_SUBSCRIPTIONS");

    const strict = setup({ authorize: alertSubscriptionPolicy, quotas });
    const ormas = strict.open(officer({ sub: "officer-1", role: "ORMAS" }));
    const refused = ormas.subscribe(prepared(), undefined, () => {});
    assert.ok(!refused.ok && refused.errors[0].extensions.code === "FORBIDDEN", "the rule answers before the (full) quota");
    assert.equal(engine.subscriptions.length, 2);
  });

  test("the subscription quota counts over all of a caller's sessions", () => {
    const { open, subscribe } = setup();
    const phone = open();
    const laptop = open();
    subscribe(phone);
    subscribe(laptop);
    const third = phone.subscribe(prepared(), undefined, () => {});
    assert.ok(!third.ok && third.errors[0].extensions.code === "TOO_MANY_SUBSCRIPTIONS");
  });

  test("an engine that refuses the subscription (bad variables) gives the quota back", () => {
    const { engine, quotas, sessions, open } = setup();
    engine.refuseNext = new GraphQLError('Variable "$after" got invalid value');
    const subscribed = open().subscribe(prepared(), { after: 1 }, () => {});
    assert.ok(!subscribed.ok && /invalid value/.test(subscribed.errors[0].message));
    assert.equal(quotas.usage("sub:officer-1").subscriptions, 0);
    assert.equal(sessions.streams(), 0);
  });

  test("a caller over its connection quota is refused a session; closing one makes room", () => {
    const { sessions, open } = setup();
    const first = open();
    open();
    const refused = sessions.open(officer(), "10.0.0.1");
    assert.deepEqual(refused, { ok: false, reason: message("subscription.tooManyConnections", { max: 2 }) });
    first.close();
    first.close();
    assert.ok(sessions.open(officer(), "10.0.0.1").ok);
  });

  test("the public's sessions are counted by address", () => {
    const { sessions, open } = setup();
    open(null, "10.0.0.9");
    open(null, "10.0.0.9");
    assert.equal(sessions.open(null, "10.0.0.9").ok, false);
    assert.equal(sessions.open(null, "10.0.0.10").ok, true);
  });

  test("closing a session ends what still streams and leaves the engine", async () => {
    const { engine, quotas, open, subscribe } = setup();
    const session = open();
    const stream = subscribe(session);
    session.close();
    assert.deepEqual(await stream.next(), { done: true, value: undefined });
    assert.equal(engine.subscriptions[0].disposed, 1);
    assert.equal(quotas.callers(), 0);
  });

  test("when the token expires its streams end with TOKEN_EXPIRED, and the session refuses from then on", async () => {
    mock.timers.enable({ apis: ["setTimeout", "Date"], now: 1_000_000 });
    try {
      const { engine, open, subscribe } = setup();
      const session = open(officer({ exp: 1_000 + 60 }));
      const stream = subscribe(session);
      assert.equal(session.refusal(), undefined);
      mock.timers.tick(60_000);
      await assert.rejects(stream.next(), (error: GraphQLError) => error.extensions.reason === "TOKEN_EXPIRED");
      assert.equal(engine.subscriptions[0].disposed, 1);
      assert.equal(session.refusal()?.extensions.reason, "TOKEN_EXPIRED");
      const later = session.subscribe(prepared(), undefined, () => {});
      assert.ok(!later.ok && later.errors[0].extensions.reason === "TOKEN_EXPIRED");
    } finally {
      mock.timers.reset();
    }
  });
});
