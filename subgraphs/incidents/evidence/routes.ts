import crypto from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import { GraphQLError } from "graphql";
import { DISCLOSED_HEADER } from "../../../caller/disclosures";
import { actsFor, mayRead } from "../../../caller/access";
import { sendJson } from "../../../platform/http";
import { checkedKey } from "../../kit/idempotency";
import { idOrNull } from "../../kit/references";
import type { StreamRoute } from "../../kit/stream-routes";
import { IncidentReport } from "../entities";
import { seesReporter } from "../resolvers";
import type { IncidentsContext, IncidentsState } from "../state";
import { Evidence } from "./entity";
import { receiveUpload } from "./intake";
import { KEY_FIELD, recordUpload } from "./record";
import { EvidenceRefusal } from "./refusal";
import type { EvidenceStore } from "./store";
import { logger } from "../../../platform/logging";
import { messageOf } from "../../../platform/errors";
import { MESSAGE_EXTENSION, message, render } from "../../../platform/i18n";

const log = logger("evidence");

/*
 * The incidents subgraph's side of the gateway's evidence endpoint: POST /internal/evidence takes the file's bytes as
 * the body (the gateway has parsed the multipart form) and answers the stored upload; GET /internal/evidence/<id>
 * answers the file to a caller who may see the report's reporter, its SHA-256 checked before and while it streams.
 */

/** The header carrying the stored file's SHA-256 (hex) on a download. */
export const SHA256_HEADER = "x-kawal-evidence-sha256";

/** The header an upload names itself with, so that a retry stores the file once (lower case, as Node reads headers). */
const IDEMPOTENCY_HEADER = "idempotency-key";

function refuse(req: IncomingMessage, res: ServerResponse, refusal: EvidenceRefusal): void {
  // What the sender still sends is not read: the connection closes after the answer.
  res.setHeader("connection", "close");
  sendJson(res, refusal.status, { error: { code: refusal.status === 403 ? "FORBIDDEN" : refusal.status === 404 ? "NOT_FOUND" : "BAD_USER_INPUT", rule: refusal.rule, message: refusal.message, [MESSAGE_EXTENSION]: refusal.text } });
  res.once("finish", () => req.destroy());
}

function storageRefusal(res: ServerResponse, error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.extensions.code !== "STORAGE_UNAVAILABLE") return false;
  res.setHeader("retry-after", "1");
  sendJson(res, 503, { error: { code: "STORAGE_UNAVAILABLE", message: error.message, [MESSAGE_EXTENSION]: messageOf(error) } });
  return true;
}

/** A key the idempotency rules refuse (its form, or reuse with another file): 400 or 422, naming the header and the rule. */
function keyRefusal(req: IncomingMessage, res: ServerResponse, error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.extensions.code !== "BAD_USER_INPUT") return false;
  const { field, rule } = error.extensions;
  res.setHeader("connection", "close");
  sendJson(res, rule === "idempotency key reused with another input" ? 422 : 400, { error: { code: "BAD_USER_INPUT", field, rule, message: error.message } });
  res.once("finish", () => req.destroy());
  return true;
}

async function upload(req: IncomingMessage, res: ServerResponse, context: IncidentsContext): Promise<void> {
  const { caller, state, config } = context;
  const orgId = idOrNull(caller?.org);
  if (!caller || (caller.role !== "AGENCY" && caller.role !== "ORMAS") || orgId === null) {
    return refuse(req, res, new EvidenceRefusal(403, "forbidden", message("evidence.uploadForbidden")));
  }
  try {
    const header = req.headers[IDEMPOTENCY_HEADER];
    // Checked before the file is read: a bad key costs the sender nothing more.
    const key = header === undefined ? null : checkedKey(KEY_FIELD, String(header));
    const id = crypto.randomUUID();
    const file = await receiveUpload(req, state.evidence.incoming, id, config.evidenceLimits);
    const row = await recordUpload(context, { id, caller, orgId, key, file });
    const { contentType, size, sha256, originalSha256, originalSize, mayCarryMetadata, uploadedAt } = row;
    sendJson(res, 201, { id: row.id, contentType, size, sha256, originalSha256, originalSize, mayCarryMetadata, uploadedAt });
  } catch (error) {
    if (error instanceof EvidenceRefusal) return refuse(req, res, error);
    if (storageRefusal(res, error) || keyRefusal(req, res, error)) return;
    throw error;
  }
}

/** Passes the bytes on one chunk behind, and the last only when the whole file hashes to `sha256`. */
function verifying(sha256: string, id: string): Transform {
  const hash = crypto.createHash("sha256");
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      const previous = held;
      held = chunk;
      done(null, previous);
    },
    flush(done) {
      const actual = hash.digest("hex");
      if (actual !== sha256) {
        log.error({ evidence: id, stored: sha256, read: actual }, "SHA-256 mismatch while streaming: the download was cut");
        return done(new Error("evidence hash mismatch"));
      }
      done(null, held);
    },
  });
}

async function streamSha256(store: EvidenceStore, id: string): Promise<string> {
  const hash = crypto.createHash("sha256");
  for await (const chunk of await store.read(id)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function download(req: IncomingMessage, res: ServerResponse, context: IncidentsContext, match: RegExpExecArray): Promise<void> {
  const { caller, db, state } = context;
  const notFound = new EvidenceRefusal(404, "not found", message("evidence.notFound", { id: match[1] }));
  const file = await db.getRepository(Evidence).findOneBy({ id: match[1] });
  if (!file || !mayRead(caller, "read:incidents")) return refuse(req, res, notFound);
  const report = file.reportId === null ? null : await db.getRepository(IncidentReport).findOneBy({ id: file.reportId });
  // An upload not yet attached is its uploader's alone.
  if (!report && !actsFor(caller, String(file.uploadedByOrgId))) return refuse(req, res, notFound);
  if (report && !seesReporter(caller, report)) {
    return refuse(req, res, new EvidenceRefusal(403, "forbidden", message("evidence.downloadForbidden", { sha256: file.sha256 })));
  }
  const actual = await streamSha256(state.evidence, file.id);
  if (actual !== file.sha256) {
    log.error({ evidence: file.id, stored: file.sha256, read: actual }, "SHA-256 mismatch: the file was changed after receipt and is not served");
    const mismatch = message("evidence.hashMismatch", { sha256: file.sha256 });
    return sendJson(res, 500, { error: { code: "EVIDENCE_HASH_MISMATCH", message: render(mismatch), [MESSAGE_EXTENSION]: mismatch } });
  }
  res.writeHead(200, {
    "content-type": file.contentType,
    "content-length": file.size,
    "content-disposition": `attachment; filename="evidence-${file.id}"`,
    "cache-control": "private, no-store",
    "x-content-type-options": "nosniff",
    [SHA256_HEADER]: file.sha256,
    ...(report ? { [DISCLOSED_HEADER]: JSON.stringify([{ reportId: String(report.id), regionCode: report.regionCode }]) } : {}),
  });
  await pipeline(await state.evidence.read(file.id), verifying(file.sha256, file.id), res).catch(() => res.destroy());
}

const UUID = "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})";

/** The routes, for SubgraphDefinition.streamRoutes. */
export const evidenceRoutes: StreamRoute<IncidentsState>[] = [
  { method: "POST", path: /^\/internal\/evidence$/, handle: upload },
  { method: "GET", path: new RegExp(`^/internal/evidence/${UUID}$`), handle: download },
];
