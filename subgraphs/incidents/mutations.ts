import { Arg, Authorized, Ctx, Field, ID, InputType, Mutation, Resolver } from "type-graphql";
import { Caller } from "../../caller/claims";
import { callerOrganizationId, requireCaller, SubgraphContext } from "../kit/context";
import type { IncidentsContext } from "./state";
import { badInput } from "../../platform/errors";
import { IDEMPOTENCY_KEY_DESCRIPTION, writeOnce } from "../kit/idempotency";
import { assertEntitiesExist } from "../kit/lookups";
import { httpUrl, isoDateTime, optionalRecordId, optionalText, recordId, regionInScope, requiredText } from "../kit/validate";
import { AlertKind, IncidentAlert, IncidentCategory, IncidentChannel, IncidentReport, IncidentStatus, IncidentStatusChange, ReportChangeKind, Severity } from "./entities";
import { handlingDeadline, reportingDeadline } from "./deadline";
import { assertAgencyFor, assertStanding, lockedReport, recordVersion } from "./locked-report";
import { publishAlert } from "./alert-subscription";
import { assertWithinElectionCalendar } from "./calendar-window";
import { escalates, raiseAlert } from "./raise";
import { defaultSeverity } from "./severity";
import { attachUploads } from "./evidence/attach";
import { message } from "../../platform/i18n";

@InputType()
class ReportIncidentInput {
  @Field(() => IncidentCategory) category: IncidentCategory;
  @Field(() => IncidentChannel) channel: IncidentChannel;
  @Field({ nullable: true, description: '"Facebook", "TikTok", "WhatsApp", ...; only when channel is not PUBLIC_SPACE' }) platform?: string;
  @Field({ nullable: true, description: "link to the post, article or evidence (http or https)" }) url?: string;
  @Field() title: string;
  @Field() description: string;
  @Field({ description: "ISO date-time with a time zone, not in the future" }) occurredAt: string;
  @Field({
    nullable: true,
    description: "when the violation was known or discovered (diketahui dan/atau ditemukan), e.g. a post seen days later: ISO date-time with a time zone, not before occurredAt, not in the future; default occurredAt. reportingDeadline counts from it",
  })
  discoveredAt?: string;
  @Field() regionCode: string;
  @Field(() => ID, { nullable: true }) candidatePairId?: string;
  @Field(() => ID, { nullable: true }) eventId?: string;
  @Field(() => Severity, { nullable: true, description: "default by category: HIGH for black campaign, SARA and intimidation" }) severity?: Severity;
  @Field(() => [ID], { nullable: true, description: "uploads of your organization (POST /evidence) to attach at once, as attachEvidence would" })
  evidenceIds?: string[];
  @Field({ nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION }) idempotencyKey?: string;
}

/** Phones in the field run a little fast or slow; a minute of skew is not "the future". */
const CLOCK_SKEW_MS = 60_000;

/** What checkReport hands to the write. */
type CheckedReport = Pick<
  IncidentReport,
  "category" | "channel" | "platform" | "url" | "title" | "description" | "occurredAt" | "discoveredAt" | "regionCode" | "candidatePairId" | "eventId" | "severity"
>;

/** Not in the future (with CLOCK_SKEW_MS of leeway). */
function notInFuture(field: string, time: string): string {
  if (Date.parse(time) > Date.now() + CLOCK_SKEW_MS) throw badInput(field, message("rule.notInFuture"));
  return time;
}

/** When the violation became known: occurredAt when not given; never before it. */
function discoveryTime(value: string | null | undefined, occurredAt: string): string {
  if (value === null || value === undefined) return occurredAt;
  const discoveredAt = notInFuture("input.discoveredAt", isoDateTime("input.discoveredAt", value));
  if (discoveredAt < occurredAt) throw badInput("input.discoveredAt", message("rule.discoveredAfterOccurred", { occurredAt }));
  return discoveredAt;
}

/** Everything a new report needs, checked before anything is written. */
async function checkReport(input: ReportIncidentInput, caller: Caller, context: SubgraphContext): Promise<CheckedReport> {
  const platform = optionalText("input.platform", input.platform, { max: 50 });
  if (platform !== null && input.channel === IncidentChannel.PUBLIC_SPACE) throw badInput("input.platform", message("rule.platformEmptyForPublicSpace"));
  const occurredAt = notInFuture("input.occurredAt", isoDateTime("input.occurredAt", input.occurredAt));
  const discoveredAt = discoveryTime(input.discoveredAt, occurredAt);
  const candidatePairId = optionalRecordId("input.candidatePairId", input.candidatePairId);
  const eventId = optionalRecordId("input.eventId", input.eventId);
  const checked = {
    category: input.category,
    channel: input.channel,
    platform,
    url: httpUrl("input.url", input.url),
    title: requiredText("input.title", input.title, { max: 200 }),
    description: requiredText("input.description", input.description, { max: 5000 }),
    occurredAt,
    discoveredAt,
    regionCode: regionInScope("input.regionCode", input.regionCode, caller),
    candidatePairId,
    eventId,
    severity: input.severity ?? defaultSeverity(input.category),
  };
  await Promise.all([
    assertWithinElectionCalendar(context.peers, checked.regionCode, occurredAt),
    assertEntitiesExist(context.peers, "elections", "CandidatePair", candidatePairId === null ? [] : [{ field: "input.candidatePairId", id: String(candidatePairId) }]),
    assertEntitiesExist(context.peers, "events", "Event", eventId === null ? [] : [{ field: "input.eventId", id: String(eventId) }]),
  ]);
  return checked;
}

