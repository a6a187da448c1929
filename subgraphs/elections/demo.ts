import type { DataSource } from "typeorm";
import { CandidatePair, Election, ElectionOffice } from "./entities";

/*
 * KPU master data for the Belitung Timur story. Offices, regions and the Pilkada 2024 calendar are real;
 * every candidate name is invented (never a real person).
 */

type Seed = Omit<Election, "id"> & { pairs: Array<Omit<CandidatePair, "id" | "electionId">> };

const PILKADA_2024 = { campaignStartsOn: "2024-09-25", campaignEndsOn: "2024-11-23", votingDay: "2024-11-27" };

const SEEDS: Seed[] = [
  {
    title: "Pilkada Bupati dan Wakil Bupati Belitung Timur 2024",
    office: ElectionOffice.REGENT,
    regionCode: "19.06",
    ...PILKADA_2024,
    pairs: [
      { ballotNumber: 1, headCandidate: "Ahmad Fiktif Santoso", deputyCandidate: "Rina Contoh Lestari" },
      { ballotNumber: 2, headCandidate: "Budi Rekaan Pratama", deputyCandidate: "Siti Khayalan Rahayu" },
      { ballotNumber: 3, headCandidate: "Yusuf Samaran Hidayat", deputyCandidate: "Dewi Andaian Putri" },
    ],
  },
  {
    title: "Pilkada Gubernur dan Wakil Gubernur Kepulauan Bangka Belitung 2024",
    office: ElectionOffice.GOVERNOR,
    regionCode: "19",
    ...PILKADA_2024,
    pairs: [
      { ballotNumber: 1, headCandidate: "Hendra Fiktif Wijaya", deputyCandidate: "Maya Contoh Anggraini" },
      { ballotNumber: 2, headCandidate: "Rudi Rekaan Saputra", deputyCandidate: "Lina Khayalan Kusuma" },
    ],
  },
];

/**
 * Loads the elections and their candidate pairs in one transaction when no election exists yet, so a
 * second start loads nothing. Two replicas starting at once: the loser hits the unique office index and
 * finds the winner's rows.
 */
export async function loadElections(db: DataSource): Promise<void> {
  if ((await db.getRepository(Election).count()) > 0) return;
  try {
    await db.transaction(async (manager) => {
      for (const { pairs, ...election } of SEEDS) {
        const saved = await manager.getRepository(Election).save(manager.getRepository(Election).create(election));
        await manager.getRepository(CandidatePair).insert(pairs.map((pair) => ({ ...pair, electionId: saved.id })));
      }
    });
  } catch (error) {
    if ((await db.getRepository(Election).count()) === 0) throw error;
  }
}
