import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Fetcher, FetcherResponse } from "@apollo/utils.fetcher";
import { BatchedAnswer, FetchBatching } from "../../gateway/fetch-batching";

/*
 * The gateway's fetches to one subgraph, batched per gateway request: the organizations subgraph gets one HTTP
 * request for the Manggar story's four parallel look-ups, and never one that mixes two callers' requests.
 */

interface Request {
  query: string;
  variables?: Record<string, unknown>;
  http: { url: string; method: string; headers: Array<[string, string]> };
}

/** A gateway request (its context): what a batch belongs to. */
type Owner = { caller: string };

const URL = "http://organizations.internal/graphql";

function lookup(name: string, caller: string): Request {
  return { query: `query Manggar__organizations__${name} { _entities { __typename } }`, http: { url: URL, method: "POST", headers: [["x-kawal-caller", caller]] } };
}

/** A subgraph that answers each operation of a batch with its own name, recording every HTTP request it got. */
function subgraph(answer: (bodies: Array<{ query: string }>) => unknown = (bodies) => bodies.map((body) => ({ data: { asked: body.query } })), status = 200) {
  const received: Array<{ headers: Record<string, string>; bodies: Array<{ query: string }> }> = [];
  const fetcher: Fetcher = async (_url, init) => {
    const bodies = JSON.parse(String(init?.body)) as Array<{ query: string }>;
    received.push({ headers: init?.headers as Record<string, string>, bodies });
    const text = JSON.stringify(answer(bodies));
    return { ok: status < 300, status, json: async () => JSON.parse(text) as unknown, text: async () => text } as unknown as FetcherResponse;
  };
  const singles: Request[] = [];
  const batching = new FetchBatching<Owner, Request>({
    sendOne: async (request) => {
      singles.push(request);
      return { data: { asked: request.query }, http: {} as FetcherResponse } satisfies BatchedAnswer;
    },
    fetcher,
    errorFromResponse: async (response) => new Error(`HTTP ${response.status}`),
  });
  return { batching, received, singles };
}

describe("the gateway batches one request's simultaneous reads of a subgraph", () => {
  test("four look-ups of one officer's request started together go out as one HTTP request, each getting its own answer", async () => {
    const { batching, received, singles } = subgraph();
    const officer = { caller: "bawaslu-officer" };
    const names = ["region", "organizer", "speakers", "participants"];
    const answers = await Promise.all(names.map((name) => batching.send(officer, lookup(name, officer.caller))));
    assert.equal(received.length, 1);
    assert.equal(singles.length, 0);
    assert.deepEqual(
      received[0].bodies.map((body) => body.query),
      names.map((name) => lookup(name, "").query),
    );
    assert.deepEqual(
      answers.map((answer) => (answer.data as { asked: string }).asked),
      names.map((name) => lookup(name, "").query),
    );
    assert.equal(received[0].headers["x-kawal-caller"], "bawaslu-officer");
  });

  test("two officers' requests at the same moment never share an HTTP request", async () => {
    const { batching, received } = subgraph();
    const bawaslu = { caller: "bawaslu-officer" };
    const police = { caller: "police-officer" };
    await Promise.all([
      batching.send(bawaslu, lookup("region", bawaslu.caller)),
      batching.send(police, lookup("region", police.caller)),
      batching.send(bawaslu, lookup("organizer", bawaslu.caller)),
      batching.send(police, lookup("organizer", police.caller)),
    ]);
    assert.equal(received.length, 2);
    assert.deepEqual(received.map((request) => request.headers["x-kawal-caller"]).sort(), ["bawaslu-officer", "police-officer"]);
  });

  test("a lone read goes out as it always did, and a write is never batched", async () => {
    const { batching, received, singles } = subgraph();
    const officer = { caller: "kesbangpol-officer" };
    await batching.send(officer, lookup("region", officer.caller));
    const write = { ...lookup("x", officer.caller), query: "mutation Review__incidents__0 { reviewIncident { id } }" };
    await Promise.all([batching.send(officer, write), batching.send(officer, { ...write })]);
    assert.equal(received.length, 0);
    assert.equal(singles.length, 3);
  });

  test("reads started in a later turn of the event loop form a new batch", async () => {
    const { batching, received } = subgraph();
    const officer = { caller: "bawaslu-officer" };
    const first = [batching.send(officer, lookup("region", officer.caller)), batching.send(officer, lookup("organizer", officer.caller))];
    await new Promise((resolve) => setImmediate(resolve));
    const second = [batching.send(officer, lookup("speakers", officer.caller)), batching.send(officer, lookup("participants", officer.caller))];
    await Promise.all([...first, ...second]);
    assert.deepEqual(
      received.map((request) => request.bodies.length),
      [2, 2],
    );
  });

  test("a subgraph that refuses the batch fails every read in it with the same error, and one that miscounts its answers is not believed", async () => {
    const refusing = subgraph(undefined, 503);
    const officer = { caller: "bawaslu-officer" };
    const refused = await Promise.allSettled([refusing.batching.send(officer, lookup("region", officer.caller)), refusing.batching.send(officer, lookup("organizer", officer.caller))]);
    assert.deepEqual(
      refused.map((outcome) => (outcome.status === "rejected" ? String(outcome.reason) : "answered")),
      ["Error: HTTP 503", "Error: HTTP 503"],
    );
    const miscounting = subgraph((bodies) => bodies.slice(1).map(() => ({ data: {} })));
    const miscounted = await Promise.allSettled([miscounting.batching.send(officer, lookup("region", officer.caller)), miscounting.batching.send(officer, lookup("organizer", officer.caller))]);
    assert.ok(miscounted.every((outcome) => outcome.status === "rejected" && /batch of 2 operations with 1 answers/.test(String(outcome.reason))));
  });
});
