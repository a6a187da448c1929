import type { IncomingMessage, ServerResponse } from "node:http";
import { once } from "node:events";
import { pipeline } from "node:stream/promises";
import type { GraphQLFormattedError } from "graphql";
import { stringify } from "csv-stringify";
import type { MaybeCaller } from "../caller/claims";
import { sendJson } from "../platform/http";
import { logger } from "../platform/logging";
import { TokenError, TokenVerifier } from "./auth";
import type { AuthRoutes } from "./auth-routes";
import { inLanguage, languageOf, Message, message, render, said } from "../platform/i18n";

const log = logger("export");

/*
 * GET /export/incidents.csv: the incident list as a spreadsheet, beside /graphql. The query string is the
 * `incidentReports` filter; the bearer token is verified as for GraphQL. Every page is an operation run through the
 * gateway's own GraphQL execution (its plugins included), so the access rules, the whistleblower rule and the
 * reporter audit apply to each page exactly as they do to the API: the reporter cell is filled only where the API
 * answers it, and each page's reporters are audited before the page is written. Pages stream until the list ends.
 * Errors before the first byte answer {"error": {"code", "message", "parameter"?}}; a later failure cuts the download.
 */

/** One page of the export, run as the caller with the caller's address (for the audit and the rate limits). */
export type ExportExecutor = (
  request: { query: string; operationName: string; variables: Record<string, unknown> },
  caller: MaybeCaller,
  clientAddress: string | undefined,
) => Promise<{ data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] }>;

export interface ExportRoutesOptions {
  verifier: TokenVerifier;
  execute: ExportExecutor;
  /** Reports per page (and per audit batch). Default 100, the API's largest page. */
  pageSize?: number;
}

export const EXPORT_PATH = "/export/incidents.csv";

const PAGE = `query IncidentExport($filter: IncidentFilter, $first: Int, $after: String) {
  incidentReports(filter: $filter, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      id reportedAt occurredAt discoveredAt category channel platform url title description severity status
      reportingDeadline handlingDeadline overdue region { code name } reporter { name }
    } }
  }
}`;

interface ExportedReport {
  id: string;
  reportedAt: string;
  occurredAt: string;
  discoveredAt: string;
  category: string;
  channel: string;
  platform: string | null;
  url: string | null;
  title: string;
  description: string;
  severity: string;
  status: string;
  reportingDeadline: string;
  handlingDeadline: string | null;
  overdue: boolean;
  region: { code: string; name: string };
  reporter: { name: string } | null;
}

interface ExportPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ node: ExportedReport }>;
}

/** The columns, in order: header and cell. `reporter` is empty where the caller may not see who reported. */
const COLUMNS: Array<[string, (report: ExportedReport) => string | boolean | null]> = [
  ["id", (r) => r.id],
  ["reportedAt", (r) => r.reportedAt],
  ["occurredAt", (r) => r.occurredAt],
  ["discoveredAt", (r) => r.discoveredAt],
  ["category", (r) => r.category],
  ["channel", (r) => r.channel],
  ["platform", (r) => r.platform],
  ["url", (r) => r.url],
  ["title", (r) => r.title],
  ["description", (r) => r.description],
  ["severity", (r) => r.severity],
  ["status", (r) => r.status],
  ["regionCode", (r) => r.region.code],
  ["regionName", (r) => r.region.name],
  ["reportingDeadline", (r) => r.reportingDeadline],
  ["handlingDeadline", (r) => r.handlingDeadline],
  ["overdue", (r) => r.overdue],
  ["reporter", (r) => r.reporter?.name ?? null],
];

/**
 * A cell a spreadsheet program would run as a formula (text from volunteers starting with =, +, -, @, a tab or a
 * carriage return: CSV injection) is kept as text by a leading apostrophe, as OWASP advises.
 */
export function inertCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The query-string parameters, each onto its IncidentFilter field. `category` may repeat or be comma-separated. */
const PARAMETERS = ["regionCode", "category", "status", "minSeverity", "overdue", "includeWithdrawn", "from", "to"] as const;
const FILTER_FIELD: Record<string, (typeof PARAMETERS)[number]> = {
  regionCode: "regionCode",
  categories: "category",
  status: "status",
  minSeverity: "minSeverity",
  overdue: "overdue",
  includeWithdrawn: "includeWithdrawn",
  from: "from",
  to: "to",
};

class BadParameter extends Error {
  constructor(
    readonly parameter: string,
    readonly text: Message,
  ) {
    super(render(text));
  }
}

function booleanParameter(name: string, value: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw new BadParameter(name, message("export.booleanParameter", { name, value }));
}

/** The IncidentFilter of a query string; enum values are checked by the API (and named back by `refusal`). */
export function filterOf(search: URLSearchParams): Record<string, unknown> {
  for (const name of search.keys()) {
    if (!(PARAMETERS as readonly string[]).includes(name)) throw new BadParameter(name, message("export.unknownParameter", { name, parameters: PARAMETERS.join(", ") }));
  }
  for (const name of PARAMETERS) {
    if (name !== "category" && search.getAll(name).length > 1) throw new BadParameter(name, message("export.parameterOnce", { name }));
  }
  const filter: Record<string, unknown> = {};
  const single = (name: string) => search.get(name) ?? undefined;
  // Passed as given: the API checks them and names them back (`filter.from` becomes the parameter `from`).
  for (const name of ["regionCode", "status", "minSeverity", "from", "to"]) {
    if (single(name) !== undefined) filter[name] = single(name);
  }
  if (search.has("category")) filter.categories = search.getAll("category").flatMap((value) => value.split(",")).filter((value) => value !== "");
  const overdue = single("overdue");
  if (overdue !== undefined) filter.overdue = booleanParameter("overdue", overdue);
  const withdrawn = single("includeWithdrawn");
  if (withdrawn !== undefined) filter.includeWithdrawn = booleanParameter("includeWithdrawn", withdrawn);
  return filter;
}

