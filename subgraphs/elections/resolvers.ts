import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import type { SubgraphContext } from "../kit/context";
import { filterByRegion } from "../kit/filters";
import { RegionRef, regionRef } from "../kit/references";
import { referenceById } from "../kit/subgraph";
import { isoDateTime } from "../kit/validate";
import { ElectionPhase, electionPhase } from "./calendar";
import { CandidatePair, Election } from "./entities";

@Resolver(() => Election)
export class ElectionResolver {
  @Query(() => Election, { nullable: true })
  async election(@Arg("id", () => ID) id: string, @Ctx() { loaders }: SubgraphContext): Promise<Election | null> {
    return loaders.find(Election, id);
  }

  @Query(() => [Election], { description: 'Elections inside a region prefix ("19" = the province and its regencies), by voting day.' })
  async elections(
    @Ctx() { db }: SubgraphContext,
    @Arg("regionCode", () => String, { nullable: true }) code?: string,
  ): Promise<Election[]> {
    const query = db.getRepository(Election).createQueryBuilder("e");
    filterByRegion(query, "e.regionCode", code, "regionCode");
    return query.orderBy("e.votingDay", "ASC").addOrderBy("e.id", "ASC").getMany();
  }

  @FieldResolver(() => RegionRef)
  region(@Root() election: Election): RegionRef {
    return regionRef(election.regionCode);
  }

  @FieldResolver(() => ElectionPhase, { description: "The phase on the Jakarta calendar date of `at` (ISO date-time, default now)." })
  phase(@Root() election: Election, @Arg("at", () => String, { nullable: true }) at?: string): ElectionPhase {
    const instant = at === undefined || at === null ? new Date() : new Date(isoDateTime("at", at));
    return electionPhase(election, instant);
  }

  @FieldResolver(() => [CandidatePair], { description: "By ballot number (nomor urut)." })
  async candidatePairs(@Root() election: Election, @Ctx() { loaders }: SubgraphContext): Promise<CandidatePair[]> {
    const pairs = await loaders.manyBy(CandidatePair, "electionId").load(election.id);
    return [...pairs].sort((a, b) => a.ballotNumber - b.ballotNumber);
  }
}

@Resolver(() => CandidatePair)
export class CandidatePairResolver {
  @FieldResolver(() => Election)
  async election(@Root() pair: CandidatePair, @Ctx() { loaders }: SubgraphContext): Promise<Election | null> {
    return loaders.byId(Election).load(pair.electionId);
  }
}

/** Elections and candidate pairs referenced from events, declarations and incident reports. */
export const electionReferences = {
  Election: referenceById(Election),
  CandidatePair: referenceById(CandidatePair),
};
