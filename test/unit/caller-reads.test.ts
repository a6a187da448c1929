import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Caller, MaybeCaller } from "../../caller/claims";
import { loadConfig } from "../../platform/config";
import { contextFor, SubgraphContext } from "../../subgraphs/kit/context";
import type { SubgraphPeers } from "../../subgraphs/kit/lookups";
import type { Storage } from "../../subgraphs/kit/storage";

/*
 * A subgraph records what its resolvers read of the caller and of the request, and states the widest to the
 * gateway (caller/reads.ts): nothing is "public", the caller's presence or rights "rights", the subject
 * "person", the client's address "request". Here the "resolvers" are functions reading a request's context.
 */

const officer: Caller = { sub: "officer-ani", role: "AGENCY", org: "2", regions: ["19.06"], scopes: [], exp: 2_000_000_000 };

/** A request's context as Apollo Server hands it to resolvers: a copy of the one built (Object.assign onto its prototype). */
function contextOf(caller: MaybeCaller, clientAddress?: string): SubgraphContext {
  const built = contextFor(caller, { reader: {} } as Storage, loadConfig({}), {} as SubgraphPeers, undefined, clientAddress);
  return Object.assign(Object.create(Object.getPrototypeOf(built) as object) as SubgraphContext, built);
}

function readsAfter(resolve: (context: SubgraphContext) => unknown, caller: MaybeCaller = officer, clientAddress?: string) {
  const context = contextOf(caller, clientAddress);
  resolve(context);
  return context.reads.widest;
}

describe("what a subgraph's resolvers read of the caller", () => {
  test("the directory reads nothing of the caller: public", () => {
    assert.equal(
      readsAfter(({ config }) => config.production),
      "public",
    );
  });

  test("a check that there is a token at all, even by the public, depends on the rights", () => {
    assert.equal(
      readsAfter(({ caller }) => caller !== null, null),
      "rights",
    );
  });

  test("an access rule on role and regions depends on the rights", () => {
    assert.equal(
      readsAfter(({ caller }) => caller?.role === "AGENCY" && caller.regions.includes("19.06")),
      "rights",
    );
  });

  test("`me` reads the subject: the person's", () => {
    assert.equal(
      readsAfter(({ caller }) => [caller?.role, caller?.sub]),
      "person",
    );
  });

  test("serializing the whole caller reads its expiry too: this request's only", () => {
    assert.equal(
      readsAfter(({ caller }) => JSON.stringify(caller)),
      "request",
    );
  });

  test("the client's address is this request's only", () => {
    assert.equal(
      readsAfter(({ clientAddress }) => clientAddress, officer, "203.0.113.9"),
      "request",
    );
  });
});