/** The query-string parameter an API error is about, from its `field` ("filter.status") or a coercion message (`at "filter.status"`). */
function parameterOf(error: GraphQLFormattedError): string | undefined {
  const field = typeof error.extensions?.field === "string" ? error.extensions.field : /at "filter\.(\w+)/.exec(error.message)?.[0].slice(4);
  const name = field?.replace(/^"?filter\./, "").split(/[.[]/)[0];
  return name === undefined ? undefined : FILTER_FIELD[name];
}

/** An API refusal as the export's own: its HTTP status, and the parameter it names. */
function refusal(errors: readonly GraphQLFormattedError[]): { status: number; body: Record<string, unknown> } {
  const [error] = errors;
  const code = typeof error.extensions?.code === "string" ? error.extensions.code : "INTERNAL_SERVER_ERROR";
  const parameter = parameterOf(error);
  const status = { BAD_USER_INPUT: 400, GRAPHQL_VALIDATION_FAILED: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, RATE_LIMITED: 429, STORAGE_UNAVAILABLE: 503 }[code] ?? 502;
  const message = parameter ? `${parameter}: ${error.message}` : error.message;
  return { status, body: { error: { code, message, ...(parameter ? { parameter } : {}) } } };
}

class PageRefused extends Error {
  constructor(readonly errors: readonly GraphQLFormattedError[]) {
    super(errors[0]?.message ?? "no data");
  }
}

export function createExportRoutes(options: ExportRoutesOptions): AuthRoutes {
  const pageSize = options.pageSize ?? 100;
  const urlOf = (req: IncomingMessage) => new URL(req.url ?? "/", "http://localhost");

  async function page(caller: MaybeCaller, req: IncomingMessage, filter: Record<string, unknown>, after: string | null): Promise<ExportPage> {
    const result = await options.execute({ query: PAGE, operationName: "IncidentExport", variables: { filter, first: pageSize, after } }, caller, req.socket.remoteAddress);
    const list = result.data?.incidentReports as ExportPage | undefined;
    if (result.errors?.length || !list) throw new PageRefused(result.errors ?? []);
    return list;
  }

  return {
    matches: (req) => urlOf(req).pathname === EXPORT_PATH,
    // In the request's language (Accept-Language): the refusals, and the API's own errors they pass on.
    handle: (req, res) => inLanguage(languageOf(req.headers["accept-language"]), () => handle(req, res)),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "GET") {
      res.setHeader("allow", "GET");
      return sendJson(res, 405, { error: { code: "METHOD_NOT_ALLOWED", message: said(message("http.method", { path: EXPORT_PATH, method: "GET" })) } });
    }
    let caller: MaybeCaller;
    let filter: Record<string, unknown>;
    let first: ExportPage;
    try {
      caller = await options.verifier.verifyHeader(req.headers.authorization);
      filter = filterOf(urlOf(req).searchParams);
      // The first page before any byte: a refusal (bad filter, not allowed) is still a proper status.
      first = await page(caller, req, filter, null);
    } catch (error) {
      if (error instanceof TokenError) {
        res.setHeader("www-authenticate", "Bearer");
        return sendJson(res, 401, { error: { code: "UNAUTHENTICATED", message: said(error.text) } });
      }
      if (error instanceof BadParameter) return sendJson(res, 400, { error: { code: "BAD_USER_INPUT", message: said(error.text), parameter: error.parameter } });
      if (error instanceof PageRefused && error.errors.length > 0) {
        const { status, body } = refusal(error.errors);
        return sendJson(res, status, body);
      }
      log.error({ err: error }, "export refused before its first page");
      return sendJson(res, 502, { error: { code: "UPSTREAM_UNAVAILABLE", message: said(message("export.unavailable")) } });
    }
    const stamp = new Date().toISOString().slice(0, 10);
    res.writeHead(200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="laporan-${stamp}.csv"`,
      "cache-control": "no-store",
    });
    // The BOM tells spreadsheet programs the file is UTF-8 (names such as "Kecamatan Manggar" with diacritics).
    const csv = stringify({ bom: true, header: true, columns: COLUMNS.map(([header]) => header), cast: { boolean: (value) => String(value), string: inertCell } });
    const writing = pipeline(csv, res);
    // A slow client holds the next page back rather than filling memory.
    const write = async (list: ExportPage) => {
      for (const { node } of list.edges) csv.write(COLUMNS.map(([, cell]) => cell(node) ?? ""));
      if (csv.writableNeedDrain) await once(csv, "drain");
    };
    try {
      await write(first);
      let current = first;
      while (current.pageInfo.hasNextPage && current.pageInfo.endCursor) {
        current = await page(caller, req, filter, current.pageInfo.endCursor);
        await write(current);
        if (res.destroyed) break;
      }
      csv.end();
      await writing;
    } catch (error) {
      // Headers are gone: a cut download (no final newline) rather than a file that looks complete.
      log.error({ err: error }, "export cut off after its first page");
      csv.destroy();
      res.destroy();
    }
  }
}