@Resolver()
export class IncidentMutationResolver {
  /** An ormas or agency reports a suspected violation in its regions; raises a REPORTED alert. */
  @Authorized("AGENCY", "ORMAS")
  @Mutation(() => IncidentReport)
  async reportIncident(@Arg("input", () => ReportIncidentInput) input: ReportIncidentInput, @Ctx() context: IncidentsContext): Promise<IncidentReport> {
    const caller = requireCaller(context);
    const reporterOrgId = callerOrganizationId(caller, "reportIncident");
    const { idempotencyKey, ...rest } = input;
    const { value, first } = await writeOnce(
      context,
      { mutation: "reportIncident", caller, key: idempotencyKey, field: "input.idempotencyKey", input: rest },
      {
        check: () => checkReport(input, caller, context),
        // Report, first history entry and alert commit together: an alert never points at a missing report,
        // and a report is never without its alert.
        write: async (manager, checked): Promise<{ report: IncidentReport; alert: IncidentAlert | null }> => {
          const reportedAt = new Date().toISOString();
          await context.state.reportLists.changed(manager);
          const reports = manager.getRepository(IncidentReport);
          const reportingDueAt = reportingDeadline(checked.discoveredAt, checked.regionCode);
          const report = await reports.save(reports.create({ ...checked, reportingDueAt, reporterOrgId, reportedAt, status: IncidentStatus.RECEIVED }));
          await manager.getRepository(IncidentStatusChange).insert({ reportId: report.id, status: IncidentStatus.RECEIVED, note: null, at: reportedAt, byOrgId: reporterOrgId });
          await recordVersion(manager, report, { kind: ReportChangeKind.FILED, changed: [], reason: null, at: reportedAt, byOrgId: reporterOrgId });
          await attachUploads(manager, report, input.evidenceIds ?? [], reporterOrgId, "input.evidenceIds", reportedAt);
          return { report, alert: await raiseAlert(manager, AlertKind.REPORTED, report, reportedAt) };
        },
        idOf: ({ report }) => report.id,
        replay: async (id) => ({ report: await context.db.getRepository(IncidentReport).findOneByOrFail({ id }), alert: null }),
      },
    );
    // Only after commit, and only for a new report: subscribers read the alert row, so it must be visible
    // when they hear of it; a repeat raised nothing.
    if (first && value.alert) publishAlert(context.state.alerts, value.alert);
    return value.report;
  }

  /**
   * An agency of the report's region records a review step; may raise an ESCALATED alert. The first step past
   * RECEIVED starts the handling clock (handlingDeadline). A withdrawn report takes no review.
   */
  @Authorized("AGENCY")
  @Mutation(() => IncidentReport)
  async reviewIncident(
    @Arg("id", () => ID) id: string,
    @Arg("status", () => IncidentStatus) status: IncidentStatus,
    @Ctx() context: IncidentsContext,
    @Arg("severity", () => Severity, { nullable: true }) severity?: Severity,
    @Arg("note", () => String, { nullable: true }) note?: string,
  ): Promise<IncidentReport> {
    const caller = requireCaller(context);
    const byOrgId = callerOrganizationId(caller, "reviewIncident");
    const key = recordId("id", id);
    const cleanNote = optionalText("note", note, { max: 1000 });
    const { report, alert } = await context.storage.write(async (manager) => {
      // Escalation is decided against the previous state, so the report is locked for the change.
      await context.state.reportLists.changed(manager);
      const report = await lockedReport(manager, key);
      assertAgencyFor(caller, report, "review");
      assertStanding(report, "reviewed");
      const before = { status: report.status, severity: report.severity };
      report.status = status;
      report.severity = severity ?? report.severity;
      const at = new Date().toISOString();
      if (report.handlingStartedAt === null && status !== IncidentStatus.RECEIVED) {
        report.handlingStartedAt = at;
        report.handlingDueAt = handlingDeadline(at, false, report.regionCode);
      }
      await manager
        .getRepository(IncidentReport)
        .update(report.id, { status: report.status, severity: report.severity, handlingStartedAt: report.handlingStartedAt, handlingDueAt: report.handlingDueAt });
      await manager.getRepository(IncidentStatusChange).insert({ reportId: report.id, status, note: cleanNote, at, byOrgId });
      const alert = escalates(before, report) ? await raiseAlert(manager, AlertKind.ESCALATED, report, at) : null;
      return { report, alert };
    });
    if (alert) publishAlert(context.state.alerts, alert);
    return report;
  }
}
