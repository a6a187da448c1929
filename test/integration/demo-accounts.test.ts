import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { DataSource } from "typeorm";
import { skipWithoutSubgraphPorts, startEmbedded } from "../support/embedded";

/* `npm start` prints the demo accounts beside the demo tokens, and they sign in; a production start makes none. */

async function signIn(url: string, loginName: string, password: string): Promise<number> {
  const response = await fetch(new URL("/auth/sign-in", url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ loginName, password }) });
  return response.status;
}

async function accountCount(dataDir: string): Promise<number> {
  const db = await new DataSource({ type: "better-sqlite3", database: path.join(dataDir, "identity.sqlite"), readonly: true }).initialize();
  try {
    return Number(((await db.query("SELECT COUNT(*) AS n FROM accounts")) as Array<{ n: number }>)[0].n);
  } finally {
    await db.destroy();
  }
}

describe("demo accounts of npm start", async () => {
  const skip = await skipWithoutSubgraphPorts();

  test("the embedded default prints three demo accounts whose passwords sign in", { skip, timeout: 90_000 }, async () => {
    const hub = await startEmbedded();
    try {
      const lines = hub.stdout.filter((line) => /@demo\.kawal\.id \/ demo-/.test(line));
      assert.equal(lines.length, 3, hub.stdout.join("\n"));
      for (const line of lines) {
        const [, loginName, password] = /(\S+@demo\.kawal\.id) \/ (\S+)$/.exec(line)!;
        assert.equal(await signIn(hub.url, loginName, password), 200, loginName);
      }
      assert.equal(await signIn(hub.url, "admin.kesbangpol@demo.kawal.id", "demo-not-the-password"), 401);
    } finally {
      await hub.cleanUp();
    }
  });

  test("a production start (NODE_ENV=production) creates no account and prints none", { skip, timeout: 90_000 }, async () => {
    const hub = await startEmbedded({ NODE_ENV: "production" });
    try {
      assert.equal(hub.stdout.filter((line) => /demo\.kawal\.id|Demo accounts/.test(line)).length, 0);
      assert.equal(await accountCount(hub.dataDir), 0);
    } finally {
      await hub.cleanUp();
    }
  });
});
