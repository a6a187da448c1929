import { Directive, Field, ID, ObjectType } from "type-graphql";
import { findRegion } from "./regions";

/*
 * Entity types a subgraph refers to but does not own: only the key, resolved by the owning subgraph (and a
 * region's name, which every subgraph knows). One definition here, so no subgraph repeats another's stub.
 */

@ObjectType("Region")
@Directive('@key(fields: "code")')
export class RegionRef {
  @Field(() => ID) code: string;

  /**
   * Every process holds the national region list (kit/regions.ts), so a list's region names are answered
   * where the list is: an incident list reaches four subgraphs instead of five.
   */
  @Field()
  @Directive("@shareable")
  name: string;
}

@ObjectType("Organization")
@Directive('@key(fields: "id")')
export class OrganizationRef {
  @Field(() => ID) id: string;
}

@ObjectType("Election")
@Directive('@key(fields: "id")')
export class ElectionRef {
  @Field(() => ID) id: string;
}

@ObjectType("CandidatePair")
@Directive('@key(fields: "id")')
export class CandidatePairRef {
  @Field(() => ID) id: string;
}

@ObjectType("Event")
@Directive('@key(fields: "id")')
export class EventRef {
  @Field(() => ID) id: string;
}

/** The region of a stored code; every code was checked against the national list when it was written. */
export function regionRef(code: string): RegionRef {
  const region = findRegion(code);
  if (!region) throw new Error(`region ${code} is not in the national list`);
  return { code, name: region.name };
}

export const organizationRef = (id: number | string): OrganizationRef => ({ id: String(id) });
export const electionRef = (id: number | string): ElectionRef => ({ id: String(id) });
export const candidatePairRef = (id: number | string): CandidatePairRef => ({ id: String(id) });
export const eventRef = (id: number | string): EventRef => ({ id: String(id) });

/** An id as a number; null when it is not one of ours (so a lookup answers null, not an error). */
export function idOrNull(id: unknown): number | null {
  return typeof id === "string" && /^\d{1,15}$/.test(id) ? Number(id) : null;
}
