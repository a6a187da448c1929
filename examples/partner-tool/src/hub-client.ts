import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { createClient } from "graphql-sse";

/*
 * A partner app's client of the Kawal Damai hub: an access token by OAuth 2.0 client credentials, typed queries,
 * and live alerts over Server-Sent Events (GraphQL over SSE, distinct connections). Operations are the typed
 * documents GraphQL Code Generator generated (src/gql/); with `sendHashes` they go by their hash alone, as the hub
 * requires once the app's trusted documents are switched on.
 */

export interface HubClientOptions {
  /** The gateway's GraphQL endpoint, e.g. "https://hub.example.go.id/graphql". */
  url: string;
  clientId: string;
  clientSecret: string;
  /** Send each operation's hash instead of its text (trusted documents). Default false. */
  sendHashes?: boolean;
}

/** A generated document: codegen's client preset puts the operation's hash in `__meta__`. */
type Document<Result, Variables> = TypedDocumentNode<Result, Variables> & { __meta__?: { hash?: string } };

/** A GraphQL error answer, with the hub's code (e.g. FORBIDDEN, TRUSTED_DOCUMENT_REQUIRED). */
export class HubError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(code ? `${code}: ${message}` : message);
  }
}

interface Token {
  value: string;
  /** Date.now() after which a new one is fetched. */
  renewAt: number;
}

export class HubClient {
  private token: Token | undefined;

  constructor(private readonly options: HubClientOptions) {}

  /** A current access token (POST /oauth/token, client_credentials), fetched again a minute before it expires. */
  async accessToken(): Promise<string> {
    if (this.token && Date.now() < this.token.renewAt) return this.token.value;
    const response = await fetch(new URL("/oauth/token", this.options.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: this.options.clientId, client_secret: this.options.clientSecret }),
    });
    const body = (await response.json()) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!response.ok || !body.access_token) throw new HubError(body.error_description ?? `the token endpoint answered ${response.status}`, body.error);
    this.token = { value: body.access_token, renewAt: Date.now() + Math.max(0, (body.expires_in ?? 60) - 60) * 1000 };
    return body.access_token;
  }

  /** What the request body says about the operation: its hash alone, or its text. */
  private operation<R, V>(document: Document<R, V>): { query: string; extensions?: Record<string, unknown> } {
    const hash = document.__meta__?.hash;
    if (!this.options.sendHashes) return { query: print(document) };
    if (!hash) throw new Error("the document has no hash: generate it with the client preset's persistedDocuments option");
    return { query: "", extensions: { persistedQuery: { version: 1, sha256Hash: hash } } };
  }

  /** Runs a query or mutation; rejects with a HubError on GraphQL errors. */
  async execute<R, V>(document: Document<R, V>, variables: V): Promise<R> {
    const { query, extensions } = this.operation(document);
    const response = await fetch(this.options.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await this.accessToken()}` },
      // A hash alone goes as GraphQL-over-HTTP's documentId, without the text.
      body: JSON.stringify(extensions ? { documentId: document.__meta__?.hash, variables } : { query, variables }),
    });
    const answer = (await response.json()) as { data?: R | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    if (answer.errors?.length) throw new HubError(answer.errors[0].message, answer.errors[0].extensions?.code);
    if (!answer.data) throw new HubError(`the hub answered ${response.status} without data`, undefined);
    return answer.data;
  }

  /**
   * Subscribes over SSE; `onData` gets each event. The stream reconnects by itself after a drop (with a fresh
   * token); pass the last sequence seen as `after` in `variables` to resume a stream you started again. Returns
   * the function that ends it.
   */
  subscribe<R, V>(document: Document<R, V>, variables: V, sink: { onData(data: R): void; onError(error: unknown): void }): () => void {
    const client = createClient({
      url: this.options.url,
      headers: async () => ({ authorization: `Bearer ${await this.accessToken()}` }),
      retryAttempts: 5,
    });
    const stop = client.subscribe<R>(
      { ...this.operation(document), variables: variables as Record<string, unknown> },
      {
        next: (result) => {
          if (result.errors?.length) sink.onError(new HubError(result.errors[0].message, (result.errors[0].extensions as { code?: string } | undefined)?.code));
          else if (result.data) sink.onData(result.data);
        },
        error: sink.onError,
        complete: () => undefined,
      },
    );
    return () => {
      stop();
      client.dispose();
    };
  }
}
