import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { composeSupergraph } from "../../schema/composition";

const SCHEMA_DIR = path.join(__dirname, "..", "..", "..", "schema");

test("the five subgraphs compose, and the committed schema/ files match the code (run `npm run compose`)", async () => {
  const { subgraphs, supergraphSdl, apiSdl } = await composeSupergraph();
  for (const [name, sdl] of Object.entries(subgraphs)) {
    assert.equal(fs.readFileSync(path.join(SCHEMA_DIR, `${name}.graphql`), "utf8"), sdl, `schema/${name}.graphql drifted from code`);
  }
  assert.equal(fs.readFileSync(path.join(SCHEMA_DIR, "supergraph.graphql"), "utf8"), supergraphSdl, "schema/supergraph.graphql drifted from code");
  assert.equal(fs.readFileSync(path.join(SCHEMA_DIR, "api.graphql"), "utf8"), apiSdl, "schema/api.graphql drifted from code");
});

// The public contract lives in ../shared beside the repository (as on CI).
const CONTRACT = path.join(__dirname, "..", "..", "..", "..", "shared", "api-contract.graphql");
const noContract = !fs.existsSync(CONTRACT) && !process.env.CI ? "../shared/api-contract.graphql is not beside this clone" : false;

test("the supergraph keeps every root field of the public contract", { skip: noContract }, async () => {
  const { supergraphSdl } = await composeSupergraph();
  const contract = fs.readFileSync(CONTRACT, "utf8");
  const rootFields = (sdl: string, type: string) => {
    const body = new RegExp(`type ${type}[^{]*\\{([^}]*)\\}`).exec(sdl)?.[1] ?? "";
    return body.split("\n").map((line) => /^\s*(\w+)\s*[(:]/.exec(line)?.[1]).filter((name): name is string => Boolean(name));
  };
  for (const type of ["Query", "Mutation"]) {
    const composed = new Set(rootFields(supergraphSdl, type));
    for (const field of rootFields(contract, type)) assert.ok(composed.has(field), `${type}.${field} is missing`);
  }
});
