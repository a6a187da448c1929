import fs from "node:fs";
import path from "node:path";
import { IsNull, LessThan } from "typeorm";
import type { Storage } from "../../kit/storage";
import { dropKeyOf } from "../../kit/idempotency";
import { Evidence } from "./entity";
import { UPLOAD_MUTATION } from "./record";
import type { EvidenceStore } from "./store";
import { logger } from "../../../platform/logging";

const log = logger("evidence-retention");

/*
 * Uploads never attached to a report are removed 24 hours after receipt, each removal logged (what, whose, its hash):
 * the only way evidence is ever deleted. The row goes first, in a transaction that matches it only while it is still
 * unattached, so an attach at the last moment wins, and takes its Idempotency-Key along (a retry then uploads anew);
 * its file goes after. Temp files of uploads that never completed (a process killed mid-upload) go after the same time.
 */

/** How long an upload waits to be attached. */
export const RETENTION_MS = 24 * 60 * 60 * 1000;
/** How often a replica looks for stale uploads. */
const INTERVAL_MS = 60 * 60 * 1000;
/** Most uploads removed per round; the rest wait for the next. */
const BATCH = 500;

/** Removes what is past retention at `now`; returns the removed upload ids. */
export async function removeUnattached(storage: Storage, store: EvidenceStore, now = Date.now()): Promise<string[]> {
  const cutoff = new Date(now - RETENTION_MS).toISOString();
  const stale = await storage.reader.getRepository(Evidence).find({ where: { reportId: IsNull(), uploadedAt: LessThan(cutoff) }, order: { uploadedAt: "ASC" }, take: BATCH });
  const removed: string[] = [];
  for (const file of stale) {
    const affected = await storage.write(async (manager) => {
      const { affected } = await manager.getRepository(Evidence).delete({ id: file.id, reportId: IsNull() });
      if (affected === 1) await dropKeyOf(manager, file.uploadedBySub, UPLOAD_MUTATION, file.id);
      return affected;
    });
    if (affected !== 1) continue; // attached meanwhile, or removed by another replica
    await store.remove(file.id);
    log.info({ evidence: file.id, contentType: file.contentType, size: file.size, sha256: file.sha256, uploadedAt: file.uploadedAt }, "removed an upload never attached");
    removed.push(file.id);
  }
  for (const name of await fs.promises.readdir(store.incoming)) {
    const temp = path.join(store.incoming, name);
    const { mtimeMs } = await fs.promises.stat(temp);
    if (mtimeMs < now - RETENTION_MS) {
      await fs.promises.rm(temp, { force: true });
      log.info({ file: name }, "removed an upload that never completed");
    }
  }
  return removed;
}

/** Runs removeUnattached hourly until the returned function is called; a failed round is logged and tried next time. */
export function startRetention(storage: Storage, store: EvidenceStore): () => void {
  const timer = setInterval(() => {
    removeUnattached(storage, store).catch((error: unknown) => log.error({ err: error }, "round failed (will try again)"));
  }, INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
