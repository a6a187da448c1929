import type { HubConfig } from "../../platform/config";
import { createPubSub, PubSub } from "../../platform/pubsub";
import type { SubgraphContext } from "../kit/context";
import { ListMemo } from "../kit/list-versions";
import type { Storage } from "../kit/storage";
import type { InstanceState } from "../kit/subgraph";
import { DeadlineClock } from "./deadline-clock";
import { startRetention } from "./evidence/retention";
import { EvidenceStore, openEvidenceStore } from "./evidence/store";
import { gauge } from "../../platform/metrics";

/** The alert buses of this process's incidents instances, read at each scrape. */
const buses = new Set<PubSub>();

/** kawal_subgraph_pubsub_live: 1 while every incidents instance's alert bus is linked (pushed alerts), 0 while one falls back to polling. */
function reportLinkState(bus: PubSub): () => void {
  gauge({
    name: "kawal_subgraph_pubsub_live",
    help: "1 while the alert bus link is live; 0 while alert streams fall back to polling the table",
    collect() {
      this.set([...buses].every((each) => each.isLive()) ? 1 : 0);
    },
  });
  buses.add(bus);
  return () => buses.delete(bus);
}

/** What one running incidents instance keeps beside its database. */
export interface IncidentsState {
  /** Counts and page ids of report lists, reused until a report is filed or reviewed. */
  reportLists: ListMemo;
  /** The alert doorbell: Redis across replicas (REDIS_URL), in memory otherwise. */
  alerts: PubSub;
  /** Raises DEADLINE_NEAR while this replica holds the clock's lease; ticks every DEFAULT_TICK_MS. */
  deadlines: DeadlineClock;
  /** Where evidence files are kept (KAWAL_EVIDENCE_S3_BUCKET, else `<dataDir>/evidence/`). */
  evidence: EvidenceStore;
}

export type IncidentsContext = SubgraphContext<IncidentsState>;

export async function incidentsState(storage: Storage, config: HubConfig): Promise<InstanceState<IncidentsState>> {
  const alerts = createPubSub(config.redisUrl);
  const deadlines = new DeadlineClock({ storage, alerts });
  const stopClock = deadlines.start();
  const evidence = openEvidenceStore(config);
  const stopRetention = startRetention(storage, evidence);
  const stopReporting = reportLinkState(alerts);
  return {
    value: { reportLists: new ListMemo(storage.reader, "incident_reports"), alerts, deadlines, evidence },
    dispose: async () => {
      stopClock();
      stopRetention();
      stopReporting();
      await alerts.close();
    },
  };
}
