import type { SubgraphDefinition } from "../kit/subgraph";
import { IncidentAlertSubscriptionResolver } from "./alert-subscription";
import { IncidentAlertResolver } from "./alerts-resolver";
import { IncidentAlert, IncidentReport, IncidentReportVersion, IncidentStatusChange } from "./entities";
import { IncidentChangeResolver } from "./changes";
import { IncidentCountResolver } from "./counts";
import { EventIncidentsResolver, OrganizationIncidentsResolver } from "./extensions";
import { migrations } from "./migrations";
import { Evidence } from "./evidence/entity";
import { EvidenceMutationResolver, EvidenceResolver, ReportEvidenceResolver } from "./evidence/resolvers";
import { evidenceRoutes } from "./evidence/routes";
import { IncidentMutationResolver } from "./mutations";
import { IncidentsState, incidentsState } from "./state";
import { HandlingExtensionResolver, incidentReferences, IncidentReportResolver, IncidentReportVersionResolver, IncidentStatusChangeResolver } from "./resolvers";

/** Incident reports (laporan pelanggaran), their handling, and the alerts agencies watch. */
export const incidents: SubgraphDefinition<IncidentsState> = {
  name: "incidents",
  entities: [IncidentReport, IncidentStatusChange, IncidentReportVersion, IncidentAlert, Evidence],
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
    ReportEvidenceResolver,
    EvidenceResolver,
    EvidenceMutationResolver,
    IncidentCountResolver,
  ],
  references: incidentReferences,
  state: incidentsState,
  // Evidence files: POST /internal/evidence (upload) and GET /internal/evidence/<id> (download), for the gateway.
  streamRoutes: evidenceRoutes,
};
