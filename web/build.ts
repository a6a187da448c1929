import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { build } from "esbuild";

/*
 * Bundles the three browser apps (console, Lapor, explorer) into dist/web/public, one folder each, so the
 * gateway serves them from local files: no CDN, nothing from another origin at run time.
 * Run by `npm run build` after tsc (which type-checks web/ with web/tsconfig.json).
 */

const SOURCE = path.join(__dirname, "..", "..", "web");
const PUBLIC = path.join(__dirname, "public");

/** Text files the gateway may send compressed: each gets a .br and a .gz twin made once here, not per request. */
const COMPRESSIBLE = new Set([".html", ".js", ".css", ".svg", ".webmanifest"]);

/** Writes file.br and file.gz beside each compressible file under `folder`, at the highest levels. */
function precompress(folder: string): void {
  for (const name of fs.readdirSync(folder)) {
    const file = path.join(folder, name);
    if (!COMPRESSIBLE.has(path.extname(name))) continue;
    const body = fs.readFileSync(file);
    fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } }));
    fs.writeFileSync(`${file}.gz`, zlib.gzipSync(body, { level: 9 }));
  }
}

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
    precompress(to);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
