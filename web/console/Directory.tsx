import { FormEvent, useState } from "react";
import { t } from "../i18n";
import { EnumSelect } from "./EnumSelect";
import { ListState, Pager, usePagedList } from "./paging";
import { href } from "./router";

export const ORGANIZATION_KINDS = ["ORMAS", "LSM", "AGENCY"];
export const ORGANIZATION_STATUSES = ["ACTIVE", "SUSPENDED", "DISSOLVED"];

const SEARCH = `query Directory($filter: OrganizationFilter, $first: Int, $after: String) {
  organizations(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id name acronym kind status region { code name } } }
  }
}`;

interface Row {
  id: string;
  name: string;
  acronym: string | null;
  kind: string;
  status: string;
  region: { code: string; name: string };
}

/** The directory's search form as typed ("" = any). */
interface Search {
  search: string;
  regionCode: string;
  kind: string;
  status: string;
}

/** Search by words of the name (OrganizationFilter.search), region, kind and status; a page at a time. */
export function Directory({ accessToken }: { accessToken: () => Promise<string | null> }) {
  const [form, setForm] = useState<Search>({ search: "", regionCode: "", kind: "", status: "" });
  const [applied, setApplied] = useState<Search>(form);
  // Only what is filled in: an empty search is no filter.
  const filter = Object.fromEntries(Object.entries(applied).filter(([, value]) => value.trim() !== ""));
  const paged = usePagedList<Row>(SEARCH, "organizations", { filter }, accessToken);
  const change = (key: keyof Search) => (value: string) => setForm({ ...form, [key]: value });
  function apply(event: FormEvent) {
    event.preventDefault();
    setApplied(form);
  }
  return (
    <section className="directory" aria-labelledby="directory-title">
      <h2 id="directory-title">{t("directory.title")}</h2>
      <form className="filters" role="search" onSubmit={apply}>
        <label>
          {t("directory.search")}
          <input name="search" type="search" value={form.search} onChange={(event) => change("search")(event.target.value)} />
        </label>
        <label>
          {t("list.region")}
          <input name="regionCode" value={form.regionCode} onChange={(event) => change("regionCode")(event.target.value)} />
        </label>
        <EnumSelect name="kind" section="organizationKind" label={t("directory.kind")} values={ORGANIZATION_KINDS} value={form.kind} onChange={change("kind")} />
        <EnumSelect name="status" section="organizationStatus" label={t("list.status")} values={ORGANIZATION_STATUSES} value={form.status} onChange={change("status")} />
        <button type="submit">{t("directory.find")}</button>
      </form>
      <ListState rows={paged.rows} empty={t("directory.empty")} />
      {paged.rows && paged.rows.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("directory.name")}</th>
              <th scope="col">{t("directory.kind")}</th>
              <th scope="col">{t("directory.region")}</th>
              <th scope="col">{t("list.status")}</th>
            </tr>
          </thead>
          <tbody>
            {paged.rows.map((row) => (
              <tr key={row.id}>
                <td>
                  <a href={href({ page: "organization", id: row.id })}>{row.name}</a>
                  {row.acronym && ` (${row.acronym})`}
                </td>
                <td>{t(`organizationKind.${row.kind}`)}</td>
                <td>{row.region.name}</td>
                <td>{t(`organizationStatus.${row.status}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager paged={paged} />
    </section>
  );
}
