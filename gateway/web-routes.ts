import fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import Negotiator from "negotiator";

/*
 * The doors for people, served from the files `npm run build` bundles into dist/web/public:
 *   /            the agency console          /console/*   its assets
 *   /lapor       the ormas report form        /lapor/*     its assets, manifest and service worker
 *   /graphiql    the API explorer             /graphiql/*  its assets
 *   /schema/api.graphql  the committed public schema, for the explorer where introspection is off
 * A browser opening /graphql (GET, HTML wanted, no operation) is sent to the explorer.
 */

/** Where each URL prefix's files are, under the public folder. */
const APPS: Record<string, string> = { "/console": "console", "/lapor": "lapor", "/graphiql": "explorer" };

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".graphql": "text/plain; charset=utf-8",
};

/** Only this origin: scripts, styles, sockets. Inline styles are allowed for the editors' positioning. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export interface WebRoutesOptions {
  /** The bundled apps. Default dist/web/public beside this module. */
  publicDir?: string;
  /** The committed public schema. Default schema/api.graphql of the repository. */
  schemaFile?: string;
}

export interface WebRoutes {
  /** True for a GET or HEAD this module answers. */
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

/** The twins web/build.ts writes beside each text file, by content coding, in the server's order of preference. */
const PRECOMPRESSED: Record<string, string> = { br: ".br", gzip: ".gz" };
const CODINGS = [...Object.keys(PRECOMPRESSED), "identity"];

/** negotiator 1's `preferred` option (the server's order where the browser weighs codings alike); @types/negotiator lags. */
type EncodingNegotiator = { encoding(available: readonly string[], options: { preferred: readonly string[] }): string | undefined };

/**
 * The file to send for what the browser accepts: its brotli or gzip twin when there is one (a regional office on a
 * slow link downloads a third of the bytes), else the file itself.
 */
function variantOf(req: IncomingMessage, file: string): { file: string; encoding?: string } {
  const encoding = (new Negotiator(req) as unknown as EncodingNegotiator).encoding(CODINGS, { preferred: CODINGS });
  const twin = encoding && PRECOMPRESSED[encoding] ? `${file}${PRECOMPRESSED[encoding]}` : undefined;
  return twin && fs.existsSync(twin) ? { file: twin, encoding } : { file };
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string, cache: string): void {
  // Lapor's worker lives in /lapor/ but controls the page /lapor too.
  const workerScope = path.basename(file) === "sw.js" ? { "service-worker-allowed": "/lapor" } : {};
  const sent = variantOf(req, file);
  fs.readFile(sent.file, (error, body) => {
    if (error) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      return void res.end("not found");
    }
    res.writeHead(200, {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "content-length": body.length,
      ...(sent.encoding ? { "content-encoding": sent.encoding } : {}),
      vary: "accept-encoding",
      "cache-control": cache,
      "content-security-policy": CONTENT_SECURITY_POLICY,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      ...workerScope,
    });
    res.end(body);
  });
}

/** The file a path names, or null: an app's index for its bare prefix, else a file inside the app's folder. */
function fileOf(publicDir: string, pathname: string): string | null {
  if (pathname === "/") return path.join(publicDir, "console", "index.html");
  const prefix = Object.keys(APPS).find((candidate) => pathname === candidate || pathname.startsWith(`${candidate}/`));
  if (!prefix) return null;
  const folder = path.join(publicDir, APPS[prefix]);
  const rest = pathname.slice(prefix.length).replace(/^\/+/, "") || "index.html";
  const file = path.normalize(path.join(folder, decodeURIComponent(rest)));
  return file.startsWith(folder + path.sep) ? file : null;
}

export function createWebRoutes(options: WebRoutesOptions = {}): WebRoutes {
  const publicDir = options.publicDir ?? path.join(__dirname, "..", "web", "public");
  const schemaFile = options.schemaFile ?? path.join(__dirname, "..", "..", "schema", "api.graphql");
  const browserAtGraphql = (req: IncomingMessage, url: URL) =>
    url.pathname === "/graphql" && !url.searchParams.has("query") && !url.searchParams.has("extensions") && (req.headers.accept ?? "").includes("text/html");
  return {
    matches(req) {
      if (req.method !== "GET" && req.method !== "HEAD") return false;
      const url = new URL(req.url ?? "/", "http://localhost");
      return browserAtGraphql(req, url) || url.pathname === "/schema/api.graphql" || fileOf(publicDir, url.pathname) !== null;
    },
    handle(req, res) {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (browserAtGraphql(req, url)) {
        res.writeHead(302, { location: "/graphiql" });
        return void res.end();
      }
      if (url.pathname === "/schema/api.graphql") return sendFile(req, res, schemaFile, "no-cache");
      const file = fileOf(publicDir, url.pathname);
      // Pages and the service worker are revalidated so a new build is picked up; bundles likewise, being unhashed.
      if (file) sendFile(req, res, file, "no-cache");
    },
  };
}
