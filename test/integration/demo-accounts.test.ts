import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { DataSource } from "typeorm";
import { mustGraphQL } from "../../platform/graphql-fetch";
import { EmbeddedHub, skipWithoutSubgraphPorts, startEmbedded } from "../support/embedded";

/*
 * `npm start` loads the demo (its invented elections and pairs among it) and prints the demo accounts beside the
 * demo tokens, and they sign in; a production start loads and makes none of it.
 */

async function signIn(url: string, loginName: string, password: string): Promise<number> {
  const response = await fetch(new URL("/auth/sign-in", url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ loginName, password }) });
  return response.status;
}

/** The elections the public sees, by title, with their number of candidate pairs. */
async function listedElections(url: string): Promise<Array<{ title: string; pairs: number }>> {
  const { elections } = await mustGraphQL<{ elections: Array<{ title: string; candidatePairs: unknown[] }> }>(url, `{ elections { title candidatePairs { id } } }`);
  return elections.map((election) => ({ title: election.title, pairs: election.candidatePairs.length }));
}

async function accountCount(dataDir: string): Promise<number> {
  const db = await new DataSource({ type: "better-sqlite3", database: path.join(dataDir, "identity.sqlite"), readonly: true }).initialize();
  try {
    return Number(((await db.query("SELECT COUNT(*) AS n FROM accounts")) as Array<{ n: number }>)[0].n);
  } finally {
    await db.destroy();
  }
}

describe("demo data of npm start", async () => {
  const skip = await skipWithoutSubgraphPorts();

  describe("the embedded default", () => {
    let hub: EmbeddedHub;
    before(async () => {
      if (!skip) hub = await startEmbedded();
    }, { timeout: 90_000 });
    after(() => hub?.cleanUp());

    test("prints three demo accounts whose passwords sign in", { skip }, async () => {
      const lines = hub.stdout.filter((line) => /@demo\.kawal\.id \/ demo-/.test(line));
      assert.equal(lines.length, 3, hub.stdout.join("\n"));
      for (const line of lines) {
        const [, loginName, password] = /(\S+@demo\.kawal\.id) \/ (\S+)$/.exec(line)!;
        assert.equal(await signIn(hub.url, loginName, password), 200, loginName);
      }
      assert.equal(await signIn(hub.url, "admin.kesbangpol@demo.kawal.id", "demo-not-the-password"), 401);
    });

    test("loads the invented Belitung Timur elections with their candidate pairs", { skip }, async () => {
      assert.deepEqual(await listedElections(hub.url), [
        { title: "Pilkada Bupati dan Wakil Bupati Belitung Timur 2024", pairs: 3 },
        { title: "Pilkada Gubernur dan Wakil Gubernur Kepulauan Bangka Belitung 2024", pairs: 2 },
      ]);
    });
  });

  describe("a production start (NODE_ENV=production)", () => {
    let hub: EmbeddedHub;
    before(async () => {
      if (!skip) hub = await startEmbedded({ NODE_ENV: "production" });
    }, { timeout: 90_000 });
    after(() => hub?.cleanUp());

    test("creates no account and prints none", { skip }, async () => {
      assert.equal(hub.stdout.filter((line) => /demo\.kawal\.id|Demo accounts/.test(line)).length, 0);
      assert.equal(await accountCount(hub.dataDir), 0);
    });

    test("loads no invented election, candidate pair or organization", { skip }, async () => {
      assert.deepEqual(await listedElections(hub.url), []);
      const { organizations } = await mustGraphQL<{ organizations: { totalCount: number } }>(hub.url, `{ organizations(first: 0) { totalCount } }`);
      assert.equal(organizations.totalCount, 0);
    });
  });
});
