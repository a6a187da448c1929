import { Arg, Authorized, Ctx, FieldResolver, Int, Query, Resolver, Root } from "type-graphql";
import type { DataSource } from "typeorm";
import { ALERT_SUBSCRIBERS } from "../../caller/access";
import { requireCaller, SubgraphContext } from "../kit/context";
import { badInput } from "../../platform/errors";
import { AlertCriteria, AlertFilter, alertCriteria, formatSequence, parseSequence, whereAlertMatches } from "./alerts";
import { IncidentAlert, IncidentReport } from "./entities";
import { message } from "../../platform/i18n";

/** Longest replay page, and the page size when the client does not say. */
export const MAX_REPLAY = 500;
const DEFAULT_REPLAY = 100;

/**
 * Matching alerts after `afterSequence` (and up to `upTo`, when given), oldest first, at most `limit`: the
 * replay of Query.incidentAlerts and of a subscription catching up.
 */
export function replayAlerts(db: DataSource, criteria: AlertCriteria, afterSequence: number, limit: number, upTo?: number): Promise<IncidentAlert[]> {
  if (limit === 0 || criteria.regions.length === 0 || (upTo !== undefined && upTo <= afterSequence)) return Promise.resolve([]);
  const query = db.getRepository(IncidentAlert).createQueryBuilder("a").where("a.sequence > :afterSequence", { afterSequence });
  if (upTo !== undefined) query.andWhere("a.sequence <= :upTo", { upTo });
  whereAlertMatches(query, "a", criteria);
  return query.orderBy("a.sequence", "ASC").limit(limit).getMany();
}

/** The newest alert's sequence; 0 before the first. */
export async function maxSequence(db: DataSource): Promise<number> {
  const row = await db.getRepository(IncidentAlert).createQueryBuilder("a").select("MAX(a.sequence)", "max").getRawOne<{ max: number | string | null }>();
  return row?.max === null || row?.max === undefined ? 0 : Number(row.max);
}

@Resolver(() => IncidentAlert)
export class IncidentAlertResolver {
  @Authorized(...ALERT_SUBSCRIBERS)
  @Query(() => [IncidentAlert], { description: "Alerts after `after`, oldest first (at most 500), inside your token's regions only." })
  async incidentAlerts(
    @Ctx() context: SubgraphContext,
    @Arg("filter", () => AlertFilter, { nullable: true }) filter?: AlertFilter,
    @Arg("after", () => String, { nullable: true }) after?: string,
    @Arg("first", () => Int, { nullable: true }) first?: number,
  ): Promise<IncidentAlert[]> {
    const caller = requireCaller(context);
    const criteria = alertCriteria(filter, caller);
    const limit = first === undefined || first === null ? DEFAULT_REPLAY : first;
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_REPLAY) throw badInput("first", message("rule.wholeNumber", { min: 0, max: MAX_REPLAY }));
    const from = after === undefined || after === null ? 0 : parseSequence("after", after);
    return replayAlerts(context.db, criteria, from, limit);
  }

  @Authorized(...ALERT_SUBSCRIBERS)
  @Query(() => String, {
    nullable: true,
    description: "The newest alert's sequence (null before the first): subscribe with it as `after` to miss nothing from now on.",
  })
  async latestAlertSequence(@Ctx() { db }: SubgraphContext): Promise<string | null> {
    const head = await maxSequence(db);
    return head === 0 ? null : formatSequence(head);
  }

  @FieldResolver(() => String, { name: "sequence", description: "opaque, strictly increasing; pass it back as `after` to resume" })
  sequenceCursor(@Root() alert: IncidentAlert): string {
    return formatSequence(alert.sequence);
  }

  @FieldResolver(() => IncidentReport)
  async report(@Root() alert: IncidentAlert, @Ctx() { loaders }: SubgraphContext): Promise<IncidentReport | null> {
    return loaders.byId(IncidentReport).load(alert.reportId);
  }
}
