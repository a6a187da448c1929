import assert from "node:assert/strict";
import { test } from "node:test";
import { subgraphGroups } from "../../launcher/subgraph-processes";

test("on two cores the five subgraphs share one process beside the gateway's", () => {
  assert.deepEqual(subgraphGroups(1), [["organizations", "elections", "events", "declarations", "incidents"]]);
});

test("with more processes the subgraphs are dealt out in order, one each at five", () => {
  assert.deepEqual(subgraphGroups(2), [["organizations", "events", "incidents"], ["elections", "declarations"]]);
  assert.deepEqual(subgraphGroups(5), [["organizations"], ["elections"], ["events"], ["declarations"], ["incidents"]]);
});

test("a process count outside 1 to 5 is refused by name", () => {
  for (const processes of [0, 6, 1.5]) assert.throws(() => subgraphGroups(processes), /^RangeError: processes: must be a whole number from 1 to 5/);
});
