import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Query, Resolver, Root } from "type-graphql";
import { SelectQueryBuilder } from "typeorm";
import { MaybeCaller } from "../../caller/claims";
import { actsFor, isAgencyFor, mayRead } from "../../caller/access";
import { Connection, connectionType, keysetPage } from "../kit/connection";
import { SubgraphContext } from "../kit/context";
import type { IncidentsContext } from "./state";
import { filterByRegion, filterByTime } from "../kit/filters";
import { ListMemo } from "../kit/list-versions";
import { CandidatePairRef, candidatePairRef, EventRef, eventRef, OrganizationRef, organizationRef, RegionRef, regionRef } from "../kit/references";
import { checkCategories } from "./alerts";
import { inLocalTime } from "./deadline";
import { HandlingExtension, IncidentCategory, IncidentReport, IncidentReportVersion, IncidentStatus, IncidentStatusChange, Severity } from "./entities";
import { isOverdue, whereOverdue } from "./overdue";
import { severitiesAtLeast } from "./severity";

/** Who reads incident reports (the public does not): @Authorized(...INCIDENT_READERS). */
export const INCIDENT_READERS = ["AGENCY", "ORMAS", "scope:read:incidents"];

export const IncidentReportConnection = connectionType(IncidentReport, "IncidentReport");

@InputType()
class IncidentFilter {
  @Field({ nullable: true, description: 'region prefix: "19" = the province, "19.06" = Belitung Timur' }) regionCode?: string;
  @Field(() => [IncidentCategory], { nullable: true }) categories?: IncidentCategory[];
  @Field(() => IncidentStatus, { nullable: true }) status?: IncidentStatus;
  @Field(() => Severity, { nullable: true }) minSeverity?: Severity;
  @Field({ nullable: true, description: "true: only reports past a deadline that still matters (see IncidentReport.overdue); false: only the others; absent: both" })
  overdue?: boolean;
  @Field({ nullable: true, description: "true: withdrawn reports too (default false: a withdrawn report leaves the list)" })
  includeWithdrawn?: boolean;
  @Field({ nullable: true, description: "ISO date-time: reports that happened (occurredAt) at or after it" }) from?: string;
  @Field({ nullable: true, description: "ISO date-time: reports that happened (occurredAt) at or before it" }) to?: string;
}

/** One page of reports, newest first; every list of reports pages the same way, remembered in `lists`. */
export function reportPage(lists: ListMemo, query: SelectQueryBuilder<IncidentReport>, first?: number | null, after?: string | null): Promise<Connection<IncidentReport>> {
  return keysetPage(query, { property: "reportedAt", direction: "DESC" }, first, after, { list: lists });
}

/** Whistleblower protection: the reporter is known to agencies of the report's region and to itself. */
export function seesReporter(caller: MaybeCaller, report: IncidentReport): boolean {
  return isAgencyFor(caller, report.regionCode) || actsFor(caller, String(report.reporterOrgId));
}

@Resolver(() => IncidentReport)
export class IncidentReportResolver {
  @Authorized(...INCIDENT_READERS)
  @Query(() => IncidentReport, { nullable: true })
  async incidentReport(@Arg("id", () => ID) id: string, @Ctx() { loaders }: SubgraphContext): Promise<IncidentReport | null> {
    return loaders.find(IncidentReport, id);
  }

  @Authorized(...INCIDENT_READERS)
  @Query(() => IncidentReportConnection, { description: "Incident reports, newest first (by reportedAt)." })
  async incidentReports(
    @Ctx() { db, state }: IncidentsContext,
    @Arg("filter", () => IncidentFilter, { nullable: true }) filter?: IncidentFilter,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ) {
    const query = db.getRepository(IncidentReport).createQueryBuilder("r");
    filterByRegion(query, "r.regionCode", filter?.regionCode);
    if (filter?.categories !== undefined && filter.categories !== null) {
      query.andWhere("r.category IN (:...categories)", { categories: checkCategories("filter.categories", filter.categories, []) });
    }
    if (filter?.status) query.andWhere("r.status = :status", { status: filter.status });
    if (filter?.minSeverity) query.andWhere("r.severity IN (:...severities)", { severities: severitiesAtLeast(filter.minSeverity) });
    if (filter?.overdue !== undefined && filter.overdue !== null) whereOverdue(query, "r", filter.overdue, new Date().toISOString());
    if (!filter?.includeWithdrawn) query.andWhere("r.withdrawnAt IS NULL");
    filterByTime(query, "r.occurredAt", filter);
    return reportPage(state.reportLists, query, first, after);
  }

