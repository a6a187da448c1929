import { badInput } from "../../platform/errors";
import type { SubgraphPeers } from "../kit/lookups";
import { regionWithin } from "../../caller/access";
import { message } from "../../platform/i18n";

/**
 * How far back a report may reach: violations before the campaign happen too (candidate registration,
 * early money politics, civil-servant partisanship), so the window opens this many days before the
 * earliest campaign start of the elections covering the region.
 */
export const DAYS_BEFORE_CAMPAIGN = 180;
/** Where no election covers the region, reports reach back one year. */
export const DAYS_WITHOUT_ELECTION = 365;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Refuses an `occurredAt` older than the election calendar of the report's region allows. Asks the
 * elections subgraph for the elections of the province, keeping those whose region contains the report's.
 */
export async function assertWithinElectionCalendar(peers: SubgraphPeers, regionCode: string, occurredAt: string, now = Date.now()): Promise<void> {
  const province = regionCode.slice(0, 2);
  const { elections } = await peers.query<{ elections: Array<{ title: string; campaignStartsOn: string; region: { code: string } }> }>(
    "elections",
    "read the election calendar",
    `query ($province: String!) { elections(regionCode: $province) { title campaignStartsOn region { code } } }`,
    { province },
  );
  const covering = elections.filter((election) => regionWithin(regionCode, [election.region.code]));
  const occurred = Date.parse(occurredAt);
  if (covering.length === 0) {
    if (occurred < now - DAYS_WITHOUT_ELECTION * DAY_MS) {
      throw badInput("input.occurredAt", message("rule.occurredWithinDays", { days: DAYS_WITHOUT_ELECTION, region: regionCode }));
    }
    return;
  }
  const earliest = covering.reduce((first, election) => (election.campaignStartsOn < first.campaignStartsOn ? election : first));
  const opens = Date.parse(`${earliest.campaignStartsOn}T00:00:00+07:00`) - DAYS_BEFORE_CAMPAIGN * DAY_MS;
  if (occurred < opens) {
    throw badInput(
      "input.occurredAt",
      message("rule.occurredAfterCampaignOpens", { date: new Date(opens).toISOString().slice(0, 10), days: DAYS_BEFORE_CAMPAIGN, election: earliest.title }),
    );
  }
}
