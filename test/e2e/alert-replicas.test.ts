import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startSubgraph, RunningSubgraph } from "../../subgraphs/kit/subgraph";
import { SUBGRAPHS } from "../../subgraphs";
import { RunningGateway, startGateway } from "../../gateway/server";
import { AlertCollector, alertClient } from "../support/alerts";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, backends, ormasOf, REDIS_URL, skipWithoutRedis, startTestHub, TestHub } from "../support/hub";

describe("alerts across replicas over Redis", async () => {
  // Production runs replicas on MySQL; SQLite only where no MySQL is reachable.
  const backend = (await backends()).includes("mysql") ? "mysql" : "sqlite";
 describe("two incidents instances, two gateways", { skip: await skipWithoutRedis() }, () => {
  let hub: TestHub;
  let ids: DemoIds;
  let secondIncidents: RunningSubgraph;
  let secondGateway: RunningGateway;
  before(async () => {
    hub = await startTestHub(backend, { REDIS_URL });
    ids = await loadDemoStory(hub);
    // A second incidents instance on the same database, and a second gateway that only knows that instance.
    const config = hub.hub.config;
    secondIncidents = await startSubgraph(SUBGRAPHS.incidents, config, { port: 0, host: "127.0.0.1" });
    secondGateway = await startGateway({ ...config, subgraphUrls: { ...config.subgraphUrls, incidents: secondIncidents.url } }, { port: 0, host: "127.0.0.1" });
  });
  after(async () => {
    await secondGateway.dispose();
    await secondIncidents.dispose();
    await hub.dispose();
  });

  test(`a report committed through one incidents instance reaches a subscriber of the other gateway (${backend})`, async () => {
    const client = alertClient(secondGateway.url, await hub.token(agencyOf(ids.org.bawaslu)));
    const screen = new AlertCollector(client);
    const deadline = Date.now() + 5000;
    while (secondGateway.subscriptions.stats().subscribers < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const titles: string[] = [];
    for (let n = 1; n <= 3; n++) {
      const title = `Hoaks lintas replika #${n}`;
      const { errors } = await hub.query(
        `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }`,
        { input: { category: "HOAX", channel: "MESSAGING", platform: "WhatsApp", title, description: "Pesan berantai.", occurredAt: "2024-11-21T08:00:00+07:00", regionCode: "19.06.01" } },
        ormasOf(ids.org.pemuda),
      );
      assert.equal(errors, undefined);
      titles.push(title);
    }
    await screen.count(3);
    assert.deepEqual(screen.alerts.map((alert) => alert.report.title), titles);
    assert.equal(screen.alerts[0].report.reporter?.name, "Perkumpulan Pemuda Peduli Manggar");
    screen.unsubscribe();
    await client.dispose();
  });
});
});