  @FieldResolver(() => String, {
    description:
      "the last moment Bawaslu can receive the report (UU 10/2016): 23:59:59 of the 7th calendar day after the day of discoveredAt, in the region's time (WIB, WITA or WIT), ISO 8601 with that offset",
  })
  reportingDeadline(@Root() report: IncidentReport): string {
    return inLocalTime(report.reportingDueAt, report.regionCode);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "set when an agency first moves the report past RECEIVED: 23:59:59 of the 3rd calendar day after (5th once extended), in the region's time, ISO 8601 with that offset",
  })
  handlingDeadline(@Root() report: IncidentReport): string | null {
    return report.handlingDueAt === null ? null : inLocalTime(report.handlingDueAt, report.regionCode);
  }

  @FieldResolver(() => HandlingExtension, { nullable: true, description: "the one extension of the handling deadline, with its reason; null until extended" })
  handlingExtension(@Root() report: IncidentReport): HandlingExtension | null {
    if (report.handlingExtendedAt === null || report.handlingExtensionReason === null) return null;
    return Object.assign(new HandlingExtension(), { at: report.handlingExtendedAt, reason: report.handlingExtensionReason, byOrgId: report.handlingExtendedByOrgId });
  }

  @FieldResolver(() => Boolean, {
    description: "past the reporting deadline while not yet FORWARDED, RESOLVED or DISMISSED, or past the handling deadline while not yet RESOLVED or DISMISSED; never once withdrawn",
  })
  overdue(@Root() report: IncidentReport): boolean {
    return isOverdue(report, new Date().toISOString());
  }

  /** The content as filed and after each correction and the withdrawal; for the region's agencies and the reporter. */
  @FieldResolver(() => [IncidentReportVersion], {
    nullable: true,
    description: "the report as filed, then after each correction and the withdrawal, oldest first; null for callers who may not see the reporter",
  })
  async versions(@Root() report: IncidentReport, @Ctx() { caller, loaders }: SubgraphContext): Promise<ShownVersion[] | null> {
    if (!seesReporter(caller, report)) return null;
    // Every version is the reporter's own: its `by` names the reporter, so it carries the region for the audit.
    const versions = await loaders.manyBy(IncidentReportVersion, "reportId").load(report.id);
    return versions.map((version) => ({ ...version, reporterRegion: report.regionCode }));
  }

  @FieldResolver(() => RegionRef)
  region(@Root() report: IncidentReport): RegionRef {
    return regionRef(report.regionCode);
  }

  @FieldResolver(() => CandidatePairRef, { nullable: true })
  candidatePair(@Root() report: IncidentReport): CandidatePairRef | null {
    return report.candidatePairId === null ? null : candidatePairRef(report.candidatePairId);
  }

  @FieldResolver(() => EventRef, { nullable: true })
  event(@Root() report: IncidentReport): EventRef | null {
    return report.eventId === null ? null : eventRef(report.eventId);
  }

  @FieldResolver(() => OrganizationRef, { nullable: true, description: "null for callers that may not see who reported (whistleblower protection)" })
  reporter(@Root() report: IncidentReport, @Ctx() { caller, disclosed }: SubgraphContext): OrganizationRef | null {
    if (!seesReporter(caller, report)) return null;
    // Listed for the gateway, which audits the delivery and never caches the answer.
    disclosed.push({ reportId: String(report.id), regionCode: report.regionCode });
    return organizationRef(report.reporterOrgId);
  }

  /**
   * Oldest first. Entries made by the reporter show `by: null` to callers who may not see the reporter; for
   * those who may, they carry the report's region, so that `by` lists the disclosure for the gateway's audit.
   */
  @FieldResolver(() => [IncidentStatusChange])
  async history(@Root() report: IncidentReport, @Ctx() { caller, loaders }: SubgraphContext): Promise<ShownStatusChange[]> {
    const changes = await loaders.manyBy(IncidentStatusChange, "reportId").load(report.id);
    const sees = seesReporter(caller, report);
    return changes.map((change) => (change.byOrgId !== report.reporterOrgId ? change : sees ? { ...change, reporterRegion: report.regionCode } : { ...change, byOrgId: null }));
  }
}

@Resolver(() => HandlingExtension)
export class HandlingExtensionResolver {
  @FieldResolver(() => OrganizationRef, { description: "the agency that extended it" })
  by(@Root() extension: HandlingExtension): OrganizationRef {
    return organizationRef(extension.byOrgId);
  }
}

@Resolver(() => IncidentReportVersion)
export class IncidentReportVersionResolver {
  @FieldResolver(() => [String], { description: 'the fields this version changed: [] for the report as filed, e.g. ["description", "url"]' })
  changed(@Root() version: IncidentReportVersion): string[] {
    return version.changed === "" ? [] : version.changed.split(",");
  }

  @FieldResolver(() => OrganizationRef)
  by(@Root() version: ShownVersion, @Ctx() { disclosed }: SubgraphContext): OrganizationRef {
    disclosed.push({ reportId: String(version.reportId), regionCode: version.reporterRegion });
    return organizationRef(version.byOrgId);
  }
}

/** A version as served, with its report's region for the audit of `by` (always the reporter). */
type ShownVersion = IncidentReportVersion & { reporterRegion: string };

/** A history entry as served: `reporterRegion` set when its `by` names the reporter to a caller who may see it. */
type ShownStatusChange = IncidentStatusChange & { reporterRegion?: string };

@Resolver(() => IncidentStatusChange)
export class IncidentStatusChangeResolver {
  @FieldResolver(() => OrganizationRef, { nullable: true })
  by(@Root() change: ShownStatusChange, @Ctx() { disclosed }: SubgraphContext): OrganizationRef | null {
    if (change.byOrgId === null) return null;
    if (change.reporterRegion !== undefined) disclosed.push({ reportId: String(change.reportId), regionCode: change.reporterRegion });
    return organizationRef(change.byOrgId);
  }
}

/** Reports referenced from query plans; readers only, like the root fields. */
export const incidentReferences = {
  IncidentReport: (reference: Record<string, unknown>, { caller, loaders }: SubgraphContext) => {
    return mayRead(caller, "read:incidents") ? loaders.find(IncidentReport, reference.id) : null;
  },
};
