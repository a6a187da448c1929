import { FormEvent, useCallback, useEffect, useState } from "react";
import { ruleMessage, t } from "../i18n";
import { ApiError, graphql } from "../shared/graphql";
import { zoneOf } from "../shared/time-zone";
import { Countdown } from "./Countdown";
import { DayInputs } from "./DayInputs";
import { EnumSelect } from "./EnumSelect";
import { downloadCsv, Filter, incidentFilter } from "./export";
import { when } from "./format";
import { href } from "./router";

const CATEGORIES = ["BLACK_CAMPAIGN", "NEGATIVE_CAMPAIGN", "SARA_INSULT", "HOAX", "MONEY_POLITICS", "ASN_NEUTRALITY", "INTIMIDATION", "CAMPAIGN_PROPS", "VOTER_DATA", "OTHER"];
const STATUSES = ["RECEIVED", "UNDER_REVIEW", "VERIFIED", "FORWARDED", "RESOLVED", "DISMISSED"];
const SEVERITIES = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];

interface Row {
  id: string;
  title: string;
  category: string;
  severity: string;
  status: string;
  reportedAt: string;
  reportingDeadline: string;
  region: { code: string; name: string };
}

interface Detail extends Row {
  description: string;
  handlingDeadline: string | null;
  withdrawnAt: string | null;
  channel: string;
  platform: string | null;
  url: string | null;
  occurredAt: string;
  reporter: { id: string; name: string } | null;
  event: { id: string; title: string } | null;
  candidatePair: { ballotNumber: number; headCandidate: string; deputyCandidate: string } | null;
  history: Array<{ status: string; note: string | null; at: string; by: { name: string } | null }>;
}

const LIST = `query List($filter: IncidentFilter) { incidentReports(filter: $filter, first: 50) { totalCount edges { node { id title category severity status reportedAt reportingDeadline region { code name } } } } }`;
const DETAIL = `query Detail($id: ID!) { incidentReport(id: $id) {
  id title description category channel platform url severity status occurredAt reportedAt reportingDeadline handlingDeadline withdrawnAt
  region { code name } reporter { id name } event { id title } candidatePair { ballotNumber headCandidate deputyCandidate }
  history { status note at by { name } }
} }`;

/** The reporting deadline is met once the report is forwarded or closed; the handling deadline once closed (IncidentReport.overdue). */
const CLOSED = ["RESOLVED", "DISMISSED"];
const REPORTED_ON = ["FORWARDED", ...CLOSED];

const REVIEW = `mutation Review($id: ID!, $status: IncidentStatus!, $note: String) { reviewIncident(id: $id, status: $status, note: $note) { id status } }`;
const REVIEW_STATUSES = ["VERIFIED", "FORWARDED", "DISMISSED", "RESOLVED"];

/** The review workflow: a note and the next status; the hub refuses what this officer may not do, and says why. */
function Review({ id, accessToken, onReviewed }: { id: string; accessToken: () => Promise<string | null>; onReviewed: () => void }) {
  const [note, setNote] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  async function review(status: string) {
    const unavailable: ApiError[] = [{ message: t("signIn.unavailable") }];
    const { errors } = await graphql(REVIEW, { id, status, note: note || null }, (await accessToken()) ?? undefined).catch(() => ({ errors: unavailable }));
    const error = errors?.[0];
    setMessage(error ? (error.extensions?.rule ? ruleMessage(error.extensions.rule) : error.message) : t("review.done"));
    if (!error) {
      setNote("");
      onReviewed();
    }
  }
  return (
    <div className="review">
      <h3>{t("review.title")}</h3>
      <label>
        {t("review.note")}
        <textarea name="note" rows={2} value={note} onChange={(event) => setNote(event.target.value)} />
      </label>
      <div className="actions">
        {REVIEW_STATUSES.map((status) => (
          <button key={status} type="button" data-status-action={status} onClick={() => void review(status)}>
            {t(`review.${status}`)}
          </button>
        ))}
      </div>
      {message && <p role="status">{message}</p>}
    </div>
  );
}

