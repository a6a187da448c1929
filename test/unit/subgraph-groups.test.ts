import assert from "node:assert/strict";
import { test } from "node:test";
import { subgraphGroups } from "../../launcher/subgraph-processes";

test("on two cores the six subgraphs share one process beside the gateway's", () => {
  assert.deepEqual(subgraphGroups(1), [["organizations", "elections", "events", "declarations", "incidents", "identity"]]);
});

test("with more processes the subgraphs are dealt out in order, one each at six", () => {
  assert.deepEqual(subgraphGroups(2), [["organizations", "events", "incidents"], ["elections", "declarations", "identity"]]);
  assert.deepEqual(subgraphGroups(5), [["organizations", "identity"], ["elections"], ["events"], ["declarations"], ["incidents"]]);
  assert.deepEqual(subgraphGroups(6), [["organizations"], ["elections"], ["events"], ["declarations"], ["incidents"], ["identity"]]);
});

test("a process count outside 1 to 6 is refused by name", () => {
  for (const processes of [0, 7, 1.5]) assert.throws(() => subgraphGroups(processes), /^RangeError: processes: must be a whole number from 1 to 6/);
});
