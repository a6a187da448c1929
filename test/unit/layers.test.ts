import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";

/*
 * Layers point one way (docs/ARCHITECTURE.md): platform knows no domain; caller builds on platform only;
 * the gateway and the subgraphs build on both and never on each other; the launcher sits on top. This reads
 * every source file's relative imports and names each one that crosses a layer the wrong way.
 */

const ROOT = path.join(__dirname, "..", "..", "..");

/** What each top-level folder may import from, besides itself and packages. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  platform: [],
  caller: ["platform"],
  gateway: ["platform", "caller"],
  subgraphs: ["platform", "caller"],
  launcher: ["platform", "caller", "gateway", "subgraphs"],
  schema: ["platform", "caller", "subgraphs"],
  // A partner's code, as a partner would write it: it knows the hub only by its public API.
  examples: [],
  // The browser apps talk to the hub over HTTP and WebSocket only.
  web: [],
};

function sourceFiles(folder: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, folder), { withFileTypes: true })) {
    const relative = path.join(folder, entry.name);
    if (entry.isDirectory()) found.push(...sourceFiles(relative));
    else if (/\.tsx?$/.test(entry.name)) found.push(relative);
  }
  return found;
}

/** The relative module specifiers of a file: import/export ... from, import(), require(). */
function relativeImports(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*|^import\s+)["'](\.{1,2}\/[^"']*|\.)["']/gm)].map((match) => match[1]);
  return specifiers;
}

/** The top-level folder a specifier of `file` lands in. */
function layerOf(file: string, specifier: string): string {
  return path.normalize(path.join(path.dirname(file), specifier)).split(path.sep)[0];
}

/** Every import that crosses the layers the wrong way, as "file -> layer (specifier)". */
function layerViolations(): string[] {
  const violations: string[] = [];
  for (const [layer, allowed] of Object.entries(MAY_IMPORT)) {
    for (const file of sourceFiles(layer)) {
      for (const specifier of relativeImports(file)) {
        const target = layerOf(file, specifier);
        if (target !== layer && !allowed.includes(target)) violations.push(`${file} -> ${target} (${specifier})`);
      }
    }
  }
  return violations;
}

test("no layer imports one it must not: platform knows no domain, gateway and subgraphs never import each other", () => {
  assert.deepEqual(layerViolations(), []);
});

test("the rule sees a gateway file that reaches into a subgraph (it would fail such a change)", () => {
  const probe = path.join(ROOT, "gateway", "__layer_probe__.ts");
  fs.writeFileSync(probe, 'import { SUBGRAPHS } from "../subgraphs";\nexport const probe = SUBGRAPHS;\n');
  try {
    assert.deepEqual(layerViolations(), ["gateway/__layer_probe__.ts -> subgraphs (../subgraphs)"]);
  } finally {
    fs.rmSync(probe);
  }
});

test("every top-level folder of source has its rule", () => {
  const folders = fs
    .readdirSync(ROOT, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !["node_modules", "dist", "data", "test", "docs", "bench-results"].includes(entry.name) && !entry.name.startsWith("."))
    .filter((entry) => sourceFiles(entry.name).length > 0)
    .map((entry) => entry.name)
    .sort();
  assert.deepEqual(folders, Object.keys(MAY_IMPORT).sort());
});
