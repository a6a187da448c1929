/**
 * The public API as a versioned contract: `schema/api.graphql` is what the code serves now,
 * `schema/api.released.graphql` what the last release promised. A change graphql-js calls breaking (a
 * field, type, argument or enum value removed, a type changed, a required argument added) may only ship in
 * a new major version whose CHANGELOG.md section names it, so an integrator reading the changelog before
 * upgrading learns of every one.
 */
import fs from "node:fs";
import path from "node:path";
import { buildSchema, findBreakingChanges } from "graphql";

const ROOT = path.join(__dirname, "..", "..");

/** The version in package.json: the contract's, written into the header of schema/api.graphql. */
export function contractVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
}

/** The `# Version: x.y.z` line of a contract's header. */
export function versionOf(sdl: string): string | undefined {
  return /^# Version: (\d+\.\d+\.\d+)/m.exec(sdl)?.[1];
}

const major = (version: string) => Number(version.split(".")[0]);

/** The text of the `## [version]` section of a Keep a Changelog file, without its heading; undefined when absent. */
export function changelogSection(changelog: string, version: string): string | undefined {
  const sections = changelog.split(/^## /m).slice(1);
  const section = sections.find((text) => text.startsWith(`[${version}]`));
  return section?.slice(section.indexOf("\n") + 1);
}

/** Case and backticks aside, so a changelog may quote a change as code. */
const normalize = (text: string) => text.replace(/`/g, "").replace(/\s+/g, " ").toLowerCase();

/**
 * The breaking changes from `releasedSdl` to `currentSdl` that CHANGELOG.md does not announce: each must be
 * written, as graphql-js words it (e.g. "Query.incidents was removed."), in the section of `version`, and
 * `version` must be a new major version over the released one. Empty when the change is allowed.
 */
export function unannouncedBreakingChanges(releasedSdl: string, currentSdl: string, changelog: string, version: string): string[] {
  const breaking = findBreakingChanges(buildSchema(releasedSdl), buildSchema(currentSdl)).map((change) => change.description);
  if (breaking.length === 0) return [];
  const released = versionOf(releasedSdl);
  if (!released || major(version) <= major(released)) return breaking;
  const section = normalize(changelogSection(changelog, version) ?? "");
  return breaking.filter((description) => !section.includes(normalize(description)));
}
