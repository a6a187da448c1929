import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeCursor, encodeCursor, pageSize } from "../../subgraphs/kit/connection";

test("a cursor round-trips its sort value and id", () => {
  assert.deepEqual(decodeCursor(encodeCursor(["perkumpulan pemuda peduli manggar", 42])), ["perkumpulan pemuda peduli manggar", 42]);
  assert.deepEqual(decodeCursor(encodeCursor(["2024-10-17T02:00:00.000Z", 7])), ["2024-10-17T02:00:00.000Z", 7]);
});

test("a cursor is opaque URL-safe text", () => {
  assert.match(encodeCursor(["a/b+c", 1]), /^[A-Za-z0-9_-]+$/);
});

test("a made-up cursor is refused with an error naming `after`", () => {
  for (const bad of ["not-a-cursor", encodeCursor(["x", 1]).slice(0, 5), Buffer.from('["x"]').toString("base64url"), Buffer.from('[1,"2"]').toString("base64url")]) {
    assert.throws(() => decodeCursor(bad), (error: Error & { extensions?: Record<string, unknown> }) => {
      assert.equal(error.extensions?.code, "BAD_USER_INPUT");
      assert.equal(error.extensions?.field, "after");
      return true;
    });
  }
});

test("page size defaults to 20 and is capped at 100", () => {
  assert.equal(pageSize(undefined), 20);
  assert.equal(pageSize(0), 0);
  assert.equal(pageSize(100), 100);
  assert.throws(() => pageSize(101), /first: must be a whole number from 0 to 100/);
  assert.throws(() => pageSize(-1), /first/);
});
