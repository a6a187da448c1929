import type { HubConfig } from "../../platform/config";
import { createPubSub, PubSub } from "../../platform/pubsub";
import type { SubgraphContext } from "../kit/context";
import { ListMemo } from "../kit/list-versions";
import type { Storage } from "../kit/storage";
import type { InstanceState } from "../kit/subgraph";

/** What one running incidents instance keeps beside its database. */
export interface IncidentsState {
  /** Counts and page ids of report lists, reused until a report is filed or reviewed. */
  reportLists: ListMemo;
  /** The alert doorbell: Redis across replicas (REDIS_URL), in memory otherwise. */
  alerts: PubSub;
}

export type IncidentsContext = SubgraphContext<IncidentsState>;

export async function incidentsState(storage: Storage, config: HubConfig): Promise<InstanceState<IncidentsState>> {
  const alerts = createPubSub(config.redisUrl);
  return { value: { reportLists: new ListMemo(storage.reader, "incident_reports"), alerts }, dispose: () => alerts.close() };
}
