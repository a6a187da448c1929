/*
 * Trusted documents (a safelist per partner app). The identity subgraph keeps each partner app's list of
 * operations and its `trustedDocumentsRequired` flag (subgraphs/identity/trusted-documents.ts); the gateway keeps a
 * bounded cache of them and, for every request of a partner app (sub "integration:<client id>") on every transport,
 * runs the listed document the request names by id (`extensions.persistedQuery.sha256Hash`, or `documentId` as the
 * GraphQL-over-HTTP persisted-documents convention sends it), never the text the request carries. When the flag is
 * on, a request naming an id not on the list is refused with PERSISTED_QUERY_NOT_FOUND and one naming none (free
 * text) with TRUSTED_DOCUMENT_REQUIRED. When it is off, a listed id still runs its document (so an app can switch to
 * ids before the list is enforced) and anything else passes unchanged. Other callers are not affected.
 *
 * Freshness: a change made through this gateway (the two mutations) drops its cache at once and, over the pub/sub
 * bus (Redis), every other gateway's, as `npm run admin -- load-trusted-documents` does; without a bus, or while it
 * is down, other gateways see a change when their entry is older than `refreshSeconds`.
 */
import type { ApolloServerPlugin, GraphQLRequest } from "@apollo/server";
import { GraphQLError, Kind } from "graphql";
import { LRUCache } from "lru-cache";
import type { MaybeCaller } from "../caller/claims";
import type { PubSub, Unsubscribe } from "../platform/pubsub";
import type { GatewayContext } from "./subgraph-client";
import { logger } from "../platform/logging";
import type { IdentityClient } from "./identity-client";
import { describedError } from "../platform/errors";
import { message } from "../platform/i18n";

const log = logger("trusted-documents");

/** What a request says about its document, whatever the transport. */
export interface OperationSource {
  /** The text sent, if any. */
  query?: string | null;
  extensions?: Record<string, unknown> | null;
  /** The body's or query string's `documentId` (GraphQL-over-HTTP persisted documents). */
  documentId?: unknown;
}

/** The document to run: `query` replaces the request's text (undefined: run the request as sent), or why not. */
export type ResolvedDocument = { ok: true; query: string | undefined } | { ok: false; error: GraphQLError };

/** Resolves a caller's request against its trusted documents. */
export type DocumentResolver = (caller: MaybeCaller, source: OperationSource) => Promise<ResolvedDocument>;

export interface TrustedDocumentsOptions {
  /** The way to the identity subgraph (its /internal/trusted-documents route answers the lists). Required. */
  identity: IdentityClient;
  /** Seconds a cached list is used before it is read again. Default 30. */
  refreshSeconds?: number;
  /** Partner apps whose lists are kept at most; the least recently used is dropped first. Default 1,000. */
  maxApps?: number;
  /** Characters of documents kept over all apps. Default 32 Mi. */
  maxTotalChars?: number;
  /** Where gateways (and the admin command) announce changes to each other, e.g. Redis. Default none. */
  bus?: PubSub;
}

export interface TrustedDocuments {
  resolve: DocumentResolver;
  /** A list changed: drops every cached list here and tells the other gateways to. */
  changed(): void;
  /** Stops listening to the other gateways. */
  dispose(): Promise<void>;
}

/** The pub/sub topic of list changes: each gateway drops its cached lists when a message arrives. */
export const TRUSTED_DOCUMENTS_TOPIC = "trusted-documents-changed";

/** An app's list as cached: whether it is required, and the documents by id. */
interface TrustedList {
  required: boolean;
  documents: ReadonlyMap<string, string>;
}

/** The mutations that change a list or its flag: when this gateway carries one, its cache is dropped. */
const CHANGES = new Set(["loadTrustedDocuments", "setTrustedDocumentsRequired"]);

/** The client id of a partner app's token subject, or null for anyone else. */
function clientIdOf(caller: MaybeCaller): string | null {
  if (caller?.role !== "INTEGRATOR" || !caller.sub.startsWith("integration:")) return null;
  return caller.sub.slice("integration:".length);
}

/** The id a request names: the APQ hash first, then `documentId` (with or without a "sha256:" prefix). */
function namedDocumentId(source: OperationSource): string | undefined {
  const persisted = source.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
  if (typeof persisted?.sha256Hash === "string") return persisted.sha256Hash;
  return typeof source.documentId === "string" ? source.documentId : undefined;
}

function listedDocument({ documents }: TrustedList, id: string): string | undefined {
  return documents.get(id) ?? documents.get(id.replace(/^sha256:/, "")) ?? documents.get(`sha256:${id}`);
}

const notFound = () =>
  describedError(message("trusted.notFound"), { code: "PERSISTED_QUERY_NOT_FOUND", http: { status: 400 } });

const documentRequired = () =>
  describedError(message("trusted.required"), { code: "TRUSTED_DOCUMENT_REQUIRED", http: { status: 400 } });

