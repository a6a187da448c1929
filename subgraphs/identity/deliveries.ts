import { badInput } from "../../platform/errors";
import type { SubgraphContext } from "../kit/context";
import { audit } from "./audit";
import { AuditKind } from "./entities";

/*
 * POST /internal/reporter-deliveries, for the gateway only (subgraph secret; not in the graph): the gateway
 * records here, before an answer holding reports' reporters leaves it, who receives them. One REPORTER_DELIVERED
 * event per report, all in one transaction, committed before the gateway answers.
 */

interface DeliveryBatch {
  /** The token subject the answer goes to. */
  subject: string;
  clientAddress?: string;
  deliveries: Array<{ reportId: string; regionCode: string }>;
}

function isBatch(body: unknown): body is DeliveryBatch {
  const batch = body as Partial<DeliveryBatch> | null;
  return (
    typeof batch?.subject === "string" &&
    (batch.clientAddress === undefined || typeof batch.clientAddress === "string") &&
    Array.isArray(batch.deliveries) &&
    batch.deliveries.length <= 1000 &&
    batch.deliveries.every((item) => /^\d{1,15}$/.test(String(item?.reportId)) && /^[\d.]{2,13}$/.test(String(item?.regionCode)))
  );
}

export async function recordReporterDeliveries(body: unknown, context: SubgraphContext): Promise<{ recorded: number }> {
  if (!isBatch(body)) throw badInput("body", "must be {subject, clientAddress?, deliveries: [{reportId, regionCode}]} with at most 1000 deliveries");
  await context.storage.write(async (manager) => {
    for (const { reportId, regionCode } of body.deliveries) {
      await audit(manager, { kind: AuditKind.REPORTER_DELIVERED, delivery: { subject: body.subject, reportId: Number(reportId), regionCode }, clientAddress: body.clientAddress });
    }
  });
  return { recorded: body.deliveries.length };
}
