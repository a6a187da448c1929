import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { en } from "../../web/i18n/en";
import { id } from "../../web/i18n/id";
import { zoneOf } from "../../web/shared/time-zone";

/** Every key path of a catalogue: "category.BLACK_CAMPAIGN", ... */
function keys(catalogue: object, prefix = ""): string[] {
  return Object.entries(catalogue).flatMap(([key, value]) => (typeof value === "string" ? [`${prefix}${key}`] : keys(value as object, `${prefix}${key}.`)));
}

/** The values of an enum of the public schema. */
function enumValues(name: string): string[] {
  const schema = fs.readFileSync(path.join(__dirname, "..", "..", "..", "schema", "api.graphql"), "utf8");
  const body = new RegExp(`enum ${name} \\{([^}]*)\\}`).exec(schema)?.[1];
  assert.ok(body, `no enum ${name} in schema/api.graphql`);
  return body.split("\n").map((line) => line.trim()).filter((line) => /^[A-Z_]+$/.test(line));
}

test("the Indonesian and English catalogues have exactly the same keys, none empty", () => {
  const missingInEnglish = keys(id).filter((key) => !keys(en).includes(key));
  const missingInIndonesian = keys(en).filter((key) => !keys(id).includes(key));
  assert.deepEqual({ missingInEnglish, missingInIndonesian }, { missingInEnglish: [], missingInIndonesian: [] });
  const read = (catalogue: object, key: string) => key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], catalogue);
  for (const key of keys(id)) {
    assert.notEqual(read(id, key), "", `id: ${key} is empty`);
    assert.notEqual(read(en, key), "", `en: ${key} is empty`);
  }
});

test("every value of the API's enums has a label in both languages (BLACK_CAMPAIGN: Kampanye hitam)", () => {
  const sections: Array<[string, string]> = [
    ["IncidentCategory", "category"],
    ["IncidentCategory", "categoryHelp"],
    ["IncidentChannel", "channel"],
    ["Severity", "severity"],
    ["IncidentStatus", "status"],
    ["AlertKind", "alertKind"],
    ["OrganizationKind", "organizationKind"],
    ["OrganizationStatus", "organizationStatus"],
    ["AgencyType", "agencyType"],
    ["LegalForm", "legalForm"],
    ["EventKind", "eventKind"],
    ["ElectionOffice", "electionOffice"],
    ["ElectionPhase", "electionPhase"],
  ];
  for (const [enumName, section] of sections) {
    const labels = Object.keys((id as unknown as Record<string, Record<string, string>>)[section]);
    assert.deepEqual(labels.sort(), enumValues(enumName).sort(), `${section} labels vs enum ${enumName}`);
  }
  assert.equal(id.category.BLACK_CAMPAIGN, "Kampanye hitam");
});

test("times are shown in the region's zone: Manggar WIB, Bali WITA, Papua WIT", () => {
  assert.equal(zoneOf("19.06.01").name, "WIB");
  assert.equal(zoneOf("51.71").name, "WITA");
  assert.equal(zoneOf("73.71").name, "WITA");
  assert.equal(zoneOf("91.01").name, "WIT");
  assert.equal(zoneOf("81").name, "WIT");
});
