import assert from "node:assert/strict";
import { test } from "node:test";
import { electionPhase, ElectionPhase } from "../../subgraphs/elections/calendar";

// Pilkada 2024: campaign 25 September to 23 November, quiet period 24 to 26 November, voting 27 November.
const PILKADA_2024 = { campaignStartsOn: "2024-09-25", campaignEndsOn: "2024-11-23", votingDay: "2024-11-27" };
const phaseAt = (iso: string) => electionPhase(PILKADA_2024, new Date(iso));

test("the campaign starts at midnight in Jakarta, not at midnight UTC", () => {
  assert.equal(phaseAt("2024-09-24T23:59:59+07:00"), ElectionPhase.BEFORE_CAMPAIGN);
  assert.equal(phaseAt("2024-09-25T00:00:00+07:00"), ElectionPhase.CAMPAIGN);
  assert.equal(phaseAt("2024-09-24T17:00:00Z"), ElectionPhase.CAMPAIGN, "17:00 UTC is already the 25th in Jakarta");
});

test("the quiet period (masa tenang) runs from 24 to 26 November", () => {
  assert.equal(phaseAt("2024-11-23T23:59:59+07:00"), ElectionPhase.CAMPAIGN);
  assert.equal(phaseAt("2024-11-24T00:00:00+07:00"), ElectionPhase.QUIET_PERIOD);
  assert.equal(phaseAt("2024-11-25T10:00:00+07:00"), ElectionPhase.QUIET_PERIOD);
  assert.equal(phaseAt("2024-11-26T23:59:59+07:00"), ElectionPhase.QUIET_PERIOD);
});

test("voting day is 27 November in Jakarta, then the election is over", () => {
  assert.equal(phaseAt("2024-11-26T17:00:00Z"), ElectionPhase.VOTING_DAY);
  assert.equal(phaseAt("2024-11-27T23:59:59+07:00"), ElectionPhase.VOTING_DAY);
  assert.equal(phaseAt("2024-11-28T00:00:00+07:00"), ElectionPhase.AFTER_VOTING);
});
