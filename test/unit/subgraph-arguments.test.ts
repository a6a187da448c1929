import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseSubgraphArguments } from "../../launcher/subgraph-arguments";
import { SUBGRAPH_NAMES } from "../../platform/config";

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseSubgraphArguments(argv, env);

/** A ConfigError with exactly this message. */
const refused = (message: string) => (error: unknown) => error instanceof Error && error.name === "ConfigError" && error.message === message;

describe("the subgraph launcher's arguments", () => {
  test("names the subgraphs to run, in order, with no port given", () => {
    assert.deepEqual(parse(["incidents", "organizations"]), { names: ["incidents", "organizations"], port: undefined, ports: {} });
  });

  test("SUBGRAPH names the subgraph when the arguments do not; arguments win", () => {
    assert.deepEqual(parse([], { SUBGRAPH: "events" }).names, ["events"]);
    assert.deepEqual(parse(["elections"], { SUBGRAPH: "events" }).names, ["elections"]);
  });

  test("--port N and --port=N; 0 for a free port each when several share the process", () => {
    assert.equal(parse(["elections", "--port", "4102"]).port, 4102);
    assert.equal(parse(["--port=4102", "elections"]).port, 4102);
    assert.equal(parse(["elections", "events", "--port", "0"]).port, 0);
  });

  test("--port <name>=N per subgraph, as the supervisor restarts a child on its ports", () => {
    assert.deepEqual(parse(["events", "incidents", "--port", "events=40001", "--port=incidents=40002"]).ports, { events: 40001, incidents: 40002 });
  });

  test("refuses what it cannot run, naming the argument", () => {
    assert.throws(() => parse([]), refused(`SUBGRAPH: must name a subgraph: one of ${SUBGRAPH_NAMES.join(", ")} (got "")`));
    assert.throws(() => parse(["ballots"]), refused(`SUBGRAPH: must be one of ${SUBGRAPH_NAMES.join(", ")} (got "ballots")`));
    assert.throws(() => parse(["events", "events"]), refused('SUBGRAPH: must name each subgraph once (got "events events")'));
    assert.throws(() => parse(["events", "--verbose"]), refused('--verbose: is not an option here: give subgraph names, and --port N or --port <subgraph>=N (got "--verbose")'));
    assert.throws(() => parse(["events", "-p", "4003"]), /^ConfigError: -p: is not an option here/);
  });

  test("refuses a port that is not one, naming --port", () => {
    const notANumber = (value: string) => refused(`--port: must be a whole number from 0 to 65535, or <subgraph>=<number> (got "${value}")`);
    assert.throws(() => parse(["events", "--port"]), notANumber(""));
    assert.throws(() => parse(["events", "--port", "4o03"]), notANumber("4o03"));
    assert.throws(() => parse(["events", "--port", "65536"]), notANumber("65536"));
    assert.throws(() => parse(["events", "--port", "events=x"]), notANumber("x"));
    assert.throws(() => parse(["events", "--port", "1", "--port", "2"]), /^ConfigError: --port: must be given once as a number, or once per subgraph/);
    assert.throws(() => parse(["events", "--port", "1", "--port", "events=2"]), /^ConfigError: --port: must be given once as a number, or once per subgraph/);
    assert.throws(() => parse(["events", "--port", "incidents=2"]), refused('--port: must name a subgraph this process runs (events) (got "incidents=2")'));
    assert.throws(() => parse(["events", "--port", "events=1", "--port", "events=2"]), refused('--port: must set each subgraph\'s port once (got "events=2")'));
    assert.throws(() => parse(["events", "incidents", "--port", "4003"]), refused('--port: must be 0 (a free port for each) when several subgraphs share the process (got "4003")'));
  });
});
