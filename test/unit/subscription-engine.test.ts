import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { GraphQLFormattedError, parse } from "graphql";
import { composeServices } from "@apollo/composition";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { createSubscriptionEngine, CursorOptions, ScopeOptions, SubscriberSink, SubscriptionEngine } from "../../gateway/subscriptions/engine";
import { eventually, FakeUpstream } from "../support/fake-upstream";

/*
 * The subscription engine alone: a two-subgraph supergraph made for these tests (alerts owns the
 * subscription, reports completes each alert's report), a fake upstream in place of graphql-ws, a fake
 * reports data source that counts hydrations, and officers whose scope the engine knows only through
 * ScopeOptions.
 */

const ALERTS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { latestSequence: String }
  type Subscription { alerts(after: String, region: String): Alert! }
  type Alert { sequence: String! region: String! report: Report! }
  type Report @key(fields: "id", resolvable: false) { id: ID! }
`;
const REPORTS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { report(id: ID!): Report }
  type Report @key(fields: "id") { id: ID! title: String! }
`;
const composition = composeServices([
  { name: "alerts", url: "http://alerts.invalid/graphql", typeDefs: parse(ALERTS_SDL) },
  { name: "reports", url: "http://reports.invalid/graphql", typeDefs: parse(REPORTS_SDL) },
]);
if (composition.errors) throw new Error(composition.errors.map((error) => error.message).join("\n"));
const SUPERGRAPH = composition.supergraphSdl;
const ALERTS_SCHEMA = buildSubgraphSchema(parse(ALERTS_SDL));

const WATCH = `subscription Watch($region: String) { alerts(region: $region) { sequence region report { title } } }`;
const WATCH_TITLES = `subscription Titles($region: String) { alerts(region: $region) { report { title } } }`;
const RESUME = `subscription Resume($region: String, $after: String) { alerts(region: $region, after: $after) { sequence report { title } } }`;

/** Who watches, as these tests model it: a person, her agency, and the regions her token covers. */
interface Officer {
  name: string;
  agency: string;
  regions: string[];
}

const officerScope: ScopeOptions<Officer> = {
  key: (officer) => `${officer.agency}|${[...officer.regions].sort().join(",")}`,
  shared: (officer, key) => ({ name: `shared ${key}`, agency: officer.agency, regions: [...officer.regions] }),
  dataSourceContext: (officer) => ({ officer }),
};

const bawaslu = (name: string): Officer => ({ name, agency: "Bawaslu Belitung Timur", regions: ["19.06"] });
const police = (name: string): Officer => ({ name, agency: "Polres Belitung Timur", regions: ["19.06"] });

/** The root value of one alert, as the alerts subgraph would resolve it. */
const alert = (sequence: string, region = "19.06") => ({ alerts: { sequence, region, report: { id: `r${sequence}` } } });

/** The reports subgraph's `_entities`, answered in memory; each call is one hydration's entity fetch. */
class FakeReports implements GraphQLDataSource {
  readonly contexts: unknown[] = [];
  /** Delays answers by this much for the calls listed (1 = the first call). */
  delays = new Map<number, number>();

  async process({ request, context }: GraphQLDataSourceProcessOptions) {
    this.contexts.push(context);
    const delay = this.delays.get(this.contexts.length);
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    const representations = (request.variables?.representations ?? []) as { id: string }[];
    return { data: { _entities: representations.map(({ id }) => ({ title: `Laporan ${id}` })) } };
  }

  get calls(): number {
    return this.contexts.length;
  }
}

/** A subscriber's screen: what it received, and how it may misbehave. */
class Screen implements SubscriberSink {
  readonly payloads: string[] = [];
  errors: readonly GraphQLFormattedError[] | undefined;
  completed = false;
  dispose: () => void = () => {};
  /** Runs before a payload is recorded; throwing refuses it. */
  onNext: (payload: string) => void = () => {};

  next(payload: string): void {
    this.onNext(payload);
    this.payloads.push(payload);
  }
  error(errors: readonly GraphQLFormattedError[]): void {
    this.errors = errors;
  }
  complete(): void {
    this.completed = true;
  }

  /** The alerts received, as the officer's app reads them. */
  alerts(): { sequence?: string; report: { title: string } }[] {
    return this.payloads.map((payload) => (JSON.parse(payload) as { data: { alerts: { sequence?: string; report: { title: string } } } }).data.alerts);
  }
  sequences(): (string | undefined)[] {
    return this.alerts().map((received) => received.sequence);
  }
  async received(count: number): Promise<void> {
    await eventually(() => this.payloads.length >= count, `expected ${count} payloads, got ${this.payloads.length}`);
  }
}

