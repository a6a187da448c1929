import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { signToken } from "../../caller/tokens";
import { loadDemo } from "../../launcher/demo";
import { postGraphQL } from "../../platform/graphql-fetch";
import { startHub } from "../../launcher/hub";
import { SubgraphCrashLoop, SubgraphExit, SubgraphRestart } from "../../launcher/subgraph-processes";
import { SUBGRAPH_NAMES } from "../../platform/config";
import { isRunning, skipWithoutSubgraphPorts, startEmbedded, subgraphChildren } from "../support/embedded";
import { agencyOf, dropTestData, ormasOf, testConfig } from "../support/hub";
import { sendReport, findOrganization, KESBANGPOL, PEMUDA, READ_REPORT, until } from "../support/report-writers";

/*
 * `npm start` restarts a subgraph process that dies (issue 12, part 4): the hub's user has no supervisor to
 * do it. The faults are real: SIGKILL to the child, as the kernel's OOM killer would send it.
 */

describe("npm start supervises its subgraph processes", async () => {
  test("the one subgraph process of a two-core hub is killed: the gateway stays up and says the data is unavailable, then the report filed before is back", { timeout: 60_000 }, async () => {
    const config = testConfig("sqlite");
    const exits: SubgraphExit[] = [];
    const restarts: SubgraphRestart[] = [];
    const hub = await startHub(config, {
      port: 0,
      freePorts: true,
      subgraphs: "forked",
      subgraphProcesses: 1,
      // Longer than the default 0.5 s, so the outage is still there to be looked at on a slow machine.
      restartPolicy: { restartDelayMs: 1500 },
      onSubgraphExit: (exit) => exits.push(exit),
      onSubgraphRestart: (restart) => restarts.push(restart),
    });
    try {
      const url = hub.gateway.url;
      await loadDemo(url, config);
      const volunteer = await signToken(config.jwtSecret!, ormasOf(await findOrganization(url, PEMUDA)));
      const officer = await signToken(config.jwtSecret!, agencyOf(await findOrganization(url, KESBANGPOL)));
      const filed = await sendReport(url, volunteer);
      assert.equal(filed.kind, "acknowledged");
      const id = filed.kind === "acknowledged" ? filed.id : "";

      const pid = hub.subgraphs.incidents.pid!;
      process.kill(pid, "SIGKILL");
      await until(() => exits.length === 1);
      assert.deepEqual(exits, [{ subgraphs: [...SUBGRAPH_NAMES], pid, code: null, signal: "SIGKILL" }]);

      assert.equal((await fetch(new URL("/health", url))).status, 200, "the gateway is alive");
      const meanwhile = await postGraphQL<{ incidentReport: { id: string } | null }>(url, READ_REPORT, { id }, officer);
      assert.equal(restarts.length, 0, "asked while the subgraphs were down");
      assert.equal(meanwhile.data?.incidentReport ?? null, null);
      assert.ok(meanwhile.errors?.length, "an error says the report cannot be read now");

      await until(() => restarts.length === 1);
      assert.deepEqual(restarts[0].subgraphs, [...SUBGRAPH_NAMES]);
      assert.notEqual(restarts[0].pid, pid);
      const back = await postGraphQL<{ incidentReport: { id: string } | null }>(url, READ_REPORT, { id }, officer);
      assert.equal(back.errors, undefined, JSON.stringify(back.errors));
      assert.equal(back.data?.incidentReport?.id, id, "the same URL answers, with the report filed before the crash");
      assert.equal((await sendReport(url, volunteer)).kind, "acknowledged", "writes check their references across subgraphs again");
    } finally {
      await hub.dispose();
      await dropTestData(config);
    }
  });

  test("a subgraph process that dies each time it is back is a crash loop: given up on, naming the process and its subgraphs, while the rest runs on", { timeout: 60_000 }, async () => {
    const config = testConfig("sqlite");
    const loops: SubgraphCrashLoop[] = [];
    const killed: number[] = [];
    const kill = (pid: number | undefined) => {
      killed.push(pid!);
      process.kill(pid!, "SIGKILL");
    };
    const hub = await startHub(config, {
      port: 0,
      freePorts: true,
      subgraphs: "forked",
      subgraphProcesses: 2,
      restartPolicy: { restartDelayMs: 50, crashLoopCount: 3 },
      // The fault: the process dies as soon as it serves again.
      onSubgraphRestart: ({ pid }) => kill(pid),
      onSubgraphCrashLoop: (loop) => loops.push(loop),
    });
    try {
      const other = hub.subgraphs.elections.pid!;
      kill(hub.subgraphs.incidents.pid);
      await until(() => loops.length === 1);
      const [loop] = loops;
      assert.deepEqual([loop.subgraphs, loop.pid, loop.crashes], [["organizations", "events", "incidents"], killed[2], 3]);
      assert.equal(loop.message, `the process of the organizations, events and incidents subgraphs crashed 3 times within 60 s, the last time (pid ${killed[2]}) with signal SIGKILL`);
      assert.equal(killed.length, 3, "no restart after the loop");
      assert.ok(isRunning(other), "the other process runs on");
      assert.equal((await fetch(new URL("/health", hub.gateway.url))).status, 200);
    } finally {
      await hub.dispose();
      await dropTestData(config);
    }
  });

  test("npm start whose subgraph process keeps dying stops with exit code 1 and one line naming it, its subgraphs and the signal", { skip: await skipWithoutSubgraphPorts(), timeout: 60_000 }, async () => {
    const hub = await startEmbedded();
    try {
      const children = subgraphChildren(hub.process.pid!);
      const first = children.find((child) => child.names.includes("incidents"));
      assert.ok(first, "a process hosts the incidents subgraph");
      const killed = [first.pid];
      process.kill(first.pid, "SIGKILL");
      // The default policy: restarted after 0.5, 1, 2 and 4 s; the fifth crash within a minute is the loop.
      for (let restart = 1; restart < 5; restart++) {
        await until(() => hub.stdout.filter((line) => / serving again \(pid \d+\)$/.test(line)).length === restart);
        const pid = Number(/\(pid (\d+)\)$/.exec(hub.stdout.filter((line) => / serving again /.test(line))[restart - 1])![1]);
        killed.push(pid);
        process.kill(pid, "SIGKILL");
      }
      const { code } = await hub.exited;
      assert.equal(code, 1);
      const stops = hub.stderr.filter((line) => /stopping the hub/.test(line));
      assert.equal(stops.length, 1);
      assert.match(stops[0], new RegExp(`^kawal: the process of (the incidents subgraph|the [a-z, ]*incidents[a-z, ]* subgraphs) crashed 5 times within 60 s, the last time \\(pid ${killed[4]}\\) with signal SIGKILL; stopping the hub$`));
      assert.equal(hub.stderr.filter((line) => line !== "").at(-1), stops[0], "the last word on stderr");
      assert.deepEqual([...children.map((child) => child.pid), ...killed].filter(isRunning), [], "no subgraph process left behind");
    } finally {
      await hub.cleanUp();
    }
  });
});
