import fs from "node:fs";
import type { Caller } from "../../../caller/claims";
import { storageUnavailable } from "../../../platform/errors";
import { message } from "../../../platform/i18n";
import { logger } from "../../../platform/logging";
import { writeOnce } from "../../kit/idempotency";
import type { IncidentsContext } from "../state";
import { Evidence } from "./entity";
import type { ReceivedFile } from "./intake";
import { EvidenceRefusal } from "./refusal";

const log = logger("evidence");

/*
 * A received upload becomes evidence: its file goes to the store inside the transaction that records its row (and
 * its Idempotency-Key, when the client gave one), so "answered" means "stored and recorded". A key is stored first
 * in that transaction: a retry arriving while the first upload is still being stored waits for it there and then
 * answers its evidence, without storing the file a second time.
 */

/** The scope of evidence keys in the idempotency store, beside the GraphQL mutations' names. */
export const UPLOAD_MUTATION = "uploadEvidence";

/** Where the key comes from, for its errors. */
export const KEY_FIELD = "Idempotency-Key";

export interface Upload {
  /** The evidence id chosen for this upload. */
  id: string;
  caller: Caller;
  orgId: number;
  /** The client's Idempotency-Key, or null. */
  key: string | null;
  file: ReceivedFile;
}

/** The upload's evidence: recorded now, or, for a repeat of a key, the evidence its first upload recorded. */
export async function recordUpload(context: IncidentsContext, upload: Upload): Promise<Evidence> {
  const { id, caller, orgId, file } = upload;
  const store = context.state.evidence;
  let stored = false;
  try {
    const { value } = await writeOnce(
      context,
      // The same key must carry the same file: the bytes as uploaded, by their hash.
      { mutation: UPLOAD_MUTATION, caller, key: upload.key, field: KEY_FIELD, input: { sha256: file.originalSha256 } },
      {
        check: async () => file,
        idBeforeWrite: id,
        async write(manager) {
          const row: Evidence = {
            id,
            reportId: null,
            contentType: file.contentType,
            size: file.size,
            sha256: file.sha256,
            originalSha256: file.originalSha256,
            originalSize: file.originalSize,
            mayCarryMetadata: file.mayCarryMetadata,
            uploadedAt: new Date().toISOString(),
            uploadedByOrgId: orgId,
            uploadedBySub: caller.sub,
            attachedAt: null,
          };
          await manager.getRepository(Evidence).insert(row);
          await store.put(id, file.file, file.size).catch((error: unknown) => {
            log.error({ err: error, evidence: id, store: store.description }, "the evidence store did not take the file: nothing recorded");
            throw storageUnavailable();
          });
          stored = true;
          return row;
        },
        idOf: (row) => row.id,
        replay: (earlier) => recordedUpload(context, earlier),
      },
    );
    return value;
  } catch (error) {
    if (stored) await removeUnrecorded(context, id);
    throw error;
  } finally {
    // The temp file: moved into the store by `put`, or left by a repeat or a failure.
    await fs.promises.rm(file.file, { force: true });
  }
}

/** The evidence a key's first upload recorded; removed since (never attached within 24 hours), the key went with it. */
async function recordedUpload(context: IncidentsContext, id: string): Promise<Evidence> {
  const row = await context.db.getRepository(Evidence).findOneBy({ id });
  if (!row) throw new EvidenceRefusal(404, "not found", message("evidence.keyUploadRemoved", { field: KEY_FIELD }));
  return row;
}

/**
 * After a transaction that stored the file did not answer: the file goes unless its row is there (a COMMIT that
 * failed on the way back may still have committed, and then the file is evidence). Unknown either way: it stays.
 */
async function removeUnrecorded(context: IncidentsContext, id: string): Promise<void> {
  try {
    if (await context.db.getRepository(Evidence).existsBy({ id })) return;
    await context.state.evidence.remove(id);
  } catch (error) {
    log.error({ err: error, evidence: id }, "not recorded, and its file could not be removed");
  }
}
