import http, { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import busboy from "busboy";
import { CLIENT_ADDRESS_HEADER, Caller, subgraphHeaders } from "../caller/claims";
import { DISCLOSED_HEADER, disclosureList } from "../caller/disclosures";
import { sendJson } from "../platform/http";
import { TokenError, TokenVerifier } from "./auth";
import type { AuthRoutes } from "./auth-routes";
import type { RateLimiter } from "./rate-limit";
import type { DeliveryRecorder } from "./reporter-audit";
import { logger } from "../platform/logging";
import { currentLanguage, inLanguage, languageOf, localizeErrorBody, Message, message, render, said } from "../platform/i18n";

const log = logger("evidence");

/*
 * Evidence files over plain HTTP, beside GraphQL:
 *   POST /evidence      multipart/form-data with one file field named "file" -> 201 {id, contentType, size, sha256, ...};
 *                       an Idempotency-Key header makes a retry answer the first upload's evidence, stored once
 *   GET  /evidence/<id> the file, to callers who may see the report's reporter
 * The bearer token is verified as for GraphQL; the file streams (never whole in memory) with the caller's claims and
 * the subgraph secret to the incidents subgraph, which checks, hashes and stores it (subgraphs/incidents/evidence/).
 * A download is a delivery of whistleblower data: it is audited, like the `reporter` field, before a byte is sent.
 * Errors answer {"error": {"code", "message", "rule"}}.
 */

export interface EvidenceRoutesOptions {
  /** The incidents subgraph's GraphQL URL; its evidence routes are beside it. */
  incidentsUrl: string;
  subgraphSecret: string;
  verifier: TokenVerifier;
  /** Records downloads in the reporter audit; rejects when they were not stored. */
  recordDeliveries: DeliveryRecorder;
  /** The gateway's rate limiter: an upload counts as one mutation of its caller. Unset: no limit. */
  limiter?: RateLimiter;
}

/** The multipart field that carries the file. */
export const FILE_FIELD = "file";

/** The client's key for its upload, passed on to the incidents subgraph, which keeps it with the evidence. */
const IDEMPOTENCY_HEADER = "idempotency-key";

/** The form ended inside the file, or the client went away: nothing is stored. */
class CutOff extends Error {}

/** The subgraph had the whole file and went away before answering: it may or may not have stored it. */
class AnswerLost extends Error {}

/** A form the gateway refuses itself (no file, another field, more than one part). */
class Refused extends Error {
  constructor(
    readonly status: number,
    readonly text: Message,
    readonly rule: string,
  ) {
    super(render(text));
  }
}

/** The JSON refusal, in the request's language. */
function fail(res: ServerResponse, status: number, code: string, text: Message, rule?: string, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  sendJson(res, status, { error: { code, message: said(text), ...(rule ? { rule } : {}) } });
}

/** Answers, then stops reading what the client still sends. */
function failAndClose(req: IncomingMessage, res: ServerResponse, status: number, code: string, text: Message, rule?: string): void {
  if (res.headersSent) return void res.destroy();
  res.setHeader("connection", "close");
  fail(res, status, code, text, rule);
  res.once("finish", () => req.destroy());
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

interface Answer {
  status: number;
  body: string;
}

/**
 * Streams `file` to the subgraph and resolves with its answer. A file stream that fails (the form ended inside the
 * file) or `signal` (the client went away) destroys the request to the subgraph, which then stores nothing.
 */
function forwardUpload(file: Readable, target: URL, headers: Record<string, string>, signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const upstream = http.request(target, { method: "POST", headers: { ...headers, "content-type": "application/octet-stream" }, signal });
    let sent = false;
    upstream.once("finish", () => (sent = true));
    const lost = (error: unknown) => reject(sent ? new AnswerLost("the answer was lost", { cause: error }) : error);
    upstream.once("response", (response) => readAll(response).then((body) => resolve({ status: response.statusCode ?? 502, body }), lost));
    // `on`, not `once`: a subgraph that refused early closes its end while the rest of the file is still being written.
    upstream.on("error", lost);
    file.on("error", (error) => {
      upstream.destroy(error);
      reject(new CutOff());
    });
    file.pipe(upstream);
  });
}


