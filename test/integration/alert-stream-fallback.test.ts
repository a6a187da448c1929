import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { incidents } from "../../subgraphs/incidents";
import { alertStream, publishAlert } from "../../subgraphs/incidents/alert-subscription";
import { alertCriteria } from "../../subgraphs/incidents/alerts";
import { AlertKind, IncidentAlert, IncidentCategory, IncidentChannel, IncidentReport, IncidentStatus, Severity } from "../../subgraphs/incidents/entities";
import { raiseAlert } from "../../subgraphs/incidents/raise";
import { FakeLinkBus } from "../support/fake-pubsub";
import { agencyOf } from "../support/hub";
import { startTestSubgraph, TestSubgraph } from "../support/subgraph";

/*
 * One alert stream of the incidents subgraph over a bus whose link the test cuts and restores: while the
 * broker is away the stream reads the alert table on its own, and when the broker is back it listens again,
 * with every alert once and in order. Each report rings the subgraph's bus (the fake one) after its commit, so
 * a report filed while the link is cut rings nobody, as with Redis down.
 */

const POLL_MS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a stream delivered so far, and how to stop reading it. */
interface Reader {
  sequences: number[];
  /** Resolves once `count` alerts arrived; rejects after `ms`. */
  count(count: number, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

function read(stream: AsyncIterableIterator<IncidentAlert>): Reader {
  const sequences: number[] = [];
  const done = (async () => {
    for await (const alert of stream) sequences.push(alert.sequence);
  })();
  return {
    sequences,
    async count(count, ms = 3000) {
      const deadline = Date.now() + ms;
      while (sequences.length < count) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} alerts, got ${JSON.stringify(sequences)}`);
        await sleep(10);
      }
    },
    async stop() {
      await stream.return?.();
      await done;
    },
  };
}

describe("an alert stream while its bus's link is down", () => {
  let subgraph: TestSubgraph;
  let bus: FakeLinkBus;
  let serial = 0;
  before(async () => {
    subgraph = await startTestSubgraph(incidents, "sqlite");
    bus = new FakeLinkBus();
  });
  after(() => subgraph.dispose());

  const criteria = () => alertCriteria(null, agencyOf("1"));
  const open = (pollIntervalMs = POLL_MS) => alertStream({ db: subgraph.running.db, pubsub: bus, criteria: criteria(), after: null, pollIntervalMs });

  /**
   * Commits a report and its alert, then rings the bus, as reportIncident does (the mutation itself would ask
   * the elections subgraph for the calendar, which this test does not run).
   */
  async function report(): Promise<void> {
    const now = new Date().toISOString();
    const alert = await subgraph.running.storage.write(async (manager) => {
      const reports = manager.getRepository(IncidentReport);
      const report = await reports.save(
        reports.create({ category: IncidentCategory.HOAX, channel: IncidentChannel.MESSAGING, platform: "WhatsApp", url: null, title: `Hoaks #${++serial}`, description: "Pesan berantai.", occurredAt: now, reportedAt: now, regionCode: "19.06.01", candidatePairId: null, eventId: null, reporterOrgId: 2, severity: Severity.MEDIUM, status: IncidentStatus.RECEIVED }),
      );
      return raiseAlert(manager, AlertKind.REPORTED, report, now);
    });
    publishAlert(bus, alert);
  }

  /** SQL statements the subgraph sends over `ms` with nobody writing. */
  async function statementsOver(ms: number): Promise<number> {
    const before = subgraph.statements();
    await sleep(ms);
    return subgraph.statements() - before;
  }

  test("reports filed while the link is cut arrive by reading the table, and none twice once it is back", async () => {
    const reader = read(await open());
    await report();
    await reader.count(1);
    bus.cut();
    await report();
    await report();
    await reader.count(3, 4 * POLL_MS);
    bus.restore();
    // What ioredis does after a reconnect: the bells it queued while Redis was away ring late.
    const [first, second, third] = reader.sequences;
    for (const sequence of [second, third]) await bus.publish("incident-alerts", { sequence, kind: "REPORTED", reportId: 0, raisedAt: "", regionCode: "19.06.01", category: "HOAX", severity: "LOW" });
    await report();
    await reader.count(4);
    await sleep(3 * POLL_MS);
    assert.deepEqual(reader.sequences, [first, first + 1, first + 2, first + 3]);
    await reader.stop();
  });

  test("a stream that starts while the link is down reads the table from the start, then listens once the link is back", async () => {
    bus.cut();
    const reader = read(await open());
    await report();
    await reader.count(1, 4 * POLL_MS);
    bus.restore();
    await report();
    await reader.count(2, 4 * POLL_MS);
    assert.equal(reader.sequences[1], reader.sequences[0] + 1);
    await reader.stop();
  });

  test("it reads the table only while the link is down, and never after the stream ended", async () => {
    const reader = read(await open());
    await reader.count(0);
    await sleep(POLL_MS); // the stream's first read (where "live from now" begins) is done
    assert.equal(await statementsOver(5 * POLL_MS), 0, "no statement while the link is live");
    bus.cut();
    assert.ok((await statementsOver(5 * POLL_MS)) >= 3, "about one statement per interval while it is down");
    bus.restore();
    await sleep(POLL_MS); // the one read that resyncs
    assert.equal(await statementsOver(5 * POLL_MS), 0, "no statement once the link is back");
    bus.cut();
    await reader.stop();
    assert.equal(bus.listeners, 0, "the stream left no listener on the bus");
    await sleep(POLL_MS); // a poll already running when the stream ended
    assert.equal(await statementsOver(5 * POLL_MS), 0, "no statement once the stream ended");
    bus.restore();
  });
});
