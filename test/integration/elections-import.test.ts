import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { HubConfig } from "../../platform/config";
import { AdminCommandError, importElections } from "../../launcher/admin";
import { elections } from "../../subgraphs/elections";
import { openStorage } from "../../subgraphs/kit/storage";
import { backends, dropTestData, testConfig } from "../support/hub";

/*
 * An administrator loads KPU data with `npm run admin -- import-elections FILE`: the sample file of the
 * README, a second import of the same file, corrections, and a file with bad rows refused whole.
 */

const SAMPLE = path.join(__dirname, "..", "..", "..", "docs", "examples", "elections.csv");

interface Stored {
  elections: Array<{ title: string; regionCode: string; votingDay: string }>;
  pairs: Array<{ regionCode: string; ballotNumber: number; headCandidate: string }>;
}

describe("importing KPU elections from a file", async () => {
 for (const backend of await backends()) describe(`on ${backend}`, () => {
  let config: HubConfig;
  let folder: string;
  before(() => {
    config = testConfig(backend);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), "kawal-import-"));
  });
  after(async () => {
    fs.rmSync(folder, { recursive: true, force: true });
    await dropTestData(config);
  });

  function write(name: string, content: string): string {
    const file = path.join(folder, name);
    fs.writeFileSync(file, content);
    return file;
  }

  async function stored(): Promise<Stored> {
    const storage = await openStorage({ name: "elections", entities: elections.entities, migrations: elections.migrations }, config);
    try {
      return {
        elections: (await storage.reader.query("SELECT title, regionCode, votingDay FROM elections ORDER BY regionCode")) as Stored["elections"],
        pairs: ((await storage.reader.query(
          "SELECT e.regionCode AS regionCode, p.ballotNumber AS ballotNumber, p.headCandidate AS headCandidate FROM candidate_pairs p JOIN elections e ON e.id = p.electionId ORDER BY e.regionCode, p.ballotNumber",
        )) as Stored["pairs"]).map((pair) => ({ ...pair, ballotNumber: Number(pair.ballotNumber) })),
      };
    } finally {
      await storage.close();
    }
  }

  test("the sample file loads Bangka and Pangkal Pinang with two pairs each; importing it again changes nothing", async () => {
    const first = await importElections(config, [SAMPLE]);
    assert.deepEqual(first, { elections: { created: 2, updated: 0, unchanged: 0 }, pairs: { created: 4, updated: 0, unchanged: 0 } });
    const again = await importElections(config, [SAMPLE]);
    assert.deepEqual(again, { elections: { created: 0, updated: 0, unchanged: 2 }, pairs: { created: 0, updated: 0, unchanged: 4 } });
    const { elections: rows, pairs } = await stored();
    assert.deepEqual(rows.map((row) => row.regionCode), ["19.01", "19.71"]);
    assert.equal(pairs.length, 4);
  });

  test("a JSON file corrects a candidate's name in place, matched by election and ballot number", async () => {
    const file = write(
      "fix.json",
      JSON.stringify([
        {
          title: "Pilkada Bupati dan Wakil Bupati Bangka 2024",
          office: "REGENT",
          regionCode: "19.01",
          campaignStartsOn: "2024-09-25",
          campaignEndsOn: "2024-11-23",
          votingDay: "2024-11-27",
          pairs: [{ ballotNumber: 2, headCandidate: "Bambang Rekaan Susilo Putra", deputyCandidate: "Nur Khayalan Aini" }],
        },
      ]),
    );
    assert.deepEqual(await importElections(config, [file]), { elections: { created: 0, updated: 0, unchanged: 1 }, pairs: { created: 0, updated: 1, unchanged: 0 } });
    const { pairs } = await stored();
    assert.equal(pairs.find((pair) => pair.regionCode === "19.01" && pair.ballotNumber === 2)?.headCandidate, "Bambang Rekaan Susilo Putra");
    assert.equal(pairs.length, 4);
  });

  test("a file with bad rows is refused whole, every bad row named, nothing written", async () => {
    const before = await stored();
    const header = "title,office,regionCode,campaignStartsOn,campaignEndsOn,votingDay,ballotNumber,headCandidate,deputyCandidate";
    const file = write(
      "bad.csv",
      [
        header,
        "Pilkada Bupati Belitung 2024,REGENT,19.02,2024-09-25,2024-11-23,2024-11-27,1,Calon Satu,Wakil Satu", // good, but the file is refused
        "Pilkada Bupati Belitung 2024,REGENT,19.02,2024-09-25,2024-11-23,2024-11-27,1,Calon Dua,Wakil Dua", // ballot 1 again
        "Pilkada Bupati Bangka Barat 2024,REGENT,19.3,2024-09-25,2024-11-23,2024-11-27,1,Calon,Wakil", // region mistyped
        "Pilkada Gubernur 2024,GOVERNOR,19.06,2024-09-25,2024-11-23,2024-11-27,1,Calon,Wakil", // a regency for a governor
        "Pilkada Bupati Bangka Tengah 2024,REGENT,19.04,2024-11-23,2024-09-25,2024-09-26,1,,Wakil", // dates out of order, no name
      ].join("\n"),
    );
    await assert.rejects(importElections(config, [file]), (error: Error) => {
      assert.ok(error instanceof AdminCommandError);
      assert.match(error.message, /row 3: ballotNumber 1 is already given to another pair of this election at row 2/);
      assert.match(error.message, /row 4: regionCode: .*did you mean 19\.03\?/);
      assert.match(error.message, /row 5: regionCode: a GOVERNOR election is held in a province; 19\.06 is a regency/);
      assert.match(error.message, /row 6: campaignEndsOn: must be after campaignStartsOn/);
      assert.match(error.message, /row 6: votingDay: must follow campaignEndsOn/);
      assert.match(error.message, /row 6: headCandidate: must not be empty/);
      assert.doesNotMatch(error.message, /row 2:/);
      return true;
    });
    assert.deepEqual(await stored(), before);
  });
 });
});
