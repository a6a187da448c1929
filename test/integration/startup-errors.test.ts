import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { sparePort } from "../support/ports";

const LAUNCHER = path.join(__dirname, "..", "..", "launcher");

/** Runs a launcher to its exit; what it printed on stderr, line by line, and its exit code. */
function run(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(LAUNCHER, script), ...args], {
      env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => resolve({ code, stderr: stderr.split("\n").filter((line) => line.trim() !== "") }));
  });
}

describe("start-up failures an operator can act on: one line naming the setting", () => {
  const secrets = { KAWAL_JWT_SECRET: crypto.randomBytes(32).toString("hex"), KAWAL_SUBGRAPH_SECRET: crypto.randomBytes(32).toString("hex") };
  let squatter: net.Server;
  let busy: number;
  let dataDir: string;
  before(async () => {
    squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
    busy = (squatter.address() as net.AddressInfo).port;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kawal-startup-"));
  });
  after(() => {
    squatter.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test("a gateway whose port is taken says which port and to set PORT, without a stack trace", async () => {
    const { code, stderr } = await run("gateway.js", [], { ...secrets, PORT: String(busy), HOST: "127.0.0.1" });
    assert.equal(code, 1);
    assert.equal(stderr.length, 1, stderr.join("\n"));
    assert.match(stderr[0], new RegExp(`port ${busy}\\b.*in use.*PORT`));
  });

  test("a subgraph whose MySQL does not answer names DATABASE_URL and the address", async () => {
    const nowhere = await sparePort();
    const { code, stderr } = await run("subgraph.js", ["organizations", "--port", "0"], {
      ...secrets,
      KAWAL_DATA_DIR: dataDir,
      DATABASE_URL: `mysql://root@127.0.0.1:${nowhere}/kawal_startup`,
    });
    assert.equal(code, 1);
    assert.equal(stderr.length, 1, stderr.join("\n"));
    assert.match(stderr[0], new RegExp(`DATABASE_URL.*127\\.0\\.0\\.1:${nowhere}`));
  });
});
