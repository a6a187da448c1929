import type { HubConfig } from "../../platform/config";
import { createPubSub, PubSub } from "../../platform/pubsub";
import type { SubgraphContext } from "../kit/context";
import { ListMemo } from "../kit/list-versions";
import type { Storage } from "../kit/storage";
import type { InstanceState } from "../kit/subgraph";
import { DeadlineClock } from "./deadline-clock";

/** What one running incidents instance keeps beside its database. */
export interface IncidentsState {
  /** Counts and page ids of report lists, reused until a report is filed or reviewed. */
  reportLists: ListMemo;
  /** The alert doorbell: Redis across replicas (REDIS_URL), in memory otherwise. */
  alerts: PubSub;
  /** Raises DEADLINE_NEAR while this replica holds the clock's lease; ticks every DEFAULT_TICK_MS. */
  deadlines: DeadlineClock;
}

export type IncidentsContext = SubgraphContext<IncidentsState>;

export async function incidentsState(storage: Storage, config: HubConfig): Promise<InstanceState<IncidentsState>> {
  const alerts = createPubSub(config.redisUrl);
  const deadlines = new DeadlineClock({ storage, alerts });
  const stopClock = deadlines.start();
  return {
    value: { reportLists: new ListMemo(storage.reader, "incident_reports"), alerts, deadlines },
    dispose: () => {
      stopClock();
      return alerts.close();
    },
  };
}