export function IncidentDetail({ id, accessToken, onClose, onReviewed }: { id: string; accessToken: () => Promise<string | null>; onClose: () => void; onReviewed: () => void }) {
  const [detail, setDetail] = useState<Detail | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    void (async () => {
      const { data } = await graphql<{ incidentReport: Detail | null }>(DETAIL, { id }, (await accessToken()) ?? undefined);
      setDetail(data?.incidentReport ?? null);
    })();
  }, [id, accessToken, version]);
  if (!detail) return null;
  const late = Date.parse(detail.reportingDeadline) < Date.now() && !CLOSED.includes(detail.status);
  return (
    <section className="detail" aria-labelledby="detail-title">
      <h2 id="detail-title">#{detail.id} {detail.title}</h2>
      <p>
        {t(`category.${detail.category}`)} · {t(`severity.${detail.severity}`)} · {t(`status.${detail.status}`)} · {detail.region.name}
        {late && <strong className="late"> · {t("list.pastDeadline")}</strong>}
      </p>
      <p>{detail.description}</p>
      <p>
        {t(`channel.${detail.channel}`)}
        {detail.platform && ` · ${detail.platform}`}
        {detail.url && (
          <>
            {" · "}
            <a href={detail.url} rel="noreferrer noopener" target="_blank">{detail.url}</a>
          </>
        )}
      </p>
      <div className="deadlines">
        <Countdown
          kind="reporting"
          label={t("deadline.reporting")}
          deadline={detail.reportingDeadline}
          regionCode={detail.region.code}
          running={!detail.withdrawnAt && !REPORTED_ON.includes(detail.status)}
        />
        {detail.handlingDeadline && (
          <Countdown
            kind="handling"
            label={t("deadline.handling")}
            deadline={detail.handlingDeadline}
            regionCode={detail.region.code}
            running={!detail.withdrawnAt && !CLOSED.includes(detail.status)}
          />
        )}
      </div>
      {detail.reporter && (
        <p>
          {t("board.reporter")}: <a href={href({ page: "organization", id: detail.reporter.id })}>{detail.reporter.name}</a>
        </p>
      )}
      {detail.event && (
        <p>
          {t("board.event")}: <a href={href({ page: "event", id: detail.event.id })}>{detail.event.title}</a>
        </p>
      )}
      <h3>{t("list.history")}</h3>
      <ol className="history">
        {detail.history.map((change, index) => (
          <li key={index}>
            {when(change.at, detail.region.code)} · {t(`status.${change.status}`)}
            {change.by && ` · ${t("list.by", { org: change.by.name })}`}
            {change.note && ` · ${change.note}`}
          </li>
        ))}
      </ol>
      <Review id={detail.id} accessToken={accessToken} onReviewed={() => (setVersion((count) => count + 1), onReviewed())} />
      <button type="button" className="secondary" onClick={onClose}>{t("list.close")}</button>
    </section>
  );
}

/** Reports in the officer's regions with filters; a row opens its detail. */
export function Incidents({ accessToken, homeRegion, onOpen, refreshKey }: { accessToken: () => Promise<string | null>; homeRegion: string; onOpen: (id: string) => void; refreshKey: number }) {
  const [filter, setFilter] = useState<Filter>({ regionCode: homeRegion, category: "", status: "", minSeverity: "", from: "", to: "" });
  const [rows, setRows] = useState<Row[]>([]);
  const [total, setTotal] = useState(0);
  // The filter of the list on screen: the one the CSV export repeats.
  const [applied, setApplied] = useState<Filter>(filter);
  const [exportFailed, setExportFailed] = useState(false);

  const load = useCallback(
    async (current: Filter) => {
      setApplied(current);
      const variables = { filter: incidentFilter(current) };
      const { data } = await graphql<{ incidentReports: { totalCount: number; edges: Array<{ node: Row }> } }>(LIST, variables, (await accessToken()) ?? undefined).catch(() => ({ data: null }));
      setRows(data?.incidentReports.edges.map((edge) => edge.node) ?? []);
      setTotal(data?.incidentReports.totalCount ?? 0);
    },
    [accessToken],
  );

  useEffect(() => {
    void load(filter);
    // Reloaded when a new alert arrives (refreshKey), not on every keystroke in the filter.
  }, [load, refreshKey]);

  function apply(event: FormEvent) {
    event.preventDefault();
    void load(filter);
  }

  const change = (key: keyof Filter) => (value: string) => setFilter({ ...filter, [key]: value });
  return (
    <section className="incidents" aria-labelledby="list-title">
      <h2 id="list-title">
        {t("list.title")} ({total})
      </h2>
      <form className="filters" onSubmit={apply}>
        <label>
          {t("list.region")}
          <input name="regionCode" value={filter.regionCode} onChange={(event) => change("regionCode")(event.target.value)} />
        </label>
        <EnumSelect name="category" label={t("list.category")} values={CATEGORIES} value={filter.category} onChange={change("category")} />
        <EnumSelect name="status" label={t("list.status")} values={STATUSES} value={filter.status} onChange={change("status")} />
        <EnumSelect name="severity" label={t("list.severity")} values={SEVERITIES} value={filter.minSeverity} onChange={change("minSeverity")} />
        <DayInputs zone={zoneOf(filter.regionCode)} from={filter.from} to={filter.to} onChange={(key, day) => change(key)(day)} />
        <button type="submit">{t("list.apply")}</button>
        <button type="button" className="secondary" onClick={async () => setExportFailed(!(await downloadCsv(applied, await accessToken())))}>
          {t("list.exportCsv")}
        </button>
      </form>
      {exportFailed && <p role="alert">{t("list.exportFailed")}</p>}
      <table>
        <thead>
          <tr>
            <th>#</th>
            <th>{t("form.reportTitle")}</th>
            <th>{t("list.category")}</th>
            <th>{t("list.status")}</th>
            <th>{t("form.district")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              <td>{row.id}</td>
              <td>
                <button type="button" className="link" onClick={() => onOpen(row.id)}>{row.title}</button>
                {Date.parse(row.reportingDeadline) < Date.now() && !CLOSED.includes(row.status) && <span className="late"> {t("list.pastDeadline")}</span>}
              </td>
              <td>{t(`category.${row.category}`)}</td>
              <td>{t(`status.${row.status}`)}</td>
              <td>{row.region.name}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
