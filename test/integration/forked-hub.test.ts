import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { signToken } from "../../caller/tokens";
import { loadDemo } from "../../launcher/demo";
import { mustGraphQL, postGraphQL } from "../../platform/graphql-fetch";
import { RunningHub, startHub } from "../../launcher/hub";
import { SubgraphExit, SubgraphProcess } from "../../launcher/subgraph-processes";
import { Caller } from "../../caller/claims";
import { HubConfig, SUBGRAPH_NAMES } from "../../platform/config";
import { MANGGAR } from "../support/demo";
import { agencyOf, dropTestData, testConfig } from "../support/hub";

/*
 * The hub as `npm start` runs it: the subgraphs in child processes (launcher/subgraph-processes.ts), one per
 * core beyond the gateway's, the gateway in this one. SQLite only: what differs from the in-process hub is
 * the processes, not the engine.
 */

const ATTEND = `mutation ($e: ID!, $o: ID!, $n: Int!) { recordAttendance(eventId: $e, organizationId: $o, attendees: $n) { attendeeCount } }`;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of this process's children that run a subgraph; null where /proc cannot tell (not Linux). */
function subgraphChildren(): number[] | null {
  if (!fs.existsSync("/proc/self/stat")) return null;
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = fs.readFileSync(path.join("/proc", entry, "stat"), "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]); // after "(comm) state"
      const command = fs.readFileSync(path.join("/proc", entry, "cmdline"), "utf8");
      if (parent === process.pid && command.includes("launcher/subgraph.js")) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

describe("the hub with each subgraph in its own process", () => {
  let config: HubConfig;
  let hub: RunningHub<SubgraphProcess>;
  let disposed = false;
  const exits: SubgraphExit[] = [];
  const query = async (text: string, variables: Record<string, unknown>, caller: Caller) =>
    postGraphQL(hub.gateway.url, text, variables, await signToken(config.jwtSecret!, caller));
  let kesbangpol: string;
  let eventId: string;

  before(async () => {
    config = testConfig("sqlite");
    hub = await startHub(config, { port: 0, freePorts: true, subgraphs: "forked", subgraphProcesses: 6, onSubgraphExit: (exit) => exits.push(exit) });
    await loadDemo(hub.gateway.url, config);
    const { organizations } = await mustGraphQL<{ organizations: { edges: Array<{ node: { id: string } }> } }>(
      hub.gateway.url,
      `{ organizations(filter: { search: "Kesatuan Bangsa dan Politik Kabupaten Belitung Timur" }, first: 1) { edges { node { id } } } }`,
    );
    kesbangpol = organizations.edges[0].node.id;
    const { events } = await mustGraphQL<{ events: { edges: Array<{ node: { id: string } }> } }>(
      hub.gateway.url,
      `{ events(filter: { regionCode: "19.06.01", kind: SOCIALIZATION }, first: 1) { edges { node { id } } } }`,
    );
    eventId = events.edges[0].node.id;
  });
  after(async () => {
    if (!disposed) await hub.dispose();
    await dropTestData(config);
  });

  test("Kesbangpol's Manggar event reads across five subgraph processes in one query", async () => {
    const pids = SUBGRAPH_NAMES.map((name) => hub.subgraphs[name].pid);
    assert.equal(new Set([process.pid, ...pids]).size, 7, "six children, none of them this process");
    const children = subgraphChildren();
    if (children) assert.deepEqual(children.sort(), pids.map(Number).sort());
    const { data, errors } = await query(MANGGAR, { id: eventId }, agencyOf(kesbangpol));
    assert.equal(errors, undefined);
    const event = data!.event as {
      region: { name: string };
      organizer: { agencyType: string };
      attendeeCount: number;
      declarations: Array<{ title: string }>;
      election: { votingDay: string; quiet: string };
    };
    assert.equal(event.region.name, "Manggar");
    assert.equal(event.organizer.agencyType, "KESBANGPOL");
    assert.equal(event.attendeeCount, 50);
    assert.equal(event.declarations[0].title, "Deklarasi Pilkada Damai 2024");
    assert.deepEqual([event.election.votingDay, event.election.quiet], ["2024-11-27", "QUIET_PERIOD"]);
  });

  test("a write checks its references in another subgraph's process, found on its free port", async () => {
    const { errors } = await query(ATTEND, { e: eventId, o: "999999", n: 3 }, agencyOf(kesbangpol));
    assert.match(errors?.[0]?.message ?? "", /organizationId: must be the id of an existing Organization/);
  });

  test("a subgraph process that dies is reported by name, and dispose before its restart leaves no child running", async () => {
    const incidents = hub.subgraphs.incidents;
    process.kill(incidents.pid!, "SIGKILL");
    while (exits.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(exits, [{ subgraphs: ["incidents"], pid: incidents.pid, code: null, signal: "SIGKILL" }]);

    const pids = SUBGRAPH_NAMES.map((name) => hub.subgraphs[name].pid!);
    disposed = true;
    await hub.dispose();
    assert.deepEqual(pids.filter(isRunning), []);
    assert.deepEqual(exits.length, 1, "stopping on request is not a death");
    await new Promise((resolve) => setTimeout(resolve, 1000)); // past the restart's 0.5 s wait
    const children = subgraphChildren();
    if (children) assert.deepEqual(children, [], "no restart after dispose");
  });
});

describe("the hub with its six subgraphs in one process, as on two cores", () => {
  test("the Manggar story reads across the five from one child, and its death is reported with all five names", async () => {
    const config = testConfig("sqlite");
    const exits: SubgraphExit[] = [];
    const hub = await startHub(config, { port: 0, freePorts: true, subgraphs: "forked", subgraphProcesses: 1, onSubgraphExit: (exit) => exits.push(exit) });
    try {
      const pids = new Set(SUBGRAPH_NAMES.map((name) => hub.subgraphs[name].pid));
      assert.equal(pids.size, 1);
      assert.notEqual([...pids][0], process.pid);
      await loadDemo(hub.gateway.url, config);
      const { events } = await mustGraphQL<{ events: { edges: Array<{ node: { id: string } }> } }>(
        hub.gateway.url,
        `{ events(filter: { regionCode: "19.06.01", kind: SOCIALIZATION }, first: 1) { edges { node { id } } } }`,
      );
      const { event } = await mustGraphQL<{ event: { region: { name: string }; declarations: Array<{ title: string }>; election: { votingDay: string } } }>(
        hub.gateway.url,
        MANGGAR,
        { id: events.edges[0].node.id },
      );
      assert.deepEqual([event.region.name, event.declarations[0].title, event.election.votingDay], ["Manggar", "Deklarasi Pilkada Damai 2024", "2024-11-27"]);

      const pid = hub.subgraphs.incidents.pid!;
      process.kill(pid, "SIGKILL");
      while (exits.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(exits, [{ subgraphs: [...SUBGRAPH_NAMES], pid, code: null, signal: "SIGKILL" }]);
    } finally {
      await hub.dispose();
      await dropTestData(config);
    }
  });
});

describe("a forked subgraph that cannot start", () => {
  test("fails startHub with a message naming it, and leaves no child running", async () => {
    const config = testConfig("sqlite");
    try {
      fs.writeFileSync(path.join(config.dataDir, "events.sqlite"), "this is not a database, it is a shopping list\n".repeat(100));
      await assert.rejects(startHub(config, { port: 0, freePorts: true, subgraphs: "forked" }), {
        name: "SubgraphStartError",
        message: /^the events subgraph could not start: .*not a database/,
      });
      const children = subgraphChildren();
      if (children) assert.deepEqual(children, []);
    } finally {
      await dropTestData(config);
    }
  });
});
