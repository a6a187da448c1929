import type { Caller, MaybeCaller } from "./claims";

/*
 * What an answer depends on of the request that asked for it, so the gateway knows with whom it may share it
 * (its response cache, and identical subgraph fetches merged in flight). A subgraph records what its resolvers
 * and access rules actually read of the caller and of the request (subgraphs/kit/context.ts) and states the
 * widest in its answer's extensions under READS_EXTENSION; the gateway takes the widest over a request's fetches
 * and removes the extension before answering.
 *
 * - "public": nothing of the caller was read; the answer is everyone's, the public's included.
 * - "rights": the caller's presence, role, organization, regions or scopes were read; callers with the same
 *   rights (rightsOf) share it.
 * - "person": the token's subject was read (whose account, whose webhooks); only that person's requests share it.
 * - "request": something of this request alone was read (the client's address, the token's expiry); shared with
 *   no other request.
 *
 * An answer that does not say (an older subgraph, an HTTP error, a body that is not GraphQL) counts as "person".
 */
export const READS = ["public", "rights", "person", "request"] as const;
export type Reads = (typeof READS)[number];

/** The extension key a subgraph states its answer's Reads under (the gateway removes it before answering). */
export const READS_EXTENSION = "kawalCallerReads";

/** The wider of two: what an answer built from both depends on. */
export function widest(a: Reads, b: Reads): Reads {
  return READS.indexOf(a) >= READS.indexOf(b) ? a : b;
}

/** The Reads a subgraph answer's extensions state; "person" when they state none or something else. */
export function readsOf(extensions: Record<string, unknown> | undefined): Reads {
  const stated = extensions?.[READS_EXTENSION];
  return (READS as readonly unknown[]).includes(stated) ? (stated as Reads) : "person";
}

/**
 * The caller's rights: everything an access rule may decide on (role, organization, regions, scopes) and
 * nothing of the person. The public (no token) has rights of its own.
 */
export function rightsOf(caller: MaybeCaller): string {
  return caller ? JSON.stringify([caller.role, caller.org ?? null, caller.regions, caller.scopes]) : "public";
}

/** Which properties of a Caller give away what: the subject names the person, the expiry this one token. */
const PROPERTY_READS: Record<keyof Caller, Reads> = { role: "rights", org: "rights", regions: "rights", scopes: "rights", sub: "person", exp: "request" };

/**
 * The caller as resolvers get it: the same claims, each read reported to `read` with what it gives away.
 * Every claim is a getter (enumerable, so spreading or serializing the caller reports them all).
 */
export function recordingCaller(caller: Caller, read: (reads: Reads) => void): Caller {
  const recording = {} as Caller;
  for (const property of Object.keys(PROPERTY_READS) as Array<keyof Caller>) {
    Object.defineProperty(recording, property, {
      enumerable: caller[property] !== undefined,
      get() {
        read(PROPERTY_READS[property]);
        return caller[property];
      },
    });
  }
  return Object.freeze(recording);
}
