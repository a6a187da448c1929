import { Field, InputType } from "type-graphql";
import { ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { Caller } from "../../caller/claims";
import { regionWithin } from "../../caller/access";
import { badInput } from "../../platform/errors";
import { regionCode } from "../kit/validate";
import { IncidentCategory, Severity } from "./entities";
import { whereRegionWithinAny } from "../kit/filters";
import { severitiesAtLeast } from "./severity";
import { message } from "../../platform/i18n";

/*
 * Which alerts a caller receives: one definition used as SQL conditions (replay from the alerts table)
 * and as an in-memory predicate (live alerts), so a resumed subscription and a live one never disagree.
 */

@InputType()
export class AlertFilter {
  @Field({ nullable: true, description: 'region prefix: "19" = the whole province, "19.06" = Belitung Timur' }) regionCode?: string;
  @Field(() => [IncidentCategory], {
    nullable: true,
    description: "default: every category but NEGATIVE_CAMPAIGN (lawful criticism on facts), at any severity; name categories to narrow it",
  })
  categories?: IncidentCategory[];
  @Field(() => Severity, { nullable: true }) minSeverity?: Severity;
}

/**
 * What agency apps watch when they do not say: every category but NEGATIVE_CAMPAIGN, which is lawful when
 * truthful; a serious report (an intimidation, money politics) must never go unseen for want of a filter.
 */
export const DEFAULT_ALERT_CATEGORIES: readonly IncidentCategory[] = Object.values(IncidentCategory).filter((category) => category !== IncidentCategory.NEGATIVE_CAMPAIGN);

/** A resolved filter: every list is explicit; an empty `regions` matches nothing. */
export interface AlertCriteria {
  regions: string[];
  categories: IncidentCategory[];
  severities: Severity[];
}

/** The fields of an alert the criteria look at (an IncidentAlert row has them). */
export interface AlertFacts {
  regionCode: string;
  category: IncidentCategory;
  severity: Severity;
}

/** A category list from a filter: absent gives `fallback`; an empty list is refused rather than guessed at. */
export function checkCategories(field: string, categories: IncidentCategory[] | null | undefined, fallback: readonly IncidentCategory[]): IncidentCategory[] {
  if (categories === null || categories === undefined) return [...fallback];
  if (categories.length === 0) throw badInput(field, message("rule.categoriesAtLeastOne"));
  return [...new Set(categories)];
}

/** The part of `code` (a filter's region) that lies inside the token's regions, as prefixes. */
export function regionsInScope(code: string | null | undefined, tokenRegions: readonly string[]): string[] {
  if (code === null || code === undefined) return [...tokenRegions];
  const scoped = new Set<string>();
  for (const prefix of tokenRegions) {
    if (regionWithin(code, [prefix])) scoped.add(code); // the filter is narrower than the token
    else if (regionWithin(prefix, [code])) scoped.add(prefix); // the token is narrower than the filter
  }
  return [...scoped];
}

/** The filter AND the caller's token regions: whatever the filter says, nothing outside the token's regions. */
export function alertCriteria(filter: AlertFilter | null | undefined, caller: Caller): AlertCriteria {
  const code = filter?.regionCode === null || filter?.regionCode === undefined ? undefined : regionCode("filter.regionCode", filter.regionCode);
  return {
    regions: regionsInScope(code, caller.regions),
    categories: checkCategories("filter.categories", filter?.categories, DEFAULT_ALERT_CATEGORIES),
    severities: severitiesAtLeast(filter?.minSeverity),
  };
}

/** In-memory form, for alerts as they are raised. */
export function alertMatches(alert: AlertFacts, criteria: AlertCriteria): boolean {
  return regionWithin(alert.regionCode, criteria.regions) && criteria.categories.includes(alert.category) && criteria.severities.includes(alert.severity);
}

/** SQL form, on a query over incident_alerts aliased `alias`. */
export function whereAlertMatches<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, alias: string, criteria: AlertCriteria): void {
  whereRegionWithinAny(query, `${alias}.regionCode`, criteria.regions);
  query.andWhere(`${alias}.category IN (:...alertCategories)`, { alertCategories: criteria.categories });
  query.andWhere(`${alias}.severity IN (:...alertSeverities)`, { alertSeverities: criteria.severities });
}

/** Sequences go out zero-padded, so they increase as text as well as numbers; clients treat them as opaque. */
export function formatSequence(sequence: number): string {
  return String(sequence).padStart(12, "0");
}

export function parseSequence(field: string, value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw badInput(field, message("rule.alertSequence"));
  return Number(value);
}
