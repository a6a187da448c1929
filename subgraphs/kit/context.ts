import type { IncomingMessage } from "node:http";
import type { DataSource } from "typeorm";
import type { AuthCheckerFn } from "type-graphql";
import type { HubConfig } from "../../platform/config";
import { CALLER_HEADER, CLIENT_ADDRESS_HEADER, Caller, MaybeCaller, callerFromClaims } from "../../caller/claims";
import type { Disclosure } from "../../caller/disclosures";
import { Reads, recordingCaller, widest } from "../../caller/reads";
import { describeRules, passesRules } from "../../caller/access";
import { Loaders } from "./loaders";
import type { Storage } from "./storage";
import type { SubgraphPeers } from "./lookups";
import { forbidden, unauthenticated } from "../../platform/errors";
import { idOrNull } from "./references";
import { message } from "../../platform/i18n";

/** What every resolver of every subgraph gets; `S` is the subgraph's instance state (SubgraphDefinition). */
export interface SubgraphContext<S = unknown> {
  /**
   * The verified caller forwarded by the gateway; null for the public. Reading it, and each of its claims, is
   * recorded in `reads`: it decides with whom the gateway may share the answer (caller/reads.ts).
   */
  readonly caller: MaybeCaller;
  /** For reads: committed rows only. */
  db: DataSource;
  /** Writes go through `storage.write` (kit/storage.ts), never through `db`. */
  storage: Storage;
  loaders: Loaders;
  /** The hub's configuration. */
  config: HubConfig;
  /** The other subgraphs, for reference checks (kit/lookups.ts). */
  peers: SubgraphPeers;
  /** What this running instance keeps beside its database. */
  state: S;
  /** The client's address as the gateway saw it (HTTP requests through the gateway); undefined otherwise. Recorded in `reads` as "request". */
  readonly clientAddress?: string;
  /** The widest of what this answer read of the caller and the request; stated to the gateway with the answer. */
  readonly reads: { widest: Reads };
  /**
   * Reports whose reporter this answer holds: resolvers add to it, and the answer lists them in its extensions
   * for the gateway to audit (caller/disclosures.ts).
   */
  disclosed: Disclosure[];
  /**
   * Subscriptions: when the event being answered was committed (ISO time), set by the field's resolver; sent
   * to the gateway as the result's `extensions.eventTime`, from which it measures alert delivery lag.
   */
  eventTime?: string;
}

/** The caller forwarded by the gateway (the subgraph secret was already checked). */
export function callerFromRequest(req: IncomingMessage): MaybeCaller {
  const header = req.headers[CALLER_HEADER];
  if (typeof header !== "string" || header === "") return null;
  return callerFromClaims(JSON.parse(header) as Record<string, unknown>);
}

/** The client's address forwarded by the gateway (the subgraph secret was already checked). */
export function clientAddressFromRequest(req: IncomingMessage): string | undefined {
  const header = req.headers[CLIENT_ADDRESS_HEADER];
  return typeof header === "string" && header !== "" ? header : undefined;
}

/** What a request's context records its reads with; under a symbol, so no resolver reaches around the recording. */
const RECORDED = Symbol("recorded");

/**
 * A request's context. What its resolvers read of the caller and the request is recorded, not declared: a
 * field that looks at the caller's presence or rights makes the answer the same-rights callers', one that
 * looks at the subject makes it the person's, one that looks at the client's address makes it this request's.
 * The recording getters sit on the prototype: Apollo Server copies a context's own properties per request
 * (Object.assign onto the same prototype), which would read them once and keep plain values.
 */
class RecordingContext<S> implements SubgraphContext<S> {
  readonly reads = { widest: "public" as Reads };
  readonly loaders: Loaders;
  readonly disclosed: Disclosure[] = [];
  eventTime?: string;
  private readonly [RECORDED]: { caller: MaybeCaller; clientAddress?: string };

  constructor(
    caller: MaybeCaller,
    readonly db: DataSource,
    readonly storage: Storage,
    readonly config: HubConfig,
    readonly peers: SubgraphPeers,
    readonly state: S,
    clientAddress?: string,
  ) {
    this.loaders = new Loaders(db);
    const reads = this.reads;
    const recording = caller && recordingCaller(caller, (what) => (reads.widest = widest(reads.widest, what)));
    this[RECORDED] = { caller: recording, clientAddress };
  }

  get caller(): MaybeCaller {
    // Even a null check tells the public from a token holder.
    this.reads.widest = widest(this.reads.widest, "rights");
    return this[RECORDED].caller;
  }

  get clientAddress(): string | undefined {
    this.reads.widest = "request";
    return this[RECORDED].clientAddress;
  }
}

export function contextFor<S>(caller: MaybeCaller, storage: Storage, config: HubConfig, peers: SubgraphPeers, state: S, clientAddress?: string): SubgraphContext<S> {
  return new RecordingContext(caller, storage.reader, storage, config, peers, state, clientAddress);
}

/** Throws unless there is a caller; returns it. */
export function requireCaller(context: SubgraphContext): Caller {
  if (!context.caller) throw unauthenticated();
  return context.caller;
}

/** The caller's organization id: writes (reports, reviews, declarations) are always on behalf of one. */
export function callerOrganizationId(caller: Caller, action: string): number {
  const id = idOrNull(caller.org);
  if (id === null) throw forbidden(message("access.needsOrganization", { action }));
  return id;
}

/** The caller, if it passes the rules (see passesRules); otherwise an error saying who `what` is for. */
export function requireAccess(caller: MaybeCaller, what: string, rules: readonly string[]): Caller {
  const allowed = describeRules(rules);
  if (!caller) throw unauthenticated(rules.length > 0 ? message("access.needsTokenFor", { what, allowed }) : message("access.needsToken", { what }));
  if (!passesRules(caller, rules)) throw forbidden(message("access.isFor", { what, allowed, role: caller.role }));
  return caller;
}

/** `@Authorized(...)` with the rules of passesRules. */
export const authChecker: AuthCheckerFn<SubgraphContext> = ({ context, info }, rules) =>
  Boolean(requireAccess(context.caller, `${info.parentType.name}.${info.fieldName}`, rules));
