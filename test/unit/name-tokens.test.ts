import assert from "node:assert/strict";
import { test } from "node:test";
import { nameTokens, NAME_TOKEN_MAX } from "../../subgraphs/kit/filters";

test("name tokens: lower-cased words of letters and digits, each once", () => {
  assert.deepEqual(nameTokens("Forum Pemuda (FPM) Manggar, forum"), ["forum", "pemuda", "fpm", "manggar"]);
  assert.deepEqual(nameTokens("Soka'an 19.06"), ["soka", "an", "19", "06"]);
  assert.deepEqual(nameTokens("Perkumpulan Pemuda Peduli Ñusantara"), ["perkumpulan", "pemuda", "peduli", "ñusantara"]);
});

test("name tokens: nothing searchable in punctuation alone; long words cut", () => {
  assert.deepEqual(nameTokens("% _ !"), []);
  assert.equal(nameTokens("a".repeat(80))[0].length, NAME_TOKEN_MAX);
});
