import type { SubgraphDefinition } from "../kit/subgraph";
import { IncidentAlertSubscriptionResolver } from "./alert-subscription";
import { IncidentAlertResolver } from "./alerts-resolver";
import { IncidentAlert, IncidentReport, IncidentReportVersion, IncidentStatusChange } from "./entities";
import { IncidentChangeResolver } from "./changes";
import { EventIncidentsResolver, OrganizationIncidentsResolver } from "./extensions";
import { migrations } from "./migrations";
import { IncidentMutationResolver } from "./mutations";
import { IncidentsState, incidentsState } from "./state";
import { HandlingExtensionResolver, incidentReferences, IncidentReportResolver, IncidentReportVersionResolver, IncidentStatusChangeResolver } from "./resolvers";

/** Incident reports (laporan pelanggaran), their handling, and the alerts agencies watch. */
export const incidents: SubgraphDefinition<IncidentsState> = {
  name: "incidents",
  entities: [IncidentReport, IncidentStatusChange, IncidentReportVersion, IncidentAlert],
  migrations,
  resolvers: [
    IncidentReportResolver,
    IncidentStatusChangeResolver,
    IncidentMutationResolver,
    IncidentChangeResolver,
    IncidentReportVersionResolver,
    HandlingExtensionResolver,
    IncidentAlertResolver,
    IncidentAlertSubscriptionResolver,
    OrganizationIncidentsResolver,
    EventIncidentsResolver,
  ],
  references: incidentReferences,
  state: incidentsState,
};
