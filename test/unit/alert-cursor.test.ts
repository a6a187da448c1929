import assert from "node:assert/strict";
import { test } from "node:test";
import { RemoteGraphQLDataSource } from "@apollo/gateway";
import type { Fetcher, FetcherRequestInit, FetcherResponse } from "@apollo/utils.fetcher";
import { latestAlertSequence } from "../../gateway/subscriptions/alert-cursor";
import { CALLER_HEADER, SECRET_HEADER, type Caller } from "../../caller/claims";

const officer: Caller = { sub: "officer-7", role: "AGENCY", org: "1", regions: ["19.06"], scopes: [] };

test("the alert head lookup goes through the subgraph's data source (the gateway's keep-alive pool), as the caller", async () => {
  const sent: Array<{ url: string; init?: FetcherRequestInit }> = [];
  const fetcher: Fetcher = async (url, init) => {
    sent.push({ url, init });
    return new Response(JSON.stringify({ data: { latestAlertSequence: "42" } })) as unknown as FetcherResponse;
  };
  // An address nothing answers at: a fetch of its own would fail, and the lookup would give no cursor.
  const url = "http://incidents.invalid/graphql";
  const head = latestAlertSequence({ subgraphUrls: { incidents: url }, subgraphSecret: "rahasia", services: { incidents: new RemoteGraphQLDataSource({ url, fetcher }) } });

  assert.equal(await head("incidents", officer), "42");
  assert.equal(sent.length, 1);
  assert.equal(sent[0].url, url);
  const headers = sent[0].init?.headers as Record<string, string>;
  assert.equal(headers[SECRET_HEADER], "rahasia");
  assert.equal(JSON.parse(headers[CALLER_HEADER]).sub, "officer-7");
  assert.equal(JSON.parse(String(sent[0].init?.body)).query, "{ latestAlertSequence }");
});
