import { Arg, Authorized, Ctx, Field, Int, ObjectType, Query, registerEnumType, Resolver } from "type-graphql";
import { badInput } from "../../platform/errors";
import type { SubgraphContext } from "../kit/context";
import { whereRegionWithinAny } from "../kit/filters";
import { RegionRef, regionRef } from "../kit/references";
import { regionInScope } from "../kit/validate";
import { IncidentCategory, IncidentReport, IncidentStatus } from "./entities";
import { INCIDENT_READERS } from "./resolvers";
import { message } from "../../platform/i18n";

/** The level the region board counts by. */
export enum RegionGrouping {
  REGENCY = "REGENCY",
  DISTRICT = "DISTRICT",
}
registerEnumType(RegionGrouping, { name: "RegionGrouping", description: "the level incidentCounts groups by: regencies and cities (kabupaten/kota) or districts (kecamatan)" });

/** Length of a region code at each level ("19" province, "19.06" regency, "19.06.01" district). */
const CODE_LENGTH = { PROVINCE: 2, REGENCY: 5, DISTRICT: 8 } as const;

/** A report is open until resolved or dismissed, and while it is not withdrawn. */
const CLOSED = [IncidentStatus.RESOLVED, IncidentStatus.DISMISSED];

@ObjectType({ description: "open reports of one category in one region (the region board's cell)" })
export class IncidentCount {
  @Field(() => RegionRef, { description: "the child region; a report filed for the asked region itself is counted under that region" })
  region: RegionRef;
  @Field(() => IncidentCategory) category: IncidentCategory;
  @Field(() => Int) count: number;
}

/**
 * The grouping asked for, or the level just below the region's; it must lie below the region's, except that a
 * district counts as itself by DISTRICT (villages are no level of the board), so a district officer has a board.
 */
function groupingOf(regionCode: string, groupBy: RegionGrouping | null | undefined): RegionGrouping {
  const grouping = groupBy ?? (regionCode.length < CODE_LENGTH.REGENCY ? RegionGrouping.REGENCY : RegionGrouping.DISTRICT);
  const districtItself = grouping === RegionGrouping.DISTRICT && regionCode.length === CODE_LENGTH.DISTRICT;
  if (!districtItself && CODE_LENGTH[grouping] <= regionCode.length) throw badInput("groupBy", message("rule.groupBelowRegion", { region: regionCode }));
  return grouping;
}

@Resolver()
export class IncidentCountResolver {
  /** Counted by the database (GROUP BY on an index of region, status and category), never by paging reports. */
  @Authorized(...INCIDENT_READERS)
  @Query(() => [IncidentCount], {
    description:
      "Open reports (not RESOLVED, DISMISSED or withdrawn) in regionCode, which must lie in your regions, counted per child region (default the level just below regionCode; a district is counted as itself) and category; only non-zero cells, by region code then category",
  })
  async incidentCounts(
    @Ctx() { db, caller }: SubgraphContext,
    @Arg("regionCode", () => String) regionCode: string,
    @Arg("groupBy", () => RegionGrouping, { nullable: true }) groupBy?: RegionGrouping | null,
  ): Promise<IncidentCount[]> {
    const code = regionInScope("regionCode", regionCode, caller);
    const length = CODE_LENGTH[groupingOf(code, groupBy)];
    const child = `SUBSTR(r.regionCode, 1, ${length})`;
    const query = db
      .getRepository(IncidentReport)
      .createQueryBuilder("r")
      .select(child, "child")
      .addSelect("r.category", "category")
      .addSelect("COUNT(*)", "count")
      .where("r.status NOT IN (:...closed)", { closed: CLOSED })
      .andWhere("r.withdrawnAt IS NULL")
      .groupBy(child)
      .addGroupBy("r.category")
      .orderBy(child)
      .addOrderBy("r.category");
    whereRegionWithinAny(query, "r.regionCode", [code]);
    const rows = await query.getRawMany<{ child: string; category: IncidentCategory; count: number | string }>();
    return rows.map((row) => Object.assign(new IncidentCount(), { region: regionRef(row.child), category: row.category, count: Number(row.count) }));
  }
}
