import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { changelogSection, contractVersion, unannouncedBreakingChanges, versionOf } from "../../schema/contract";

/*
 * The public API is a contract with its integrators: what the last release promised
 * (schema/api.released.graphql) holds until a new major version whose changelog names each break.
 */

const ROOT = path.join(__dirname, "..", "..", "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

test("the served API breaks nothing the last release promised, unless CHANGELOG.md names it under a new major version", () => {
  const version = contractVersion();
  const unannounced = unannouncedBreakingChanges(read("schema/api.released.graphql"), read("schema/api.graphql"), read("CHANGELOG.md"), version);
  assert.deepEqual(
    unannounced,
    [],
    `breaking changes against schema/api.released.graphql (${versionOf(read("schema/api.released.graphql"))}): keep the old fields ` +
      `(deprecate them with @deprecated(reason:)), or raise the major version in package.json, run \`npm run compose\`, ` +
      `and list each line above under "## [${version}]" in CHANGELOG.md`,
  );
});

test("package.json's version is the contract's header and has its section in CHANGELOG.md", () => {
  const version = contractVersion();
  assert.equal(versionOf(read("schema/api.graphql")), version);
  assert.ok(changelogSection(read("CHANGELOG.md"), version) !== undefined, `CHANGELOG.md has no "## [${version}]" section`);
});

test("removing a field a partner relies on fails the check until a new major version's changelog names the removal", () => {
  const released = "# Version: 1.2.0\ntype Query { incidents: [String] organizations: [String] }";
  const current = "# Version: 1.3.0\ntype Query { organizations: [String] }";
  const removal = "Query.incidents was removed.";
  const changelog = (version: string, entry: string) => `# Changelog\n\n## [${version}] - 2027-01-05\n### Removed\n- ${entry}\n\n## [1.2.0] - 2026-12-20\n`;

  assert.deepEqual(unannouncedBreakingChanges(released, current, changelog("1.3.0", "`Query.incidents` was removed."), "1.3.0"), [removal], "not in a minor version");
  assert.deepEqual(unannouncedBreakingChanges(released, current, changelog("2.0.0", "Query.organizations was renamed."), "2.0.0"), [removal], "not unnamed");
  assert.deepEqual(unannouncedBreakingChanges(released, current, changelog("2.0.0", "`Query.incidents` was removed."), "2.0.0"), []);
  assert.deepEqual(unannouncedBreakingChanges(released, released, changelog("1.2.0", "nothing"), "1.2.0"), [], "no change, nothing to announce");
});

test("a field added or deprecated breaks nothing", () => {
  const released = "# Version: 1.2.0\ntype Query { incidents: [String] }";
  const current = `type Query { incidents: [String] @deprecated(reason: "Use incidentReports.") incidentReports: [String] }`;
  assert.deepEqual(unannouncedBreakingChanges(released, current, "", "1.3.0"), []);
});

test("the README points integrators at the contract in the repository, never outside it", () => {
  const readme = read("README.md");
  assert.match(readme, /\]\(schema\/api\.graphql\)/);
  assert.match(readme, /\]\(CHANGELOG\.md\)/);
  assert.doesNotMatch(readme, /\.\.\/shared/);
});
