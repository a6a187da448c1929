import { badInput } from "../../platform/errors";
import { AuditKind } from "./entities";
import type { SubgraphContext } from "../kit/context";
import type { IdentityState } from "./state";
import { message } from "../../platform/i18n";

/*
 * POST /internal/reporter-deliveries, for the gateway only (subgraph secret; not in the graph): before an answer
 * holding reports' reporters leaves the gateway (or as a live alert goes to its subscribers), the gateway records
 * here who receives which report. One REPORTER_DELIVERED event per delivery, committed before the gateway answers;
 * deliveries that arrive while another batch commits share the next transaction (kit/group-commit.ts).
 */

/** Deliveries in one request at most: a live alert to many subscribers comes in several. */
export const MAX_DELIVERIES = 500;

interface Delivery {
  /** The token subject the answer goes to. */
  subject: string;
  reportId: string;
  regionCode: string;
  clientAddress?: string;
}

function isDelivery(item: unknown): item is Delivery {
  const delivery = item as Partial<Delivery> | null;
  return (
    typeof delivery?.subject === "string" &&
    /^\d{1,15}$/.test(String(delivery.reportId)) &&
    /^[\d.]{2,13}$/.test(String(delivery.regionCode)) &&
    (delivery.clientAddress === undefined || typeof delivery.clientAddress === "string")
  );
}

export async function recordReporterDeliveries(body: unknown, context: SubgraphContext): Promise<{ recorded: number }> {
  const deliveries = (body as { deliveries?: unknown } | null)?.deliveries;
  if (!Array.isArray(deliveries) || deliveries.length > MAX_DELIVERIES || !deliveries.every(isDelivery)) {
    throw badInput("deliveries", message("rule.deliveriesAtMost", { max: MAX_DELIVERIES }));
  }
  await (context.state as IdentityState).deliveries.add(
    deliveries.map(({ subject, reportId, regionCode, clientAddress }) => ({ kind: AuditKind.REPORTER_DELIVERED, delivery: { subject, reportId: Number(reportId), regionCode }, clientAddress })),
  );
  return { recorded: deliveries.length };
}