const unavailable = () =>
  describedError(message("trusted.unavailable"), { code: "STORAGE_UNAVAILABLE", retryAfterSeconds: 1, http: { status: 503 } });

export function createTrustedDocuments(options: TrustedDocumentsOptions): TrustedDocuments {
  const lists = new LRUCache<string, TrustedList>({
    max: options.maxApps ?? 1_000,
    maxSize: options.maxTotalChars ?? 32 * 1024 * 1024,
    sizeCalculation: (list) => [...list.documents.values()].reduce((sum, document) => sum + document.length, 1),
    ttl: (options.refreshSeconds ?? 30) * 1000,
    // While the identity subgraph cannot answer, the list last read stands (its flag included).
    allowStaleOnFetchRejection: true,
    noDeleteOnFetchRejection: true,
    fetchMethod: async (clientId, _stale, { signal }) => {
      const answer = await options.identity.internal<{ required: boolean; documents: Record<string, string> }>("trusted-documents", { clientId }, { signal });
      return { required: answer.required, documents: new Map(Object.entries(answer.documents)) };
    },
  });

  const { bus } = options;
  // Messages missed while the link was down: the lists may have changed meanwhile.
  const stopResync = bus?.onResync(() => lists.clear());
  const subscription: Promise<Unsubscribe | undefined> | undefined = bus?.subscribe(TRUSTED_DOCUMENTS_TOPIC, () => lists.clear()).catch((error: unknown) => {
    log.warn({ err: error }, "no link to the other gateways: their changes apply within the refresh interval");
    return undefined;
  });

  return {
    async resolve(caller, source) {
      const clientId = clientIdOf(caller);
      if (clientId === null) return { ok: true, query: undefined };
      let list: TrustedList | undefined;
      try {
        list = await lists.fetch(clientId);
      } catch (error) {
        log.error({ err: error, clientId }, "trusted documents not read");
      }
      // Not known whether the list is required: the app's requests wait rather than run unchecked.
      if (!list) return { ok: false, error: unavailable() };
      const id = namedDocumentId(source);
      const listed = id === undefined ? undefined : listedDocument(list, id);
      if (listed !== undefined) return { ok: true, query: listed };
      if (!list.required) return { ok: true, query: undefined };
      return { ok: false, error: id === undefined ? documentRequired() : notFound() };
    },
    changed() {
      lists.clear();
      // Not awaited: the mutation's answer must not wait on Redis; the refresh interval bounds a lost message.
      bus?.publish(TRUSTED_DOCUMENTS_TOPIC, {}).catch((error: unknown) => log.warn({ err: error }, "could not tell the other gateways of a change"));
    },
    async dispose() {
      await stopResync?.();
      // Not awaited: while Redis is down the UNSUBSCRIBE waits for it, until the bus closes.
      void subscription?.then((unsubscribe) => unsubscribe?.());
    },
  };
}

/** A document every schema validates: it stands in for a refused request until the refusal is thrown. */
const STAND_IN = "query TrustedDocumentRefused { __typename }";

/** The `documentId` of a GraphQL-over-HTTP request: in the JSON body of a POST, in the query string of a GET. */
function documentIdOf(request: GraphQLRequest): unknown {
  const http = request.http;
  if (!http) return undefined;
  if (http.method === "GET") return new URLSearchParams(http.search).get("documentId") ?? undefined;
  return (http.body as { documentId?: unknown } | null | undefined)?.documentId;
}

/**
 * The Apollo plugin, for HTTP and for queries and mutations over the streaming transports alike: a partner app's
 * request runs the listed document it names. Apollo Server reads the request's text and persisted-query
 * extension only after requestDidStart, so both are replaced there; a refusal is thrown once the operation is
 * resolved, the first point where Apollo answers a thrown error with its own status and code.
 */
export function trustedDocumentsPlugin(trusted: TrustedDocuments): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ request, contextValue }) {
      const resolved = await trusted.resolve(contextValue.caller ?? null, { query: request.query, extensions: request.extensions, documentId: documentIdOf(request) });
      const replaced = resolved.ok ? resolved.query : STAND_IN;
      if (!resolved.ok) request.operationName = undefined;
      if (replaced !== undefined) {
        request.query = replaced;
        // The id is not Apollo's to look up (or check against the text): the document is already chosen.
        if (request.extensions?.persistedQuery) request.extensions = { ...request.extensions, persistedQuery: undefined };
      }
      return {
        async didResolveOperation() {
          if (!resolved.ok) throw resolved.error;
        },
        async willSendResponse({ operation }) {
          if (operation?.operation !== "mutation") return;
          const changed = operation.selectionSet.selections.some((selection) => selection.kind === Kind.FIELD && CHANGES.has(selection.name.value));
          if (changed) trusted.changed();
        },
      };
    },
  };
}
