import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { createIdentityClient } from "../../gateway/identity-client";
import { identityDeliveryRecorder } from "../../gateway/reporter-audit";

/*
 * The gateway's recorder of reporter deliveries: a live alert going to many subscribers is recorded in a few
 * requests to the identity subgraph, not one per subscriber, and each caller learns when its delivery is stored.
 */

let server: http.Server;
let url = "";
const received: number[] = [];
let failing = false;

before(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push((JSON.parse(Buffer.concat(chunks).toString("utf8")) as { deliveries: unknown[] }).deliveries.length);
      res.writeHead(failing ? 503 : 200, { "content-type": "application/json" }).end(JSON.stringify({ recorded: 0 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test("1,200 subscribers receiving one alert in the same turn are recorded in three requests of at most 500", async () => {
  received.length = 0;
  const record = identityDeliveryRecorder(createIdentityClient(url, "s".repeat(32)));
  await Promise.all(Array.from({ length: 1200 }, (_, index) => record([{ subject: `officer-${index}`, reportId: "7", regionCode: "19.06.01" }])));
  assert.deepEqual(received.sort((a, b) => b - a), [500, 500, 200]);
});

test("when the identity subgraph refuses, every caller of the batch hears it", async () => {
  failing = true;
  try {
    const record = identityDeliveryRecorder(createIdentityClient(url, "s".repeat(32)));
    const results = await Promise.allSettled([record([{ subject: "a", reportId: "1", regionCode: "19.06" }]), record([{ subject: "b", reportId: "1", regionCode: "19.06" }])]);
    assert.deepEqual(results.map((result) => result.status), ["rejected", "rejected"]);
  } finally {
    failing = false;
  }
});
