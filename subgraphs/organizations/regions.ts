import type { DataSource } from "typeorm";
import { regionCatalog } from "../kit/regions";
import { Region } from "./entities";

/**
 * Mirrors the national region list into the regions table, for reports written in SQL (the API serves
 * regions from the in-memory catalog). Loads it when rows are missing (first start, or a newer
 * idn-area-data). Inserts ignore rows already there, so a second start, or two replicas at once, load nothing twice.
 */
export async function loadRegions(db: DataSource): Promise<void> {
  const catalog = [...regionCatalog().values()];
  if ((await db.getRepository(Region).count()) >= catalog.length) return;
  await db.transaction(async (manager) => {
    for (let start = 0; start < catalog.length; start += 2000) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(Region)
        .values(catalog.slice(start, start + 2000))
        .orIgnore()
        .execute();
    }
  });
}
