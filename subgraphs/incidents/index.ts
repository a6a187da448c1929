import type { SubgraphDefinition } from "../kit/subgraph";
import { IncidentAlertSubscriptionResolver } from "./alert-subscription";
import { IncidentAlertResolver } from "./alerts-resolver";
import { IncidentAlert, IncidentReport, IncidentStatusChange } from "./entities";
import { EventIncidentsResolver, OrganizationIncidentsResolver } from "./extensions";
import { migrations } from "./migrations";
import { IncidentMutationResolver } from "./mutations";
import { IncidentsState, incidentsState } from "./state";
import { incidentReferences, IncidentReportResolver, IncidentStatusChangeResolver } from "./resolvers";

/** Incident reports (laporan pelanggaran), their handling, and the alerts agencies watch. */
export const incidents: SubgraphDefinition<IncidentsState> = {
  name: "incidents",
  entities: [IncidentReport, IncidentStatusChange, IncidentAlert],
  migrations,
  resolvers: [
    IncidentReportResolver,
    IncidentStatusChangeResolver,
    IncidentMutationResolver,
    IncidentAlertResolver,
    IncidentAlertSubscriptionResolver,
    OrganizationIncidentsResolver,
    EventIncidentsResolver,
  ],
  references: incidentReferences,
  state: incidentsState,
};
