import { Arg, Authorized, Ctx, Field, ID, InputType, Int, Mutation, Resolver } from "type-graphql";
import { Caller } from "../../caller/claims";
import { isAgencyFor } from "../../caller/access";
import { badInput, forbidden, forbiddenInput, regionList } from "../../platform/errors";
import { callerOrganizationId, requireCaller, SubgraphContext } from "../kit/context";
import { isoDate, recordId, requiredText } from "../kit/validate";
import { CandidatePair, Election } from "./entities";
import { ballotNumber, calendarProblems } from "./import";
import { message } from "../../platform/i18n";

/*
 * Corrections of KPU data through the API, beside `npm run admin -- import-elections`: by AGENCY callers of KPU or
 * Kesbangpol whose regions cover the election. The same rules as the import apply.
 */

/** The agencies that keep election data. */
const ELECTION_KEEPERS = ["KPU", "KESBANGPOL"];

@InputType()
class CorrectElectionInput {
  @Field({ nullable: true, description: "absent: unchanged" }) title?: string;
  @Field({ nullable: true, description: "YYYY-MM-DD; absent: unchanged" }) campaignStartsOn?: string;
  @Field({ nullable: true, description: "YYYY-MM-DD; absent: unchanged" }) campaignEndsOn?: string;
  @Field({ nullable: true, description: "YYYY-MM-DD; absent: unchanged" }) votingDay?: string;
}

/**
 * The election `id`, if the caller may correct it: an AGENCY of KPU or Kesbangpol whose regions cover it. Checked
 * before the write's transaction (it asks the organizations subgraph); office and region never change.
 */
async function electionToCorrect(context: SubgraphContext, caller: Caller, id: number, field: string): Promise<Election> {
  const election = await context.db.getRepository(Election).findOneBy({ id });
  if (!election) throw badInput(field, message("rule.existingEntity", { typename: "Election", id }));
  if (!isAgencyFor(caller, election.regionCode)) {
    throw forbiddenInput(field, message("rule.electionInYourRegions", { region: election.regionCode, regions: regionList(caller.regions) }));
  }
  const organizationId = callerOrganizationId(caller, "correcting election data");
  const { organization } = await context.peers.query<{ organization: { agencyType: string | null } | null }>(
    "organizations",
    "check who keeps election data",
    `query ($id: ID!) { organization(id: $id) { agencyType } }`,
    { id: String(organizationId) },
  );
  if (!organization?.agencyType || !ELECTION_KEEPERS.includes(organization.agencyType)) {
    throw forbidden(message("access.electionCorrections"));
  }
  return election;
}

@Resolver()
export class ElectionAdminResolver {
  @Authorized("AGENCY")
  @Mutation(() => Election, { description: "KPU or Kesbangpol of the region corrects an election's title or calendar (campaign start < campaign end < quiet period < voting day)." })
  async correctElection(@Arg("id", () => ID) id: string, @Arg("input", () => CorrectElectionInput) input: CorrectElectionInput, @Ctx() context: SubgraphContext): Promise<Election> {
    const caller = requireCaller(context);
    const key = recordId("id", id);
    const given = {
      title: input.title === undefined || input.title === null ? undefined : requiredText("input.title", input.title, { max: 200 }),
      campaignStartsOn: input.campaignStartsOn ? isoDate("input.campaignStartsOn", input.campaignStartsOn) : undefined,
      campaignEndsOn: input.campaignEndsOn ? isoDate("input.campaignEndsOn", input.campaignEndsOn) : undefined,
      votingDay: input.votingDay ? isoDate("input.votingDay", input.votingDay) : undefined,
    };
    if (Object.values(given).every((value) => value === undefined)) throw badInput("input", message("rule.correctAtLeastOne", { fields: "title, campaignStartsOn, campaignEndsOn, votingDay" }));
    await electionToCorrect(context, caller, key, "id");
    return context.storage.write(async (manager) => {
      const election = await manager.getRepository(Election).findOneByOrFail({ id: key });
      const corrected = { ...election, ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) } as Election;
      const [problem] = calendarProblems(corrected.campaignStartsOn, corrected.campaignEndsOn, corrected.votingDay);
      if (problem) throw badInput(`input.${problem.field}`, problem.rule);
      const clash = await manager.getRepository(Election).findOneBy({ office: corrected.office, regionCode: corrected.regionCode, votingDay: corrected.votingDay });
      if (clash && clash.id !== election.id) throw badInput("input.votingDay", message("rule.votingDayClash", { office: corrected.office, region: corrected.regionCode, id: clash.id }));
      const { title, campaignStartsOn, campaignEndsOn, votingDay } = corrected;
      await manager.getRepository(Election).update(election.id, { title, campaignStartsOn, campaignEndsOn, votingDay });
      return corrected;
    });
  }

  @Authorized("AGENCY")
  @Mutation(() => CandidatePair, { description: "KPU or Kesbangpol of the region adds a candidate pair, or corrects the names of the pair with that ballot number." })
  async setCandidatePair(
    @Arg("electionId", () => ID) electionId: string,
    @Arg("ballotNumber", () => Int) ballot: number,
    @Arg("headCandidate", () => String) headCandidate: string,
    @Arg("deputyCandidate", () => String) deputyCandidate: string,
    @Ctx() context: SubgraphContext,
  ): Promise<CandidatePair> {
    const caller = requireCaller(context);
    const key = recordId("electionId", electionId);
    const names = { headCandidate: requiredText("headCandidate", headCandidate, { max: 120 }), deputyCandidate: requiredText("deputyCandidate", deputyCandidate, { max: 120 }) };
    const number = ballotNumber("ballotNumber", ballot);
    const election = await electionToCorrect(context, caller, key, "electionId");
    return context.storage.write(async (manager) => {
      const pairs = manager.getRepository(CandidatePair);
      const existing = await pairs.findOneBy({ electionId: election.id, ballotNumber: number });
      if (existing) {
        await pairs.update(existing.id, names);
        return Object.assign(existing, names);
      }
      return pairs.save(pairs.create({ electionId: election.id, ballotNumber: number, ...names }));
    });
  }
}
