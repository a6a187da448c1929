import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, test } from "node:test";
import { close, listen } from "../../platform/http";
import { checkUrl, isPublicAddress, OutboundRefused, postJson } from "../../platform/outbound";

/* The hub posting to partners' URLs (webhooks) must not become a way into its own network. */

describe("public addresses", () => {
  test("private, loopback, link-local, metadata and mapped forms are not public", () => {
    for (const address of ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "0.0.0.0", "100.64.0.1"]) {
      assert.equal(isPublicAddress(address), false, address);
    }
  });

  test("ordinary internet addresses are public", () => {
    for (const address of ["103.10.20.30", "8.8.8.8", "2001:4860:4860::8888"]) assert.equal(isPublicAddress(address), true, address);
  });
});

describe("posting a webhook", () => {
  const production = { production: true };
  const development = { production: false };
  let server: http.Server;
  let requests = 0;
  let port = 0;
  before(async () => {
    server = http.createServer((req, res) => {
      requests++;
      if (req.url === "/redirect") return void res.writeHead(302, { location: "http://169.254.169.254/" }).end();
      if (req.url === "/large") return void res.writeHead(200).end("x".repeat(100_000));
      if (req.url === "/slow") return; // never answers
      res.writeHead(204).end();
    });
    port = await listen(server, 0, "127.0.0.1");
  });
  after(() => close(server));

  test("in production, a URL resolving to loopback is refused before any connection", async () => {
    const before = requests;
    await assert.rejects(postJson(`https://localhost:${port}/`, "{}", { policy: production, headers: {} }), (error: Error) => {
      assert.ok(error instanceof OutboundRefused);
      assert.match(error.message, /resolves to (127\.0\.0\.1|::1)/);
      return true;
    });
    await assert.rejects(postJson("https://169.254.169.254/latest/meta-data", "{}", { policy: production, headers: {} }), /resolves to 169\.254\.169\.254/);
    assert.equal(requests, before);
  });

  test("in production, plain http is refused", async () => {
    await assert.rejects(postJson(`http://127.0.0.1:${port}/`, "{}", { policy: production, headers: {} }), /must be an https URL/);
  });

  test("in development, http to loopback is allowed and http elsewhere is not", async () => {
    assert.equal((await postJson(`http://127.0.0.1:${port}/`, "{}", { policy: development, headers: {} })).status, 204);
    await assert.rejects(checkUrl("http://10.20.30.40/hook", development), /only to loopback/);
  });

  test("a redirect is not followed: it is the answer", async () => {
    const result = await postJson(`http://localhost:${port}/redirect`, "{}", { policy: development, headers: {} });
    assert.equal(result.status, 302);
  });

  test("a large answer is read only up to the bound", async () => {
    const result = await postJson(`http://127.0.0.1:${port}/large`, "{}", { policy: development, headers: {}, maxResponseBytes: 1000 });
    assert.equal(result.status, 200);
    assert.equal(result.body.length, 1000);
  });

  test("a receiver that does not answer fails at the total timeout", async () => {
    await assert.rejects(postJson(`http://127.0.0.1:${port}/slow`, "{}", { policy: development, headers: {}, totalTimeoutMs: 200 }), /no complete answer within 200 ms/);
  });
});
