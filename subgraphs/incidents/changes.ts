import { Arg, Authorized, Ctx, Field, ID, InputType, Mutation, Resolver } from "type-graphql";
import { callerOrganizationId, requireCaller } from "../kit/context";
import { badInput } from "../../platform/errors";
import { IDEMPOTENCY_KEY_DESCRIPTION, writeOnce } from "../kit/idempotency";
import { httpUrl, recordId, requiredText } from "../kit/validate";
import type { IncidentsContext } from "./state";
import { IncidentCategory, IncidentReport, IncidentStatus, ReportChangeKind } from "./entities";
import { handlingDeadline, HANDLING_EXTENSION_DAYS } from "./deadline";
import { assertAgencyFor, assertReporter, assertStanding, lockedReport, recordVersion } from "./locked-report";
import { message } from "../../platform/i18n";

/*
 * Changes to a filed report: the agency's one extension of its handling deadline, and the reporting
 * organization's corrections and withdrawal. Each is kept (versions, extension fields); none raises an alert.
 */

@InputType()
class CorrectIncidentInput {
  @Field(() => IncidentCategory, { nullable: true, description: "absent: unchanged" }) category?: IncidentCategory;
  @Field({ nullable: true, description: "absent: unchanged" }) description?: string;
  @Field({ nullable: true, description: 'http or https link; absent: unchanged; "" removes the link' }) url?: string;
  @Field({ nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION }) idempotencyKey?: string;
}

type Correction = Partial<Pick<IncidentReport, "category" | "description" | "url">>;

/** The fields a correction sets, checked; at least one. */
function checkCorrection(input: CorrectIncidentInput): Correction {
  const correction: Correction = {};
  if (input.category !== undefined && input.category !== null) correction.category = input.category;
  if (input.description !== undefined && input.description !== null) correction.description = requiredText("input.description", input.description, { max: 5000 });
  if (input.url !== undefined && input.url !== null) correction.url = httpUrl("input.url", input.url);
  if (Object.keys(correction).length === 0) throw badInput("input", message("rule.correctAtLeastOne", { fields: "category, description, url" }));
  return correction;
}

@Resolver()
export class IncidentChangeResolver {
  /** The agency handling a report extends its handling deadline once, by 2 days, saying why. */
  @Authorized("AGENCY")
  @Mutation(() => IncidentReport, { description: `AGENCY of the report's region: extends handlingDeadline once, by ${HANDLING_EXTENSION_DAYS} days, with the reason recorded` })
  async extendHandlingDeadline(@Arg("id", () => ID) id: string, @Arg("reason", () => String) reason: string, @Ctx() context: IncidentsContext): Promise<IncidentReport> {
    const caller = requireCaller(context);
    const byOrgId = callerOrganizationId(caller, "extendHandlingDeadline");
    const key = recordId("id", id);
    const why = requiredText("reason", reason, { max: 1000 });
    return context.storage.write(async (manager) => {
      const report = await lockedReport(manager, key);
      assertAgencyFor(caller, report, "extend the handling deadline of");
      assertStanding(report, "extended");
      if (report.handlingStartedAt === null) {
        throw badInput("id", message("rule.reportTakenUp", { id: report.id }));
      }
      if (report.handlingExtendedAt !== null) {
        throw badInput("id", message("rule.extendedOnce", { id: report.id, at: String(report.handlingExtendedAt) }));
      }
      if (report.status === IncidentStatus.RESOLVED || report.status === IncidentStatus.DISMISSED) {
        throw badInput("id", message("rule.reportBeingHandled", { id: report.id, status: report.status }));
      }
      const at = new Date().toISOString();
      const extended = {
        handlingExtendedAt: at,
        handlingExtensionReason: why,
        handlingExtendedByOrgId: byOrgId,
        handlingDueAt: handlingDeadline(report.handlingStartedAt, true, report.regionCode),
        // The extended deadline is a new one: its DEADLINE_NEAR is still to come.
        handlingWarnedAt: null,
      };
      await manager.getRepository(IncidentReport).update(report.id, extended);
      return Object.assign(report, extended);
    });
  }

