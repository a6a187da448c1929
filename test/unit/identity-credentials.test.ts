import assert from "node:assert/strict";
import { test } from "node:test";
import { GraphQLError } from "graphql";
import { checkPasswordRules, hashPassword, loginName, oneTimePassword, passwordMatches } from "../../subgraphs/identity/credentials";
import { delayAfter } from "../../subgraphs/identity/throttle";
import { tokenRequest } from "../../launcher/token";

function refusal(run: () => unknown): { code: unknown; field: unknown; message: string } {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof GraphQLError, String(error));
    return { code: error.extensions.code, field: error.extensions.field, message: error.message };
  }
  assert.fail("expected a refusal");
}

test("login names: e-mail addresses in lower case, Indonesian phone numbers in +62 form, anything else refused by field", () => {
  assert.equal(loginName("loginName", "  Siti.Rahma@Kesbangpol.Beltim.go.id "), "siti.rahma@kesbangpol.beltim.go.id");
  for (const phone of ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "(0812) 3456 7890"]) assert.equal(loginName("loginName", phone), "+6281234567890");
  for (const bad of ["siti", "12345", "siti@", "+1 202 555 0100", ""]) assert.equal(refusal(() => loginName("input.loginName", bad)).field, "input.loginName");
});

test("passwords: fewer than 10 characters, common ones and Indonesian words are refused, naming the field and the rule", () => {
  const short = refusal(() => checkPasswordRules("newPassword", "Xk9!q2"));
  assert.deepEqual([short.code, short.field], ["BAD_USER_INPUT", "newPassword"]);
  assert.match(short.message, /at least 10 characters/);
  for (const common of ["password123", "qwertyuiop", "1234567890", "rahasia12345", "indonesia2024", "selamatpagi1"]) {
    assert.match(refusal(() => checkPasswordRules("newPassword", common)).message, /too easy to guess/, common);
  }
  assert.match(refusal(() => checkPasswordRules("newPassword", "siti.rahma@beltim.id", "siti.rahma@beltim.id")).message, /too easy to guess/);
  assert.equal(checkPasswordRules("newPassword", "kapal layar Manggar tujuh"), "kapal layar Manggar tujuh");
});

test("one-time passwords pass the rules and differ every time", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const password = oneTimePassword();
    assert.equal(checkPasswordRules("password", password), password);
    seen.add(password);
  }
  assert.equal(seen.size, 20);
});

test("passwords are stored as argon2id hashes that verify only the same password", async () => {
  const stored = await hashPassword("kapal layar Manggar tujuh");
  assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.equal(await passwordMatches(stored, "kapal layar Manggar tujuh"), true);
  assert.equal(await passwordMatches(stored, "kapal layar Manggar delapan"), false);
  assert.equal(await passwordMatches(null, "kapal layar Manggar tujuh"), false, "no account: false, after the same work");
});

test("the progressive delay: 3 free failures, then 1 s doubling to a 30 s ceiling; never a lockout", () => {
  const rule = { free: 3, firstDelayMs: 1000, maxDelayMs: 30_000 };
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 8, 9, 50].map((failures) => delayAfter(failures, rule)), [0, 0, 0, 0, 1000, 2000, 4000, 16_000, 30_000, 30_000]);
});

test("token CLI arguments: the caller they describe, refused by claim name when they describe none", () => {
  const { caller, expiresIn } = tokenRequest(["--role", "INTEGRATOR", "--scope", "read:incidents subscribe:alerts", "--regions", "19,19.06"]);
  assert.deepEqual([caller.role, caller.scopes, caller.regions, caller.org, expiresIn], ["INTEGRATOR", ["read:incidents", "subscribe:alerts"], ["19", "19.06"], undefined, "12h"]);
  assert.throws(() => tokenRequest(["--role", "AGENCY"]), /claim "org" is required for AGENCY/);
  assert.throws(() => tokenRequest(["--role", "ADMIN", "--org", "1"]), /claim "role" must be one of/);
  assert.throws(() => tokenRequest(["--role", "ORMAS", "--org", "1", "--regions", "Belitung"]), /claim "regions"/);
  assert.throws(() => tokenRequest(["--role", "ORMAS", "--org", "1", "--expires", "forever"]), /--expires/);
});
