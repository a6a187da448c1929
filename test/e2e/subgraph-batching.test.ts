import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { register } from "prom-client";
import { RunningGateway, startGateway } from "../../gateway/server";
import { DemoIds, loadDemoStory, MANGGAR } from "../support/demo";
import { agencyOf, startTestHub, TestHub } from "../support/hub";
import { postGraphQL } from "../../platform/graphql-fetch";

/** HTTP requests the gateways in this process have sent to `subgraph` so far. */
async function requestsTo(subgraph: string): Promise<number> {
  const metric = register.getSingleMetric("kawal_gateway_subgraph_fetches_total");
  const values = (await metric?.get())?.values ?? [];
  return values.filter((value) => value.labels.subgraph === subgraph).reduce((sum, value) => sum + value.value, 0);
}

describe("a gateway asks a subgraph once for what one screen needs of it at the same moment", () => {
  let hub: TestHub;
  let ids: DemoIds;
  let batching: RunningGateway;
  let oneByOne: RunningGateway;
  before(async () => {
    hub = await startTestHub();
    ids = await loadDemoStory(hub);
    // Both without the response cache, so every query reaches the subgraphs.
    batching = await startGateway({ ...hub.hub.config, responseCacheSeconds: 0, subgraphBatching: true }, { port: 0, host: "127.0.0.1" });
    oneByOne = await startGateway({ ...hub.hub.config, responseCacheSeconds: 0, subgraphBatching: false }, { port: 0, host: "127.0.0.1" });
  });
  after(async () => {
    await batching?.dispose();
    await oneByOne?.dispose();
    await hub?.dispose();
  });

  async function story(gateway: RunningGateway): Promise<{ answer: unknown; organizationsRequests: number }> {
    const before = await requestsTo("organizations");
    const token = await hub.token(agencyOf(ids.org.kesbangpol));
    const { status, ...answer } = await postGraphQL(gateway.url, MANGGAR, { id: ids.eventId }, token);
    assert.equal(status, 200);
    return { answer, organizationsRequests: (await requestsTo("organizations")) - before };
  }

  test("the Manggar story's look-ups of the event's region, organizer, speakers and participants reach organizations in one request, with the same answer", async () => {
    const together = await story(batching);
    const alone = await story(oneByOne);
    assert.deepEqual(together.answer, alone.answer);
    assert.equal((together.answer as { errors?: unknown }).errors, undefined);
    // One by one: region, organizer, speakers, participants, then the declaration's signatories.
    assert.equal(alone.organizationsRequests, 5);
    assert.equal(together.organizationsRequests, 2);
  });
});
