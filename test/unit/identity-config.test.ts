import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../../platform/config";

test("the identity subgraph listens on 4006 (IDENTITY_URL), and access tokens live 15 minutes unless KAWAL_ACCESS_TOKEN_SECONDS says otherwise", () => {
  const config = loadConfig({});
  assert.equal(config.subgraphUrls.identity, "http://127.0.0.1:4006/graphql");
  assert.equal(config.accessTokenSeconds, 900);
  assert.equal(loadConfig({ IDENTITY_URL: "http://identity:4006/graphql" }).subgraphUrls.identity, "http://identity:4006/graphql");
  assert.equal(loadConfig({ KAWAL_ACCESS_TOKEN_SECONDS: "300" }).accessTokenSeconds, 300);
  assert.throws(() => loadConfig({ KAWAL_ACCESS_TOKEN_SECONDS: "15m" }), (error) => error instanceof ConfigError && /KAWAL_ACCESS_TOKEN_SECONDS: must be a whole number/.test(error.message));
  assert.throws(() => loadConfig({ KAWAL_ACCESS_TOKEN_SECONDS: "100000" }), ConfigError);
  assert.throws(() => loadConfig({ KAWAL_ACCESS_TOKEN_SECONDS: "0" }), /KAWAL_ACCESS_TOKEN_SECONDS: must be a whole number from 1 to 86400/);
});

test("a rotated partner-app secret keeps working a day unless KAWAL_CLIENT_SECRET_GRACE_SECONDS says otherwise (0 to 30 days)", () => {
  assert.equal(loadConfig({}).clientSecretGraceSeconds, 86_400);
  assert.equal(loadConfig({ KAWAL_CLIENT_SECRET_GRACE_SECONDS: "0" }).clientSecretGraceSeconds, 0);
  assert.throws(() => loadConfig({ KAWAL_CLIENT_SECRET_GRACE_SECONDS: "2592001" }), /KAWAL_CLIENT_SECRET_GRACE_SECONDS: must be a whole number from 0 to 2592000/);
});

test("KAWAL_SIGNING_KEY_FILE: an RSA or EC P-256 key in PEM, private or (for the gateway) public; anything else is refused by name", () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "kawal-keys-"));
  const write = (name: string, pem: string | Buffer) => {
    const file = path.join(folder, name);
    fs.writeFileSync(file, pem);
    return file;
  };
  try {
    const ec = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const es256 = loadConfig({ KAWAL_SIGNING_KEY_FILE: write("ec.pem", ec.privateKey.export({ type: "sec1", format: "pem" })) }).signingKey;
    assert.deepEqual([es256?.algorithm, es256?.privateKey !== undefined], ["ES256", true]);
    const rsa = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    assert.equal(loadConfig({ KAWAL_SIGNING_KEY_FILE: write("rsa.pem", rsa.privateKey.export({ type: "pkcs8", format: "pem" })) }).signingKey?.algorithm, "RS256");
    const publicOnly = loadConfig({ KAWAL_SIGNING_KEY_FILE: write("ec.pub.pem", ec.publicKey.export({ type: "spki", format: "pem" })) }).signingKey;
    assert.deepEqual([publicOnly?.algorithm, publicOnly?.privateKey], ["ES256", undefined], "enough for the gateway");
    const p384 = crypto.generateKeyPairSync("ec", { namedCurve: "secp384r1" }).privateKey.export({ type: "pkcs8", format: "pem" });
    assert.throws(() => loadConfig({ KAWAL_SIGNING_KEY_FILE: write("p384.pem", p384) }), /KAWAL_SIGNING_KEY_FILE: must hold an RSA key of 2048 bits or more \(RS256\) or an EC P-256 key \(ES256\)/);
    assert.throws(() => loadConfig({ KAWAL_SIGNING_KEY_FILE: write("junk.pem", "not a key") }), /KAWAL_SIGNING_KEY_FILE: must hold a PEM/);
    assert.throws(() => loadConfig({ KAWAL_SIGNING_KEY_FILE: path.join(folder, "missing.pem") }), /KAWAL_SIGNING_KEY_FILE: must name a readable PEM file \(ENOENT\)/);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
