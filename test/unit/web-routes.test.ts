import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { after, before, describe, test } from "node:test";
import { createWebRoutes } from "../../gateway/web-routes";

/** What a browser got for one asset: status, headers and the body as it decodes it. */
interface Received {
  status: number;
  encoding?: string;
  vary?: string;
  bytes: number;
  text: string;
}

describe("the console's assets go out compressed to a browser that accepts it", () => {
  const bundle = "export const board = 'papan peringatan';\n".repeat(200);
  let publicDir: string;
  let server: http.Server;
  let origin: string;
  before(async () => {
    publicDir = fs.mkdtempSync(path.join(os.tmpdir(), "kawal-web-"));
    const folder = path.join(publicDir, "console");
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, "main.js"), bundle);
    fs.writeFileSync(path.join(folder, "main.js.br"), zlib.brotliCompressSync(bundle));
    fs.writeFileSync(path.join(folder, "main.js.gz"), zlib.gzipSync(bundle));
    fs.writeFileSync(path.join(folder, "index.html"), "<!doctype html><title>Kawal Damai</title>");
    const routes = createWebRoutes({ publicDir });
    server = http.createServer((req, res) => (routes.matches(req) ? routes.handle(req, res) : res.writeHead(404).end()));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(publicDir, { recursive: true, force: true });
  });

  async function get(pathname: string, acceptEncoding?: string): Promise<Received> {
    return new Promise((resolve, reject) => {
      const headers = acceptEncoding === undefined ? {} : { "accept-encoding": acceptEncoding };
      http
        .get(`${origin}${pathname}`, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const raw = Buffer.concat(chunks);
            const encoding = res.headers["content-encoding"];
            const decoded = encoding === "br" ? zlib.brotliDecompressSync(raw) : encoding === "gzip" ? zlib.gunzipSync(raw) : raw;
            resolve({ status: res.statusCode ?? 0, encoding, vary: res.headers.vary, bytes: raw.length, text: decoded.toString("utf8") });
          });
        })
        .on("error", reject);
    });
  }

  test("a browser that accepts brotli gets the brotli twin, which decodes to the bundle", async () => {
    const got = await get("/console/main.js", "gzip, deflate, br");
    assert.equal(got.encoding, "br");
    assert.equal(got.text, bundle);
    assert.ok(got.bytes < bundle.length / 10, `sent ${got.bytes} bytes of ${bundle.length}`);
    assert.equal(got.vary, "accept-encoding");
  });

  test("a client that accepts only gzip gets the gzip twin", async () => {
    const got = await get("/console/main.js", "gzip");
    assert.equal(got.encoding, "gzip");
    assert.equal(got.text, bundle);
  });

  test("a client that refuses brotli with q=0 gets gzip, and one that accepts nothing gets the file as it is", async () => {
    assert.equal((await get("/console/main.js", "br;q=0, gzip")).encoding, "gzip");
    const plain = await get("/console/main.js");
    assert.equal(plain.encoding, undefined);
    assert.equal(plain.text, bundle);
  });

  test("a file without a twin goes out as it is, whatever the browser accepts", async () => {
    const got = await get("/", "br, gzip");
    assert.equal(got.status, 200);
    assert.equal(got.encoding, undefined);
    assert.match(got.text, /Kawal Damai/);
  });
});
