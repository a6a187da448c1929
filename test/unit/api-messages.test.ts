import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { en } from "../../platform/i18n/en";
import { id } from "../../platform/i18n/id";
import { languageOf, localizeError, message, render } from "../../platform/i18n";
import { badInput } from "../../platform/errors";

const ROOT = path.join(__dirname, "..", "..", "..");

/** The `{{name}}` placeholders of a text. */
const placeholders = (text: string) => new Set([...text.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]));

test("the Indonesian and English API catalogues have exactly the same keys, none empty", () => {
  assert.deepEqual(Object.keys(id).sort(), Object.keys(en).sort());
  for (const [key, text] of [...Object.entries(en), ...Object.entries(id)]) assert.notEqual(text.trim(), "", key);
});

test("a translation uses only its English source's parameters (a library's English {{detail}} may be restated from the others)", () => {
  for (const key of Object.keys(en) as Array<keyof typeof en>) {
    const source = placeholders(en[key]);
    const extra = [...placeholders(id[key])].filter((name) => !source.has(name));
    if (source.has("detail")) continue;
    assert.deepEqual(extra, [], `${key}: ${id[key]}`);
  }
});

/** Every source file of the server (not web/, which has its own catalogues). */
function serverSources(folder: string): string[] {
  return fs.readdirSync(path.join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(folder, entry.name);
    if (entry.isDirectory()) return serverSources(relative);
    return entry.name.endsWith(".ts") ? [relative] : [];
  });
}

test("every message key the server's code names is in the catalogue (so every message has its Indonesian text)", () => {
  const used = new Set<string>();
  for (const file of ["platform", "caller", "gateway", "subgraphs", "launcher"].flatMap(serverSources)) {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    for (const match of text.matchAll(/\bmessage\(\s*"([\w.]+)"/g)) used.add(match[1]);
    // Keys built from a name (`limit.${limit}`): each name the template can take must be there too.
    for (const match of text.matchAll(/\bmessage\(\s*`([\w.]+)\$\{/g)) assert.ok(Object.keys(en).some((key) => key.startsWith(match[1])), `${file}: ${match[1]}…`);
  }
  assert.ok(used.size > 150, `only ${used.size} keys found: the scan missed the call sites`);
  assert.deepEqual([...used].filter((key) => !(key in en)), []);
});

test("the common refusals read as natural Bahasa Indonesia", () => {
  const said = (key: keyof typeof en, params?: Record<string, string | number>) => render(message(key, params), "id");
  assert.equal(said("rule.notEmpty"), "tidak boleh kosong");
  assert.equal(said("rule.maxLength", { max: 200 }), "paling banyak 200 karakter");
  assert.equal(said("rule.date"), "harus tanggal dengan format TTTT-BB-HH, misalnya 2024-11-27");
  assert.equal(said("rule.regionCode", { code: "99.99" }), 'harus kode wilayah yang ada, misalnya "19.06" (tidak ada wilayah "99.99")');
  assert.equal(said("token.expired"), "token sudah kedaluwarsa; silakan masuk lagi");
});

test("a refusal is said in the caller's language while code, field and rule stay English, and its key does not leave the hub", () => {
  const refusal = badInput("input.title", message("rule.maxLength", { max: 200 })).toJSON();
  assert.deepEqual(localizeError(refusal, "id"), {
    message: "input.title: paling banyak 200 karakter",
    extensions: { code: "BAD_USER_INPUT", field: "input.title", rule: "must be at most 200 characters" },
  });
  assert.equal(localizeError(refusal, "en").message, "input.title: must be at most 200 characters");
  assert.deepEqual(localizeError({ message: "Cannot query field \"x\"" }, "id"), { message: "Cannot query field \"x\"" });
});

test("Accept-Language: the served language of highest weight; id, id-ID and in are Indonesian; anything else English", () => {
  assert.equal(languageOf(undefined), "en");
  assert.equal(languageOf(""), "en");
  assert.equal(languageOf("id"), "id");
  assert.equal(languageOf("id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7"), "id");
  assert.equal(languageOf("in-ID"), "id");
  assert.equal(languageOf("ID"), "id");
  assert.equal(languageOf("en-US,en;q=0.9,id;q=0.8"), "en");
  assert.equal(languageOf("en;q=0.5, id;q=0.9"), "id", "weights, not order");
  assert.equal(languageOf("fr-FR, id;q=0.5"), "id", "an unserved language is passed over");
  assert.equal(languageOf("id;q=0, en"), "en", "q=0 refuses");
  assert.equal(languageOf("id;q=0"), "en");
  assert.equal(languageOf("de, ja"), "en");
  assert.equal(languageOf("*"), "en");
  assert.equal(languageOf("id;q=2, en;q=0.1"), "en", "a malformed weight is skipped");
  assert.equal(languageOf("id;q=abc"), "en");
  assert.equal(languageOf("id ; q = 0.8, en;q=0.7"), "id");
  assert.equal(languageOf(["en;q=0.1", "id;q=0.2"]), "id");
});
