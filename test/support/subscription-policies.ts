import { buildSchema, getOperationAST, GraphQLError, parse, print } from "graphql";
import type { Caller, MaybeCaller } from "../../caller/claims";
import { TokenError, TokenVerifier } from "../../gateway/auth";
import type { PreparedOperation, SubscribeOptions, SubscriberSink, SubscriptionEngine } from "../../gateway/subscriptions/engine";
import type { Outlet } from "../../gateway/subscriptions/policies/backpressure";
import { message } from "../../platform/i18n";

/*
 * Testers for the subscription policies and the transports that compose them: callers, a verifier that
 * knows a few tokens by name, prepared operations without planning, a socket as the backpressure policy
 * sees it, and an engine that only records who subscribed and lets the test drive each subscription.
 */

/** An agency officer of Belitung Timur, with `overrides`. */
export function officer(overrides: Partial<Caller> = {}): Caller {
  return { sub: "officer-1", role: "AGENCY", org: "1", regions: ["19.06"], scopes: [], ...overrides };
}

/** Verifies "Bearer <name>" for the names in `tokens`; any other token is refused as TokenError. */
export function fakeVerifier(tokens: Record<string, Caller>): TokenVerifier {
  return {
    async verifyHeader(header) {
      if (header === undefined || header === null) return null;
      const name = header.replace(/^Bearer /, "");
      const caller = tokens[name];
      if (!caller) throw new TokenError(message("token.invalid"));
      return caller;
    },
  };
}

/** The API schema of the fake engine: one query, one subscription. */
export const FAKE_API_SCHEMA = buildSchema(`
  type Query { region(code: String!): String }
  type Subscription { incidentAlerts(after: String): String }
`);

export const ALERTS_SUBSCRIPTION = "subscription { incidentAlerts }";

/** `query` as the engine's planner would hand it over, without a plan (the fake engine needs none). */
export function prepared(query = ALERTS_SUBSCRIPTION, operationName?: string): PreparedOperation {
  const document = parse(query);
  const operation = getOperationAST(document, operationName);
  if (!operation) throw new Error(`no operation in ${query}`);
  const rootFields = operation.selectionSet.selections.flatMap((selection) => (selection.kind === "Field" ? [selection.name.value] : []));
  return { kind: operation.operation, document, operation, operationName, rootFields, canonical: print(document) };
}

/** A connection whose unsent bytes the test sets; records why it was shed. */
export class FakeOutlet implements Outlet {
  readonly shedReasons: string[] = [];
  constructor(public bufferedBytes = 0) {}
  shed(reason: string): void {
    this.shedReasons.push(reason);
  }
}

/** One subscription the fake engine started: its scope, and the sink the test drives. */
export interface FakeEngineSubscription {
  operation: PreparedOperation;
  variables: Record<string, unknown> | null | undefined;
  scope: Caller;
  sink: SubscriberSink;
  /** What the transport asked beyond the document (a resume cursor from its own header). */
  options: SubscribeOptions | undefined;
  /** How often the transport left it (dispose is idempotent in the real engine, so more than once is fine). */
  disposed: number;
}

/** An engine that prepares against FAKE_API_SCHEMA and records subscriptions instead of opening upstreams. */
export class FakeEngine implements SubscriptionEngine<Caller> {
  readonly apiSchema = FAKE_API_SCHEMA;
  readonly subscriptions: FakeEngineSubscription[] = [];
  /** When set, the next subscribe fails with it (as bad variables would). */
  refuseNext: GraphQLError | undefined;

  prepare(query: string, operationName?: string | null) {
    try {
      return { ok: true as const, operation: prepared(query, operationName ?? undefined) };
    } catch (error) {
      return { ok: false as const, errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error))] };
    }
  }

  subscribe(operation: PreparedOperation, variables: Record<string, unknown> | null | undefined, scope: Caller, sink: SubscriberSink, options?: SubscribeOptions) {
    if (this.refuseNext) {
      const errors = [this.refuseNext];
      this.refuseNext = undefined;
      return { errors };
    }
    const subscription: FakeEngineSubscription = { operation, variables, scope, sink, options, disposed: 0 };
    this.subscriptions.push(subscription);
    return { dispose: () => void subscription.disposed++ };
  }

  /** Subscriptions the transport has not left. */
  open(): FakeEngineSubscription[] {
    return this.subscriptions.filter((subscription) => subscription.disposed === 0);
  }

  stats() {
    return { subscribers: 0, upstreams: 0, upstreamsOpened: 0, resubscribes: 0, eventsReceived: 0, duplicatesSkipped: 0, hydrations: 0, deliveries: 0, plansCached: 0 };
  }

  async dispose(): Promise<void> {}
}

/** A rule that lets any caller subscribe (and the public, which the session still refuses). */
export const anyone = (_caller: MaybeCaller): null => null;
