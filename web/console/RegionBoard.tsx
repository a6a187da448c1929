import { useEffect, useState } from "react";
import { t } from "../i18n";
import { graphql } from "../shared/graphql";

const COUNTS = `query RegionBoard($regionCode: String!) { incidentCounts(regionCode: $regionCode) { region { code name } category count } }`;

interface Cell {
  region: { code: string; name: string };
  category: string;
  count: number;
}

/** Heat levels 0 (none) to 4 (the busiest cell), as CSS classes with readable text on each. */
const heat = (count: number, max: number) => (count === 0 ? 0 : Math.max(1, Math.ceil((count / max) * 4)));

/**
 * Open reports per child region (districts of a regency, regencies of a province) and category, as a grid heat map:
 * one row per region, one column per category that has reports, counted by the hub (incidentCounts).
 */
export function RegionBoard({ accessToken, regionCode, refreshKey }: { accessToken: () => Promise<string | null>; regionCode: string; refreshKey: number }) {
  const [cells, setCells] = useState<Cell[] | null>(null);

  useEffect(() => {
    if (!regionCode) return;
    let current = true;
    void (async () => {
      const { data } = await graphql<{ incidentCounts: Cell[] }>(COUNTS, { regionCode }, (await accessToken()) ?? undefined).catch(() => ({ data: null }));
      if (current) setCells(data?.incidentCounts ?? null);
    })();
    return () => {
      current = false;
    };
  }, [accessToken, regionCode, refreshKey]);

  const regions = [...new Map((cells ?? []).map((cell) => [cell.region.code, cell.region.name])).entries()];
  const categories = [...new Set((cells ?? []).map((cell) => cell.category))];
  const countOf = (code: string, category: string) => cells?.find((cell) => cell.region.code === code && cell.category === category)?.count ?? 0;
  const max = Math.max(1, ...(cells ?? []).map((cell) => cell.count));
  return (
    <section className="region-board" aria-labelledby="region-board-title">
      <h2 id="region-board-title">{t("regionBoard.title")}</h2>
      {cells === null && <p>{t("regionBoard.unavailable")}</p>}
      {cells?.length === 0 && <p>{t("regionBoard.empty")}</p>}
      {cells && cells.length > 0 && (
        <div className="scroll">
          <table>
            <caption>{t("regionBoard.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("regionBoard.region")}</th>
                {categories.map((category) => (
                  <th scope="col" key={category}>{t(`category.${category}`)}</th>
                ))}
                <th scope="col">{t("regionBoard.total")}</th>
              </tr>
            </thead>
            <tbody>
              {regions.map(([code, name]) => (
                <tr key={code} data-region={code}>
                  <th scope="row">{name}</th>
                  {categories.map((category) => {
                    const count = countOf(code, category);
                    return (
                      <td key={category} className={`heat heat-${heat(count, max)}`} data-category={category}>
                        {count}
                      </td>
                    );
                  })}
                  <td className="total">{categories.reduce((sum, category) => sum + countOf(code, category), 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
