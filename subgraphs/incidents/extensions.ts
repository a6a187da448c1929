import { Arg, Authorized, Ctx, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { actsFor } from "../../caller/access";
import { requireCaller } from "../kit/context";
import type { IncidentsContext } from "./state";
import { forbidden } from "../../platform/errors";
import { EventRef, idOrNull, OrganizationRef } from "../kit/references";
import { IncidentReport } from "./entities";
import { whereRegionWithinAny } from "../kit/filters";
import { INCIDENT_READERS, IncidentReportConnection, reportPage } from "./resolvers";
import { message } from "../../platform/i18n";

/** Organization.incidentReportsFiled: what an organization reported. */
@Resolver(() => OrganizationRef)
export class OrganizationIncidentsResolver {
  /**
   * For the organization itself (everything it filed) and for AGENCY callers, who see only the reports in
   * their regions: listing another region's reports by reporter would reveal reporters they may not see.
   */
  @FieldResolver(() => IncidentReportConnection, { description: "AGENCY callers (reports in their regions) or the organization itself" })
  async incidentReportsFiled(
    @Root() organization: OrganizationRef,
    @Ctx() context: IncidentsContext,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ) {
    const caller = requireCaller(context);
    const itself = actsFor(caller, organization.id);
    if (!itself && caller.role !== "AGENCY") {
      throw forbidden(message("access.incidentReportsFiled"));
    }
    const query = context.db.getRepository(IncidentReport).createQueryBuilder("r");
    query.where("r.reporterOrgId = :reporter", { reporter: idOrNull(organization.id) ?? -1 });
    if (!itself) whereRegionWithinAny(query, "r.regionCode", caller.regions);
    const page = await reportPage(context.state.reportLists, query, first, after);
    // Each report listed here is known to come from this organization: a reporter delivery, audited at the gateway.
    for (const { node } of page.edges) context.disclosed.push({ reportId: String(node.id), regionCode: node.regionCode });
    return page;
  }
}

/** Event.incidentReports: reports tied to an event, newest first. */
@Resolver(() => EventRef)
export class EventIncidentsResolver {
  @Authorized(...INCIDENT_READERS)
  @FieldResolver(() => IncidentReportConnection, { description: "reports tied to the event, newest first; withdrawn reports left out" })
  async incidentReports(
    @Root() event: EventRef,
    @Ctx() { db, state }: IncidentsContext,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ) {
    const query = db.getRepository(IncidentReport).createQueryBuilder("r").where("r.eventId = :eventId", { eventId: idOrNull(event.id) ?? -1 }).andWhere("r.withdrawnAt IS NULL");
    return reportPage(state.reportLists, query, first, after);
  }
}
