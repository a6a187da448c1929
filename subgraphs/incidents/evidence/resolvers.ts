import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from "type-graphql";
import { callerOrganizationId, requireCaller, SubgraphContext } from "../../kit/context";
import { OrganizationRef, organizationRef } from "../../kit/references";
import { recordId } from "../../kit/validate";
import { IncidentReport } from "../entities";
import { lockedReport } from "../locked-report";
import { seesReporter } from "../resolvers";
import type { IncidentsContext } from "../state";
import { assertMayAttach, attachUploads } from "./attach";
import { Evidence } from "./entity";

/** The gateway's download path of an evidence file. */
export const downloadPath = (id: string) => `/evidence/${id}`;

/**
 * Evidence as served with its report: whether this caller may download it (callers who may see the reporter: a photo
 * can identify the whistleblower), and, when its uploader is the reporter, the region for the audit of `uploadedBy`
 * (or the uploader masked for those who may not see the reporter).
 */
type ShownEvidence = Evidence & { downloadable: boolean; reporterRegion?: string; maskUploader: boolean };

@Resolver(() => IncidentReport)
export class ReportEvidenceResolver {
  @FieldResolver(() => [Evidence], { description: "the evidence files attached, oldest first: their existence and hashes are shown with the report; only callers who may see the reporter get a downloadUrl" })
  async evidence(@Root() report: IncidentReport, @Ctx() { caller, loaders }: SubgraphContext): Promise<ShownEvidence[]> {
    const files = await loaders.manyBy(Evidence, "reportId").load(report.id);
    const sees = seesReporter(caller, report);
    return files
      .sort((a, b) => (a.attachedAt ?? "").localeCompare(b.attachedAt ?? "") || a.uploadedAt.localeCompare(b.uploadedAt))
      .map((file) => {
        const byReporter = file.uploadedByOrgId === report.reporterOrgId;
        return { ...file, downloadable: sees, maskUploader: byReporter && !sees, reporterRegion: byReporter && sees ? report.regionCode : undefined };
      });
  }
}

@Resolver(() => Evidence)
export class EvidenceResolver {
  @FieldResolver(() => OrganizationRef, { nullable: true, description: "the uploading organization; null when it is the reporter and the caller may not see the reporter" })
  uploadedBy(@Root() file: ShownEvidence, @Ctx() { disclosed }: SubgraphContext): OrganizationRef | null {
    if (file.maskUploader) return null;
    if (file.reporterRegion !== undefined && file.reportId !== null) disclosed.push({ reportId: String(file.reportId), regionCode: file.reporterRegion });
    return organizationRef(file.uploadedByOrgId);
  }

  @FieldResolver(() => String, { nullable: true, description: "GET this path on the gateway, with your bearer token, for the file (its SHA-256 re-checked); null for callers who may not download it" })
  downloadUrl(@Root() file: ShownEvidence): string | null {
    return file.downloadable ? downloadPath(file.id) : null;
  }
}

@Resolver()
export class EvidenceMutationResolver {
  /** Attaches an upload of the caller's organization to a report: by its reporter, or an AGENCY handling it. */
  @Authorized("AGENCY", "ORMAS")
  @Mutation(() => IncidentReport, { description: "attaches an upload (POST /evidence) to a report: by the reporting organization, or an AGENCY whose regions cover it; once, for good" })
  async attachEvidence(@Arg("reportId", () => ID) reportId: string, @Arg("evidenceId", () => ID) evidenceId: string, @Ctx() context: IncidentsContext): Promise<IncidentReport> {
    const caller = requireCaller(context);
    const byOrgId = callerOrganizationId(caller, "attachEvidence");
    const key = recordId("reportId", reportId);
    return context.storage.write(async (manager) => {
      const report = await lockedReport(manager, key, "reportId");
      assertMayAttach(caller, report, "reportId");
      await attachUploads(manager, report, [evidenceId], byOrgId, "evidenceId", new Date().toISOString());
      return report;
    });
  }
}
