import { regionCatalog, RegionRecord } from "../../subgraphs/kit/regions";
import { apportion, Prng, seedOf } from "./prng";

/** A regency (kabupaten or kota) with its districts and their villages, from the national region list. */
export interface Regency {
  code: string;
  name: string;
  provinceIndex: number;
  districts: Array<{ code: string; name: string; villages: Array<{ code: string; name: string }> }>;
  /** Relative size: how much of the national data lands here (skewed, as real regencies are). */
  weight: number;
}

export interface Geography {
  provinces: RegionRecord[];
  /** In code order, so each province's regencies (and their rows) form one contiguous block. */
  regencies: Regency[];
}

/** The 38 provinces and 514 regencies of idn-area-data, with deterministic skewed weights. */
export function nationalGeography(): Geography {
  const all = [...regionCatalog().values()];
  const provinces = all.filter((region) => region.level === "PROVINCE").sort((a, b) => a.code.localeCompare(b.code));
  const provinceIndex = new Map(provinces.map((province, index) => [province.code, index]));
  const villagesOf = new Map<string, Array<{ code: string; name: string }>>();
  const districtsOf = new Map<string, Regency["districts"]>();
  for (const region of all) {
    if (region.level !== "VILLAGE" || !region.parentCode) continue;
    const list = villagesOf.get(region.parentCode) ?? [];
    list.push({ code: region.code, name: region.name });
    villagesOf.set(region.parentCode, list);
  }
  for (const region of all) {
    if (region.level !== "DISTRICT" || !region.parentCode) continue;
    const list = districtsOf.get(region.parentCode) ?? [];
    list.push({ code: region.code, name: region.name, villages: villagesOf.get(region.code) ?? [] });
    districtsOf.set(region.parentCode, list);
  }
  const prng = new Prng(seedOf("regency-weights"));
  const regencies = all
    .filter((region) => region.level === "REGENCY")
    .sort((a, b) => a.code.localeCompare(b.code))
    .map((region) => {
      // Log-normal sizes: most regencies near the mean, a few (the big cities) four or five times it.
      const normal = prng.next() + prng.next() + prng.next() + prng.next() - 2;
      return {
        code: region.code,
        name: region.name,
        provinceIndex: provinceIndex.get(region.parentCode ?? "") ?? 0,
        districts: districtsOf.get(region.code) ?? [],
        weight: Math.exp(normal * 1.2),
      };
    });
  return { provinces, regencies };
}

/** Splits a national total over the regencies by weight. */
export function perRegency(geography: Geography, total: number): number[] {
  return apportion(total, geography.regencies.map((regency) => regency.weight));
}

/** A region code inside the regency: the regency itself, one of its districts, or a village. */
export function placeIn(prng: Prng, regency: Regency, levels: { regency: number; district: number; village: number }): { code: string; name: string } {
  const level = prng.weighted([["regency", levels.regency], ["district", levels.district], ["village", levels.village]] as const);
  if (level === "regency" || regency.districts.length === 0) return { code: regency.code, name: regency.name.replace(/^(Kabupaten|Kota) /, "") };
  const district = prng.pick(regency.districts);
  if (level === "district" || district.villages.length === 0) return district;
  return prng.pick(district.villages);
}

/** Contiguous id ranges per regency and per province, for rows inserted in regency order. */
export class IdRanges {
  readonly start: number[] = [];
  readonly count: number[];
  private readonly provinceStart = new Map<number, number>();
  private readonly provinceCount = new Map<number, number>();

  constructor(geography: Geography, counts: number[]) {
    this.count = counts;
    let next = 1;
    geography.regencies.forEach((regency, index) => {
      this.start[index] = next;
      if (!this.provinceStart.has(regency.provinceIndex)) this.provinceStart.set(regency.provinceIndex, next);
      this.provinceCount.set(regency.provinceIndex, (this.provinceCount.get(regency.provinceIndex) ?? 0) + counts[index]);
      next += counts[index];
    });
  }

  /** A random id of the regency; of its province when the regency has none (small scales). */
  pick(prng: Prng, regencyIndex: number, provinceIndex: number): number | null {
    if (this.count[regencyIndex] > 0) return this.start[regencyIndex] + prng.int(0, this.count[regencyIndex] - 1);
    const size = this.provinceCount.get(provinceIndex) ?? 0;
    return size > 0 ? this.provinceStart.get(provinceIndex)! + prng.int(0, size - 1) : null;
  }

  /** Up to k distinct ids of the province, starting at a random one and wrapping around. */
  distinctInProvince(prng: Prng, provinceIndex: number, k: number): number[] {
    const size = this.provinceCount.get(provinceIndex) ?? 0;
    if (size === 0) return [];
    const start = this.provinceStart.get(provinceIndex)!;
    const first = prng.int(0, size - 1);
    const step = size > 7 && size % 7 !== 0 ? 7 : 1; // spread picks a little; 7 is coprime to size, so all distinct
    return Array.from({ length: Math.min(k, size) }, (_, n) => start + ((first + n * step) % size));
  }
}
