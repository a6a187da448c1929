import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";

/*
 * Bundles the three browser apps (console, Lapor, explorer) into dist/web/public, one folder each, so the
 * gateway serves them from local files: no CDN, nothing from another origin at run time.
 * Run by `npm run build` after tsc (which type-checks web/ with web/tsconfig.json).
 */

const SOURCE = path.join(__dirname, "..", "..", "web");
const PUBLIC = path.join(__dirname, "public");

/** Each app: its folder under web/ (entry main.tsx, index.html) and static files copied beside the bundle. */
const APPS: Array<{ name: string; extraEntries?: string[]; staticFiles?: string[] }> = [
  { name: "explorer" },
  { name: "lapor", extraEntries: ["sw.ts"], staticFiles: ["manifest.webmanifest", "icon.svg"] },
  { name: "console" },
];

async function main(): Promise<void> {
  for (const app of APPS) {
    const from = path.join(SOURCE, app.name);
    const to = path.join(PUBLIC, app.name);
    await build({
      entryPoints: [path.join(from, "main.tsx"), ...(app.extraEntries ?? []).map((file) => path.join(from, file))],
      outdir: to,
      bundle: true,
      minify: true,
      format: "esm",
      target: "es2020",
      jsx: "automatic",
      loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".svg": "file" },
      define: { "process.env.NODE_ENV": '"production"' },
      logLevel: "warning",
    });
    for (const file of ["index.html", ...(app.staticFiles ?? [])]) fs.copyFileSync(path.join(from, file), path.join(to, file));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
