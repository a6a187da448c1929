import { useEffect, useState } from "react";
import { t } from "../i18n";
import { graphql } from "../shared/graphql";

const COUNTS = `query RegionBoard($regionCode: String!, $code: ID!) { region(code: $code) { name } incidentCounts(regionCode: $regionCode) { region { code name } category count } }`;

interface Cell {
  region: { code: string; name: string };
  category: string;
  count: number;
}

/** Heat levels 0 (none) to 4 (the busiest cell), as CSS classes with readable text on each. */
const heat = (count: number, max: number) => (count === 0 ? 0 : Math.max(1, Math.ceil((count / max) * 4)));

/**
 * One of the officer's regions: open reports per child region (districts of a regency, regencies of a province)
 * and category, as a grid heat map: one row per child region, one column per category that has reports, counted
 * by the hub (incidentCounts).
 */
function RegionTable({ accessToken, regionCode, refreshKey }: { accessToken: () => Promise<string | null>; regionCode: string; refreshKey: number }) {
  const [answer, setAnswer] = useState<{ name: string; cells: Cell[] } | null | undefined>(undefined);

  useEffect(() => {
    let current = true;
    void (async () => {
      const { data } = await graphql<{ region: { name: string } | null; incidentCounts: Cell[] }>(COUNTS, { regionCode, code: regionCode }, (await accessToken()) ?? undefined).catch(() => ({ data: null }));
      if (current) setAnswer(data ? { name: data.region?.name ?? regionCode, cells: data.incidentCounts } : null);
    })();
    return () => {
      current = false;
    };
  }, [accessToken, regionCode, refreshKey]);

  const cells = answer?.cells ?? [];
  const regions = [...new Map(cells.map((cell) => [cell.region.code, cell.region.name])).entries()];
  const categories = [...new Set(cells.map((cell) => cell.category))];
  const countOf = (code: string, category: string) => cells.find((cell) => cell.region.code === code && cell.category === category)?.count ?? 0;
  const max = Math.max(1, ...cells.map((cell) => cell.count));
  const headingId = `region-board-${regionCode}`;
  return (
    <section aria-labelledby={headingId} data-board-region={regionCode}>
      <h3 id={headingId}>
        {answer?.name ?? regionCode} ({regionCode})
      </h3>
      {answer === null && <p>{t("regionBoard.unavailable")}</p>}
      {answer?.cells.length === 0 && <p>{t("regionBoard.empty")}</p>}
      {cells.length > 0 && (
        <div className="scroll">
          <table>
            <caption>{t("regionBoard.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("regionBoard.region")}</th>
                {categories.map((category) => (
                  <th scope="col" key={category}>
                    {t(`category.${category}`)}
                  </th>
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

/** The region board: one heat-map table for each of the officer's regions, refreshed with each alert. */
export function RegionBoard({ accessToken, regionCodes, refreshKey }: { accessToken: () => Promise<string | null>; regionCodes: string[]; refreshKey: number }) {
  return (
    <section className="region-board" aria-labelledby="region-board-title">
      <h2 id="region-board-title">{t("regionBoard.title")}</h2>
      {regionCodes.map((code) => (
        <RegionTable key={code} accessToken={accessToken} regionCode={code} refreshKey={refreshKey} />
      ))}
    </section>
  );
}