  /** The reporting organization corrects its report while no agency has taken it up. */
  @Authorized("AGENCY", "ORMAS")
  @Mutation(() => IncidentReport, {
    description: "The reporting organization corrects description, category or url while the report is RECEIVED; the earlier version stays in `versions`. Raises no alert.",
  })
  async correctIncident(
    @Arg("id", () => ID) id: string,
    @Arg("input", () => CorrectIncidentInput) input: CorrectIncidentInput,
    @Ctx() context: IncidentsContext,
  ): Promise<IncidentReport> {
    const caller = requireCaller(context);
    const byOrgId = callerOrganizationId(caller, "correctIncident");
    const key = recordId("id", id);
    const { idempotencyKey, ...rest } = input;
    const { value } = await writeOnce(
      context,
      { mutation: "correctIncident", caller, key: idempotencyKey, field: "input.idempotencyKey", input: { id: key, ...rest } },
      {
        check: async () => checkCorrection(input),
        write: async (manager, correction) => {
          await context.state.reportLists.changed(manager);
          const report = await lockedReport(manager, key);
          assertReporter(caller, report, "correct");
          assertStanding(report, "corrected");
          if (report.status !== IncidentStatus.RECEIVED) {
            throw badInput("id", message("rule.reportStillReceived", { id: report.id, status: report.status }));
          }
          const changed = (Object.keys(correction) as Array<keyof Correction>).filter((field) => correction[field] !== report[field]);
          if (changed.length === 0) throw badInput("input", message("rule.changeSomething"));
          Object.assign(report, correction);
          await manager.getRepository(IncidentReport).update(report.id, correction);
          await recordVersion(manager, report, { kind: ReportChangeKind.CORRECTED, changed, reason: null, at: new Date().toISOString(), byOrgId });
          return report;
        },
        idOf: (report) => report.id,
        replay: (reportId) => context.db.getRepository(IncidentReport).findOneByOrFail({ id: reportId }),
      },
    );
    return value;
  }

  /** The reporting organization withdraws its report, with a reason; the report and its history stay. */
  @Authorized("AGENCY", "ORMAS")
  @Mutation(() => IncidentReport, {
    description: "The reporting organization withdraws its report with a reason: it keeps its history, shows withdrawnAt, leaves the default lists, raises no more alerts and takes no further review.",
  })
  async withdrawIncident(
    @Arg("id", () => ID) id: string,
    @Arg("reason", () => String) reason: string,
    @Ctx() context: IncidentsContext,
    @Arg("idempotencyKey", () => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION }) idempotencyKey?: string,
  ): Promise<IncidentReport> {
    const caller = requireCaller(context);
    const byOrgId = callerOrganizationId(caller, "withdrawIncident");
    const key = recordId("id", id);
    const { value } = await writeOnce(
      context,
      { mutation: "withdrawIncident", caller, key: idempotencyKey, field: "idempotencyKey", input: { id: key, reason } },
      {
        check: async () => requiredText("reason", reason, { max: 1000 }),
        write: async (manager, why) => {
          await context.state.reportLists.changed(manager);
          const report = await lockedReport(manager, key);
          assertReporter(caller, report, "withdraw");
          assertStanding(report, "withdrawn again");
          const at = new Date().toISOString();
          Object.assign(report, { withdrawnAt: at, withdrawalReason: why });
          await manager.getRepository(IncidentReport).update(report.id, { withdrawnAt: at, withdrawalReason: why });
          await recordVersion(manager, report, { kind: ReportChangeKind.WITHDRAWN, changed: ["withdrawnAt"], reason: why, at, byOrgId });
          return report;
        },
        idOf: (report) => report.id,
        replay: (reportId) => context.db.getRepository(IncidentReport).findOneByOrFail({ id: reportId }),
      },
    );
    return value;
  }
}