export function createEvidenceRoutes(options: EvidenceRoutesOptions): AuthRoutes {
  const uploadTarget = new URL("/internal/evidence", options.incidentsUrl);
  const pathOf = (req: IncomingMessage) => new URL(req.url ?? "/", "http://localhost").pathname;

  /** The verified caller, or an answer already sent (401). */
  async function callerOf(req: IncomingMessage, res: ServerResponse): Promise<Caller | null> {
    try {
      const caller = await options.verifier.verifyHeader(req.headers.authorization);
      if (caller) return caller;
      failAndClose(req, res, 401, "UNAUTHENTICATED", message("evidence.signIn"));
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      res.setHeader("www-authenticate", "Bearer");
      failAndClose(req, res, 401, "UNAUTHENTICATED", error.text);
    }
    return null;
  }

  function headersFor(req: IncomingMessage, caller: Caller): Record<string, string> {
    return { ...subgraphHeaders(options.subgraphSecret, caller), [CLIENT_ADDRESS_HEADER]: req.socket.remoteAddress ?? "" };
  }

  function uploadHeaders(req: IncomingMessage, caller: Caller): Record<string, string> {
    const key = req.headers[IDEMPOTENCY_HEADER];
    return { ...headersFor(req, caller), ...(key === undefined ? {} : { [IDEMPOTENCY_HEADER]: String(key) }) };
  }

  async function upload(req: IncomingMessage, res: ServerResponse, caller: Caller): Promise<void> {
    if (options.limiter) {
      const decision = await options.limiter.hit(`sub:${caller.sub}`, 1);
      if (!decision.allowed) {
        res.setHeader("retry-after", String(decision.retryAfterSeconds));
        return failAndClose(req, res, 429, "RATE_LIMITED", message("evidence.rateLimited", { seconds: decision.retryAfterSeconds }));
      }
    }
    let form: busboy.Busboy;
    try {
      form = busboy({ headers: req.headers, limits: { files: 1, fields: 0 } });
    } catch {
      return failAndClose(req, res, 415, "BAD_USER_INPUT", message("evidence.multipart", { field: FILE_FIELD }), "multipart/form-data");
    }
    // A client that goes away mid-upload: the form never ends, so the request to the subgraph is cut here.
    const gone = new AbortController();
    req.once("close", () => req.complete || gone.abort());
    const answered = new Promise<Answer>((resolve, reject) => {
      let sawFile = false;
      form.on("file", (name, file) => {
        sawFile = true;
        if (name !== FILE_FIELD) {
          file.resume();
          return reject(new Refused(400, message("evidence.fileField", { field: FILE_FIELD, name }), "file field"));
        }
        forwardUpload(file, uploadTarget, uploadHeaders(req, caller), gone.signal).then(resolve, reject);
      });
      const onlyOne = () => reject(new Refused(400, message("evidence.oneFile", { field: FILE_FIELD }), "one file"));
      form.on("filesLimit", onlyOne);
      form.on("fieldsLimit", onlyOne);
      form.on("close", () => sawFile || reject(new Refused(400, message("evidence.noFile", { field: FILE_FIELD }), "file field")));
      form.on("error", () => reject(new CutOff()));
      gone.signal.addEventListener("abort", () => reject(new CutOff()));
    });
    req.pipe(form);
    try {
      const { status, body: sent } = await answered;
      // The incidents subgraph's refusal, in the request's language.
      const body = status >= 400 ? localizeErrorBody(sent, currentLanguage()) : sent;
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body), ...(status >= 400 ? { connection: "close" } : {}) });
      res.end(body);
      if (status >= 400) res.once("finish", () => req.destroy());
    } catch (error) {
      if (error instanceof Refused) return failAndClose(req, res, error.status, "BAD_USER_INPUT", error.text, error.rule);
      if (error instanceof CutOff) return failAndClose(req, res, 400, "BAD_USER_INPUT", message("evidence.cutOff"), "cut off");
      if (error instanceof AnswerLost) {
        log.warn({ err: error.cause }, "upload: the incidents subgraph went away before answering");
        return failAndClose(req, res, 502, "OUTCOME_UNKNOWN", message("evidence.answerLost"));
      }
      log.error({ err: error }, "upload: the incidents subgraph could not be reached");
      failAndClose(req, res, 502, "UPSTREAM_UNAVAILABLE", message("evidence.storeUnavailable"));
    }
  }

  async function download(req: IncomingMessage, res: ServerResponse, caller: Caller, id: string): Promise<void> {
    const target = new URL(`/internal/evidence/${encodeURIComponent(id)}`, options.incidentsUrl);
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(target, { headers: headersFor(req, caller) }, resolve).once("error", reject));
    if (response.statusCode !== 200) {
      const body = localizeErrorBody(await readAll(response), currentLanguage());
      res.writeHead(response.statusCode ?? 502, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
      return void res.end(body);
    }
    const listed = response.headers[DISCLOSED_HEADER];
    const disclosed = typeof listed === "string" ? disclosureList(JSON.parse(listed)) : [];
    if (disclosed.length > 0) {
      try {
        await options.recordDeliveries(disclosed.map((item) => ({ ...item, subject: caller.sub, clientAddress: req.socket.remoteAddress })));
      } catch (error) {
        response.destroy();
        log.error({ err: error }, "reporter audit not stored: the evidence download is withheld");
        return fail(res, 503, "STORAGE_UNAVAILABLE", message("evidence.auditUnavailable"), undefined, { "retry-after": "1" });
      }
    }
    const passed = ["content-type", "content-length", "content-disposition", "cache-control", "x-content-type-options", "x-kawal-evidence-sha256"];
    res.writeHead(200, Object.fromEntries(passed.flatMap((name) => (response.headers[name] === undefined ? [] : [[name, response.headers[name]!]]))));
    // The subgraph cuts the stream when the file no longer hashes to its SHA-256: the client gets a broken download.
    await pipeline(response, res).catch(() => res.destroy());
  }

  return {
    matches: (req) => /^\/evidence(\/[^/]*)?$/.test(pathOf(req)),
    // In the request's language (Accept-Language): the gateway's refusals and the incidents subgraph's.
    handle: (req, res) => inLanguage(languageOf(req.headers["accept-language"]), () => handle(req, res)),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req);
    const id = /^\/evidence\/([^/]+)$/.exec(path)?.[1];
    const allowed = id === undefined ? "POST" : "GET";
    if (req.method !== allowed) {
      res.setHeader("allow", allowed);
      return failAndClose(req, res, 405, "METHOD_NOT_ALLOWED", message("http.method", { path, method: allowed }));
    }
    try {
      const caller = await callerOf(req, res);
      if (!caller) return;
      if (id === undefined) await upload(req, res, caller);
      else await download(req, res, caller, id);
    } catch (error) {
      log.error({ err: error, method: req.method, path }, "evidence request failed");
      failAndClose(req, res, 502, "UPSTREAM_UNAVAILABLE", message("evidence.unreachable"));
    }
  }
}
