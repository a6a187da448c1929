import { ElectionOffice } from "./entities";
import type { ImportedElection } from "./import";

/*
 * The demo's KPU data for the Belitung Timur story, loaded by the demo loader only (launcher/demo.ts), never on
 * a production start. Offices, regions and the Pilkada 2024 calendar are real; every candidate name is invented
 * (never a real person).
 */

const PILKADA_2024 = { campaignStartsOn: "2024-09-25", campaignEndsOn: "2024-11-23", votingDay: "2024-11-27" };

export const DEMO_ELECTIONS: ImportedElection[] = [
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
