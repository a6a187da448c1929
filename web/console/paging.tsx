import { useEffect, useState } from "react";
import { t } from "../i18n";
import { graphql } from "../shared/graphql";

/** A Relay connection as the API answers lists. */
interface Connection<T> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ node: T }>;
}

export interface Paged<T> {
  /** undefined while the answer is awaited, null when the hub gave none. */
  rows: T[] | null | undefined;
  total: number;
  /** 1 for the first page. */
  page: number;
  hasNext: boolean;
  next(): void;
  previous(): void;
}

/**
 * One page at a time of the connection `field` that `query` reads with `variables` plus `first` and `after`.
 * The API pages forward only, so the cursors of the pages seen are kept for going back. New variables start
 * again at the first page.
 */
export function usePagedList<T>(query: string, field: string, variables: Record<string, unknown>, accessToken: () => Promise<string | null>, pageSize = 20): Paged<T> {
  const key = JSON.stringify(variables);
  // The cursors belong to the variables they were read with: other variables start at the first page.
  const [seen, setSeen] = useState<{ key: string; cursors: Array<string | null> }>({ key, cursors: [null] });
  const cursors = seen.key === key ? seen.cursors : [null];
  const setCursors = (next: Array<string | null>) => setSeen({ key, cursors: next });
  const [answer, setAnswer] = useState<Connection<T> | null | undefined>(undefined);
  const after = cursors[cursors.length - 1];
  useEffect(() => {
    let current = true;
    setAnswer(undefined);
    void (async () => {
      const { data } = await graphql<Record<string, Connection<T>>>(query, { ...variables, first: pageSize, after }, (await accessToken()) ?? undefined).catch(() => ({ data: null }));
      if (current) setAnswer(data?.[field] ?? null);
    })();
    return () => {
      current = false;
    };
    // `key` stands for `variables`, which callers build anew on every render.
  }, [query, field, key, after, accessToken, pageSize]);
  return {
    rows: answer && answer.edges.map((edge) => edge.node),
    total: answer?.totalCount ?? 0,
    page: cursors.length,
    hasNext: answer?.pageInfo.hasNextPage ?? false,
    next: () => answer?.pageInfo.endCursor && setCursors([...cursors, answer.pageInfo.endCursor]),
    previous: () => cursors.length > 1 && setCursors(cursors.slice(0, -1)),
  };
}

/** "Page 2 · 45 found" with the buttons to the pages before and after; nothing while all fits on one page. */
export function Pager({ paged }: { paged: Paged<unknown> }) {
  if (paged.page === 1 && !paged.hasNext) return null;
  return (
    <nav className="pager" aria-label={t("paging.label")}>
      <button type="button" className="secondary" disabled={paged.page === 1} onClick={paged.previous}>
        {t("paging.previous")}
      </button>
      <span>{t("paging.position", { page: paged.page, total: paged.total })}</span>
      <button type="button" className="secondary" disabled={!paged.hasNext} onClick={paged.next}>
        {t("paging.next")}
      </button>
    </nav>
  );
}

/** What a list shows instead of rows: loading, the hub's silence, or nothing found (`empty`). */
export function ListState({ rows, empty }: { rows: unknown[] | null | undefined; empty: string }) {
  if (rows === undefined) return <p role="status">{t("paging.loading")}</p>;
  if (rows === null) return <p role="alert">{t("paging.unavailable")}</p>;
  return rows.length === 0 ? <p>{empty}</p> : null;
}
