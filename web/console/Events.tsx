import { FormEvent, useState } from "react";
import { t } from "../i18n";
import { dayWindow, zoneOf } from "../shared/time-zone";
import { DayInputs } from "./DayInputs";
import { EnumSelect } from "./EnumSelect";
import { when } from "./format";
import { ListState, Pager, usePagedList } from "./paging";
import { href } from "./router";

export const EVENT_KINDS = ["SOCIALIZATION", "COACHING", "DECLARATION", "CAMPAIGN", "DEBATE", "MONITORING", "OTHER"];

const EVENTS = `query Events($filter: EventFilter, $first: Int, $after: String) {
  events(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id title kind startsAt region { code name } organizer { id name } attendeeCount } }
  }
}`;

interface Row {
  id: string;
  title: string;
  kind: string;
  startsAt: string;
  region: { code: string; name: string };
  organizer: { id: string; name: string };
  attendeeCount: number;
}

/** The event filter as typed: dates are calendar days ("2024-10-17") in the region's zone; "" = any. */
interface Search {
  regionCode: string;
  kind: string;
  from: string;
  to: string;
}

/** The form as the API's EventFilter: each day from its first to its last moment in the region's zone. */
function eventFilter(search: Search, homeRegion: string): Record<string, string> {
  return {
    ...(search.regionCode ? { regionCode: search.regionCode } : {}),
    ...(search.kind ? { kind: search.kind } : {}),
    ...dayWindow(search.from, search.to, zoneOf(search.regionCode || homeRegion)),
  };
}

/** Events by start time (EventFilter: region, kind, dates); each opens its page. */
export function Events({ accessToken, homeRegion }: { accessToken: () => Promise<string | null>; homeRegion: string }) {
  const [form, setForm] = useState<Search>({ regionCode: homeRegion, kind: "", from: "", to: "" });
  const [applied, setApplied] = useState<Search>(form);
  const paged = usePagedList<Row>(EVENTS, "events", { filter: eventFilter(applied, homeRegion) }, accessToken);
  const change = (key: keyof Search) => (value: string) => setForm({ ...form, [key]: value });
  function apply(event: FormEvent) {
    event.preventDefault();
    setApplied(form);
  }
  return (
    <section className="events" aria-labelledby="events-title">
      <h2 id="events-title">{t("events.title")}</h2>
      <form className="filters" onSubmit={apply}>
        <label>
          {t("list.region")}
          <input name="regionCode" value={form.regionCode} onChange={(event) => change("regionCode")(event.target.value)} />
        </label>
        <EnumSelect name="kind" section="eventKind" label={t("events.kind")} values={EVENT_KINDS} value={form.kind} onChange={change("kind")} />
        <DayInputs zone={zoneOf(form.regionCode || homeRegion)} from={form.from} to={form.to} onChange={(key, day) => change(key)(day)} />
        <button type="submit">{t("list.apply")}</button>
      </form>
      <ListState rows={paged.rows} empty={t("events.empty")} />
      {paged.rows && paged.rows.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("events.startsAt")}</th>
              <th scope="col">{t("events.event")}</th>
              <th scope="col">{t("events.kind")}</th>
              <th scope="col">{t("directory.region")}</th>
              <th scope="col">{t("events.organizer")}</th>
              <th scope="col">{t("events.attendees")}</th>
            </tr>
          </thead>
          <tbody>
            {paged.rows.map((row) => (
              <tr key={row.id}>
                <td>{when(row.startsAt, row.region.code)}</td>
                <td>
                  <a href={href({ page: "event", id: row.id })}>{row.title}</a>
                </td>
                <td>{t(`eventKind.${row.kind}`)}</td>
                <td>{row.region.name}</td>
                <td>
                  <a href={href({ page: "organization", id: row.organizer.id })}>{row.organizer.name}</a>
                </td>
                <td>{row.attendeeCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager paged={paged} />
    </section>
  );
}