interface Harness {
  engine: SubscriptionEngine<Officer>;
  upstream: FakeUpstream<Officer>;
  reports: FakeReports;
  logged: unknown[][];
  /** Subscribes `officer` to `document` with `variables`; the screen's dispose leaves. */
  watch(officer: Officer, variables?: Record<string, unknown>, document?: string): Screen;
}

function start(options: { head?: CursorOptions<Officer>["head"] } = {}): Harness {
  const upstream = new FakeUpstream<Officer>(ALERTS_SCHEMA);
  const reports = new FakeReports();
  const logged: unknown[][] = [];
  const engine = createSubscriptionEngine<Officer>({
    supergraphSdl: SUPERGRAPH,
    services: { reports },
    upstream,
    scope: officerScope,
    cursor: { head: options.head },
    backoff: { initialMs: 1, maxMs: 1 },
    logger: { warn: (...args: unknown[]) => logged.push(args), error: (...args: unknown[]) => logged.push(args) },
  });
  return {
    engine,
    upstream,
    reports,
    logged,
    watch(officer, variables = { region: "19.06" }, document = WATCH) {
      const prepared = engine.prepare(document);
      assert.ok(prepared.ok, JSON.stringify(!prepared.ok && prepared.errors));
      const screen = new Screen();
      const started = engine.subscribe(prepared.operation, variables, officer, screen);
      assert.equal(started.errors, undefined);
      screen.dispose = started.dispose!;
      return screen;
    },
  };
}

describe("subscription engine: sharing", () => {
  test("two Bawaslu officers watching the same region share one upstream, and both get its alert", async () => {
    const { upstream, watch } = start();
    const ani = watch(bawaslu("Ani"));
    const budi = watch(bawaslu("Budi"));
    (await upstream.opened(1)).emit(alert("1"));
    await ani.received(1);
    await budi.received(1);
    assert.equal(upstream.subscriptions.length, 1);
    assert.deepEqual(budi.payloads, ani.payloads);
  });

  test("officers watching different regions (other variables) get an upstream each", async () => {
    const { upstream, watch } = start();
    watch(bawaslu("Ani"), { region: "19.06" });
    watch(bawaslu("Budi"), { region: "19.06.01" });
    await upstream.opened(2);
    assert.deepEqual(upstream.subscriptions.map((subscription) => subscription.argument("region")), ["19.06", "19.06.01"]);
  });

  test("a police officer watching the same region as Bawaslu (another scope) does not share its upstream", async () => {
    const { upstream, watch } = start();
    watch(bawaslu("Ani"));
    watch(police("Dedi"));
    await upstream.opened(2);
    assert.deepEqual(upstream.subscriptions.map((subscription) => subscription.request.scope.agency), ["Bawaslu Belitung Timur", "Polres Belitung Timur"]);
  });

  test("a shared upstream acts as the shared scope, not as the officer who opened it, upstream and in hydration", async () => {
    const { upstream, reports, watch } = start();
    const ani = watch(bawaslu("Ani"));
    const subscription = await upstream.opened(1);
    subscription.emit(alert("1"));
    await ani.received(1);
    const shared = officerScope.shared!(bawaslu("Ani"), officerScope.key(bawaslu("Ani")));
    assert.deepEqual(subscription.request.scope, shared);
    assert.deepEqual(reports.contexts, [{ officer: shared }]);
  });

  test("an officer resuming from her own cursor gets her own replay once the shared upstream has delivered", async () => {
    const { upstream, watch } = start();
    const ani = watch(bawaslu("Ani"), { region: "19.06", after: "5" }, RESUME);
    (await upstream.opened(1)).emit(alert("6"));
    await ani.received(1);
    watch(bawaslu("Budi"), { region: "19.06", after: "5" }, RESUME);
    const second = await upstream.opened(2);
    assert.equal(second.argument("after"), "5");
  });
});

describe("subscription engine: hydration", () => {
  test("five officers and three alerts cost three hydrations, and every officer gets all three completed", async () => {
    const { engine, upstream, reports, watch } = start();
    const screens = ["Ani", "Budi", "Citra", "Dewi", "Eko"].map((name) => watch(bawaslu(name)));
    const subscription = await upstream.opened(1);
    for (const sequence of ["1", "2", "3"]) subscription.emit(alert(sequence));
    for (const screen of screens) await screen.received(3);
    assert.equal(reports.calls, 3);
    assert.equal(engine.stats().hydrations, 3);
    for (const screen of screens) assert.deepEqual(screen.alerts().map((received) => received.report.title), ["Laporan r1", "Laporan r2", "Laporan r3"]);
  });

  test("alerts reach officers in the upstream's order even when the first takes longer to complete", async () => {
    const { upstream, reports, watch } = start();
    reports.delays.set(1, 30);
    const ani = watch(bawaslu("Ani"));
    const subscription = await upstream.opened(1);
    subscription.emit(alert("1"));
    subscription.emit(alert("2"));
    await ani.received(2);
    assert.deepEqual(ani.sequences(), ["1", "2"]);
  });
});

