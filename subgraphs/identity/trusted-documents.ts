import crypto from "node:crypto";
import { getOperationAST, GraphQLError, parse } from "graphql";
import { Column, Entity, EntityManager, PrimaryGeneratedColumn } from "typeorm";
import { badInput } from "../../platform/errors";
import type { SubgraphContext } from "../kit/context";
import { audit } from "./audit";
import { Account, AuditKind, Integration } from "./entities";
import { message } from "../../platform/i18n";

/*
 * Trusted documents: the operations a partner app may send, as a list of (id, document) its administrator loads
 * from a manifest its build produced. While the app's `trustedDocumentsRequired` flag is on, the gateway runs
 * only operations the app names by id from this list (gateway/trusted-documents.ts). A load replaces the whole
 * list in one transaction, audited; a bad manifest is refused as a whole, naming the entry, and changes nothing.
 */

/** Documents in one manifest at most. */
const MAX_TRUSTED_DOCUMENTS = 2_000;
/** Characters of one document at most. */
const MAX_DOCUMENT_CHARS = 100_000;
/** What an operation id may look like: a hash (hex, base64url) or a name-like id, with an optional "sha256:" prefix. */
const DOCUMENT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const SHA256_HEX = /^(sha256:)?[0-9a-f]{64}$/;

/** One operation of a partner app's list. */
@Entity("trusted_documents")
export class TrustedDocument {
  @PrimaryGeneratedColumn() id: number;
  /** The Integration (partner app) whose list it is on. */
  @Column({ type: "integer" }) integrationId: number;
  /** The id the app sends (extensions.persistedQuery.sha256Hash or documentId). */
  @Column({ type: "varchar", length: 128 }) documentId: string;
  @Column({ type: "text" }) document: string;
  /** The operation's name, for administrators reading the list; null for an anonymous operation. */
  @Column({ type: "varchar", length: 100, nullable: true }) operationName: string | null;
  @Column({ type: "varchar", length: 24 }) loadedAt: string;
}

/** One entry of a manifest, checked. */
export interface ManifestEntry {
  documentId: string;
  document: string;
  operationName: string | null;
}

/** An object, not an array or null. */
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Checks one (id, document) pair: the id's form, the document parses, a SHA-256 id is that of the document. */
function entry(field: string, documentId: unknown, document: unknown): ManifestEntry {
  if (typeof documentId !== "string" || !DOCUMENT_ID.test(documentId)) throw badInput(`${field}.id`, message("rule.documentId"));
  if (typeof document !== "string" || document.length === 0 || document.length > MAX_DOCUMENT_CHARS) {
    throw badInput(`${field}.body`, message("rule.documentBody", { max: MAX_DOCUMENT_CHARS }));
  }
  let operationName: string | null;
  try {
    const operation = getOperationAST(parse(document));
    operationName = operation?.name?.value.slice(0, 100) ?? null;
  } catch (error) {
    throw badInput(`${field}.body`, message("rule.documentOneOperation", { detail: error instanceof GraphQLError ? error.message : String(error) }));
  }
  if (SHA256_HEX.test(documentId) && documentId.replace(/^sha256:/, "") !== crypto.createHash("sha256").update(document).digest("hex")) {
    throw badInput(`${field}.id`, message("rule.documentHashMismatch"));
  }
  return { documentId, document, operationName };
}

/**
 * The entries of a manifest, in either format: GraphQL Code Generator's client preset `persisted-documents.json`
 * (`{ "<hash>": "<document>" }`) or Apollo's persisted-query manifest (`{ "format":
 * "apollo-persisted-query-manifest", "version": 1, "operations": [{ "id", "name", "type", "body" }] }`).
 */
export function parseManifest(text: string, field = "manifest"): ManifestEntry[] {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    throw badInput(field, message("rule.manifestJson"));
  }
  if (!isRecord(manifest)) throw badInput(field, message("rule.jsonObject"));
  let entries: ManifestEntry[];
  if (manifest.format === "apollo-persisted-query-manifest") {
    if (manifest.version !== 1) throw badInput(`${field}.version`, message("rule.manifestVersion"));
    if (!Array.isArray(manifest.operations)) throw badInput(`${field}.operations`, message("rule.manifestOperations"));
    entries = manifest.operations.map((operation: unknown, index) => {
      if (!isRecord(operation)) throw badInput(`${field}.operations[${index}]`, message("rule.manifestOperation"));
      return entry(`${field}.operations[${index}]`, operation.id, operation.body);
    });
  } else {
    entries = Object.entries(manifest).map(([documentId, document]) => entry(`${field}["${documentId.slice(0, 80)}"]`, documentId, document));
  }
  if (entries.length === 0) throw badInput(field, message("rule.manifestAtLeastOne"));
  if (entries.length > MAX_TRUSTED_DOCUMENTS) throw badInput(field, message("rule.manifestAtMost", { max: MAX_TRUSTED_DOCUMENTS }));
  const seen = new Set<string>();
  for (const { documentId } of entries) {
    if (seen.has(documentId)) throw badInput(field, message("rule.manifestDuplicate", { id: documentId }));
    seen.add(documentId);
  }
  return entries;
}

/** Replaces the app's whole list with `entries`, audited, in the caller's transaction. `actor` null: the command line. */
export async function replaceTrustedDocuments(manager: EntityManager, integration: Integration, entries: ManifestEntry[], actor: Account | null, clientAddress?: string): Promise<void> {
  const loadedAt = new Date().toISOString();
  await manager.delete(TrustedDocument, { integrationId: integration.id });
  // In slices: one statement per 200 rows keeps under every engine's parameter limit.
  for (let start = 0; start < entries.length; start += 200) {
    await manager.insert(TrustedDocument, entries.slice(start, start + 200).map((item) => ({ ...item, integrationId: integration.id, loadedAt })));
  }
  await audit(manager, {
    kind: AuditKind.TRUSTED_DOCUMENTS_LOADED,
    actor,
    integration,
    clientAddress,
    detail: `client ${integration.clientId}: ${entries.length} operations${actor ? "" : "; from the command line"}`,
  });
}

/** What the gateway enforces for one partner app. */
export interface TrustedDocumentList {
  /** Only listed operations run (the app's trustedDocumentsRequired flag). */
  required: boolean;
  /** The list, by id. */
  documents: Record<string, string>;
}

/** POST /internal/trusted-documents `{ clientId }`, for the gateway only: the app's list and whether it is required. */
export async function trustedDocumentsOf(body: unknown, context: SubgraphContext): Promise<TrustedDocumentList> {
  const clientId = isRecord(body) ? body.clientId : undefined;
  if (typeof clientId !== "string" || clientId.length > 40) throw badInput("clientId", message("rule.partnerClientId"));
  const integration = await context.db.getRepository(Integration).findOneBy({ clientId });
  if (!integration) return { required: false, documents: {} };
  const rows = await context.db.getRepository(TrustedDocument).find({ where: { integrationId: integration.id }, select: { documentId: true, document: true } });
  return { required: integration.trustedDocumentsRequired, documents: Object.fromEntries(rows.map((row) => [row.documentId, row.document])) };
}
