import type { Fetcher, FetcherRequestInit, FetcherResponse } from "@apollo/utils.fetcher";
import { CALLER_HEADER, CLIENT_ADDRESS_HEADER, callerFromClaims } from "../caller/claims";
import { Reads, readsOf, rightsOf, widest } from "../caller/reads";
import { ReadResponse } from "../platform/http-pool";
import { isSingleQuery } from "./query-documents";

/*
 * Identical subgraph fetches in flight at the same moment are sent once. On election day many officers with
 * the same rights poll the same screens, and each screen's plan sends the same fetches.
 *
 * Identical means: same URL, same body (document, variables, operation name) and the same headers, except
 * that the caller's claims count by their rights (caller/reads.ts rightsOf: role, organization, regions,
 * scopes), and the client's address and the trace context not at all. So the subgraph authorizes a merged
 * fetch on exactly what it would have authorized each one on. Whether a follower may take the leader's
 * answer is then decided by what the answer says it read (caller/reads.ts):
 * - "public" or "rights": every follower takes it (they share the leader's rights, by the key). That holds for
 *   an answer naming a reporter too: the subgraph showed it on rights a follower has as well, and each follower's
 *   request has its own delivery audited (the disclosures travel with the answer to every request that gets it).
 * - "person": only followers of the same subject; the others send their own fetch.
 * - "request" (the client's address was read): no follower; each sends its own.
 * A failed leader (no answer: refused connection, reset, timeout) fails alone: each follower sends its own
 * fetch, which fails or succeeds as it would have without merging. An HTTP error answer (a subgraph's 503)
 * states no Reads, so it counts as "person": the same subject's followers take it, others ask for themselves.
 *
 * A batch of a request's simultaneous reads (fetch-batching.ts, a JSON array) merges with an identical batch,
 * shared as far as its widest answer allows.
 *
 * Only queries are merged: a fetch whose document is anything else (a mutation) is sent as it is, and once it
 * is done no later fetch joins one that began before it, so a read after a write never gets an answer read
 * before it (`seal` does the same for writes this gateway learns of otherwise).
 */

export interface MergingFetcher {
  fetcher: Fetcher;
  /** From now on no fetch joins one already in flight (a write landed: those may have read before it). */
  seal(): void;
}

/** What a fetch is merged on, and who asks. */
interface Identity {
  key: string;
  /** The token's subject; "" for the public. */
  subject: string;
}

/** A leader's answer, as its followers may take it. */
interface Shared {
  response: ReadResponse;
  /** "anyone": every follower; "subject": only followers of the leader's subject; "nobody". */
  with: "anyone" | "subject" | "nobody";
  subject: string;
}

interface Leader {
  followers: number;
  /** The leader's answer for its followers; undefined when it failed or had no followers. */
  outcome: Promise<Shared | undefined>;
}

/** Headers each request carries its own value of, which no subgraph answer depends on through the key. */
const NOT_KEYED = new Set([CLIENT_ADDRESS_HEADER, "traceparent", "tracestate"]);

/** The identity of a query fetch; undefined for anything that is not one, or whose caller header is not claims. */
function identityOf(url: string, init: FetcherRequestInit): Identity | undefined {
  if (init.method !== "POST" || typeof init.body !== "string") return undefined;
  try {
    const parsed = JSON.parse(init.body) as unknown;
    const operations = (Array.isArray(parsed) ? parsed : [parsed]) as Array<{ query?: unknown } | null>;
    if (!operations.every((operation) => typeof operation?.query === "string" && isSingleQuery(operation.query))) return undefined;
    let subject = "";
    const headers: string[] = [];
    for (const [name, value] of Object.entries(init.headers ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const lower = name.toLowerCase();
      if (NOT_KEYED.has(lower)) continue;
      if (lower === CALLER_HEADER) {
        const caller = callerFromClaims(JSON.parse(value) as Record<string, unknown>);
        subject = caller.sub;
        headers.push(`${lower}: ${rightsOf(caller)}`);
      } else headers.push(`${lower}: ${value}`);
    }
    return { key: `${url}\n${init.body}\n${headers.join("\n")}`, subject };
  } catch {
    return undefined;
  }
}

/** The answers in a body: one, or a batch's; [null] for a body that is not JSON (read as "person"). */
function answersOf(body: string): Array<{ extensions?: Record<string, unknown> } | null> {
  try {
    const parsed = JSON.parse(body) as unknown;
    const answers = (Array.isArray(parsed) ? parsed : [parsed]) as Array<{ extensions?: Record<string, unknown> } | null>;
    return answers.length > 0 ? answers : [null];
  } catch {
    return [null];
  }
}

/** Reads the leader's answer once, for its followers: with whom it may be shared. */
async function sharedOf(response: FetcherResponse, subject: string): Promise<Shared> {
  const body = await response.text();
  const read = new ReadResponse(response.url, response.status, response.headers, body);
  const reads = answersOf(body).reduce<Reads>((wide, answer) => widest(wide, readsOf(answer?.extensions)), "public");
  return { response: read, subject, with: reads === "request" ? "nobody" : reads === "person" ? "subject" : "anyone" };
}

/**
 * `fetcher` with identical query fetches in flight merged. `onShared` is told of each fetch answered by
 * another's (for the metrics).
 */
export function mergeInFlight(fetcher: Fetcher, onShared: () => void = () => undefined): MergingFetcher {
  const inFlight = new Map<string, Leader>();
  const seal = () => inFlight.clear();

  const lead = async (identity: Identity, url: string, init: FetcherRequestInit): Promise<FetcherResponse> => {
    const leader: Leader = { followers: 0, outcome: Promise.resolve(undefined) };
    const sent = fetcher(url, init);
    const settled = () => {
      if (inFlight.get(identity.key) === leader) inFlight.delete(identity.key);
    };
    // Registered before the leader's own `await`, so its copy is taken before the leader reads the body.
    leader.outcome = sent.then(
      (response) => {
        settled();
        return leader.followers > 0 ? sharedOf(response.clone(), identity.subject).catch(() => undefined) : undefined;
      },
      () => {
        settled();
        return undefined;
      },
    );
    inFlight.set(identity.key, leader);
    return sent;
  };

  const follow = async (leader: Leader, identity: Identity, url: string, init: FetcherRequestInit): Promise<FetcherResponse> => {
    leader.followers++;
    const shared = await leader.outcome;
    if (shared && (shared.with === "anyone" || (shared.with === "subject" && shared.subject === identity.subject))) {
      onShared();
      return shared.response.clone();
    }
    return fetcher(url, init);
  };

  return {
    seal,
    async fetcher(url, init = {}) {
      const identity = identityOf(url, init);
      if (!identity) {
        try {
          return await fetcher(url, init);
        } finally {
          seal();
        }
      }
      const leader = inFlight.get(identity.key);
      return leader ? follow(leader, identity, url, init) : lead(identity, url, init);
    },
  };
}