describe("subscription engine: resume", () => {
  test("after an upstream drop the engine re-subscribes from the last sequence seen; the officer gets no gap and no duplicate", async () => {
    const { upstream, watch } = start();
    const ani = watch(bawaslu("Ani"));
    const first = await upstream.opened(1);
    first.emit(alert("1"));
    first.emit(alert("2"));
    await ani.received(2);
    first.drop();
    const second = await upstream.opened(2);
    assert.equal(second.argument("after"), "2");
    second.emit(alert("2")); // the subgraph replays one too many
    second.emit(alert("3"));
    await ani.received(3);
    assert.deepEqual(ani.sequences(), ["1", "2", "3"]);
    assert.equal(ani.errors, undefined);
    assert.equal(ani.completed, false);
  });

  test("an officer who did not select the sequence still resumes from the last alert, and never sees the engine's cursor", async () => {
    const { upstream, watch } = start();
    const ani = watch(bawaslu("Ani"), { region: "19.06" }, WATCH_TITLES);
    const first = await upstream.opened(1);
    first.emit(alert("7"));
    await ani.received(1);
    first.drop();
    assert.equal((await upstream.opened(2)).argument("after"), "7");
    assert.deepEqual(JSON.parse(ani.payloads[0]), { data: { alerts: { report: { title: "Laporan r7" } } } });
  });

  test("an upstream that has seen no alert yet opens from the head read as its shared scope, so a drop before the first alert loses nothing", async () => {
    const asked: Officer[] = [];
    const { upstream, watch } = start({
      head: async (_serviceName, scope) => {
        asked.push(scope);
        return "41";
      },
    });
    watch(bawaslu("Ani"));
    const first = await upstream.opened(1);
    assert.equal(first.argument("after"), "41");
    assert.deepEqual(asked, [first.request.scope]);
    first.drop();
    assert.equal((await upstream.opened(2)).argument("after"), "41");
  });
});

describe("subscription engine: leaving", () => {
  test("an officer leaving while a colleague still watches keeps the shared upstream open", async () => {
    const { upstream, watch } = start();
    const ani = watch(bawaslu("Ani"));
    const budi = watch(bawaslu("Budi"));
    const subscription = await upstream.opened(1);
    ani.dispose();
    assert.equal(subscription.stopped, false);
    subscription.emit(alert("1"));
    await budi.received(1);
    assert.equal(ani.payloads.length, 0);
  });

  test("the last officer leaving closes the upstream", async () => {
    const { engine, upstream, watch } = start();
    const ani = watch(bawaslu("Ani"));
    const budi = watch(bawaslu("Budi"));
    const subscription = await upstream.opened(1);
    ani.dispose();
    budi.dispose();
    assert.equal(subscription.stopped, true);
    assert.equal(engine.stats().upstreams, 0);
  });
});

describe("subscription engine: subscribers that cannot keep up", () => {
  test("a screen that throws (its send buffer is full) misses only that alert: its colleagues get it, and it gets the next", async () => {
    const { upstream, logged, watch } = start();
    const citra = watch(bawaslu("Citra"));
    const ani = watch(bawaslu("Ani"));
    let refusals = 1;
    citra.onNext = () => {
      if (refusals-- > 0) throw new Error("send buffer full");
    };
    const subscription = await upstream.opened(1);
    subscription.emit(alert("1"));
    subscription.emit(alert("2"));
    await ani.received(2);
    await citra.received(1);
    assert.deepEqual(citra.sequences(), ["2"]);
    assert.deepEqual(ani.sequences(), ["1", "2"]);
    assert.equal(logged.length, 1);
  });

  test("a screen cut off mid-broadcast (its transport gave up on it) gets nothing more; its colleagues and the upstream carry on", async () => {
    const { upstream, watch } = start();
    const citra = watch(bawaslu("Citra"));
    const ani = watch(bawaslu("Ani"));
    citra.onNext = () => citra.dispose();
    const subscription = await upstream.opened(1);
    subscription.emit(alert("1"));
    subscription.emit(alert("2"));
    await ani.received(2);
    assert.deepEqual(citra.sequences(), ["1"]);
    assert.equal(subscription.stopped, false);
  });
});

describe("subscription engine: planning", () => {
  test("a document asked for twice is planned once; a refused one is not kept", () => {
    const { engine } = start();
    assert.equal(engine.prepare(WATCH), engine.prepare(WATCH));
    assert.equal(engine.prepare("subscription { nope }").ok, false);
    assert.equal(engine.stats().plansCached, 1);
  });
});
