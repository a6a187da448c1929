/**
 * What the engine asks of an upstream transport (graphql-ws in production, a fake in unit tests): open one
 * subscription on a subgraph, report its events, say how it ended, and stop it on request.
 */
import type { GraphQLFormattedError } from "graphql";

/** What an upstream event looks like: the `payload` of a graphql-ws `next` message. */
export interface UpstreamResult {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
  extensions?: Record<string, unknown>;
}

/** One upstream subscription request, as the connector must send it. */
export interface UpstreamRequest<Scope = unknown> {
  /** Subgraph name in the supergraph. */
  serviceName: string;
  /** The primary fetch's operation, rewritten to carry the cursor field and the resume argument. */
  query: string;
  operationName?: string;
  /** Only the variables the primary fetch uses, with the resume argument set when re-subscribing. */
  variables: Record<string, unknown>;
  /**
   * Whom the upstream acts for: the shared scope of its subscribers (see `ScopeOptions.shared`), which
   * outlives any one of them.
   */
  scope: Scope;
}

/** Why an upstream subscription ended early. */
export class UpstreamError extends Error {
  constructor(
    message: string,
    /** true: the link dropped (subgraph restarting, network); the engine re-subscribes from the last cursor. */
    readonly retryable: boolean,
    /** The subgraph's GraphQL errors when it refused the operation (not retryable). */
    readonly errors?: readonly GraphQLFormattedError[],
  ) {
    super(message);
    this.name = "UpstreamError";
  }
}

/** Receives one upstream subscription's events; exactly one of error/complete ends it. */
export interface UpstreamSink {
  next(result: UpstreamResult): void;
  error(error: UpstreamError): void;
  complete(): void;
}

/** Opens subscriptions on subgraphs. */
export interface UpstreamConnector<Scope = unknown> {
  /** Starts the subscription; returns the function that ends it (no sink call after that). */
  subscribe(request: UpstreamRequest<Scope>, sink: UpstreamSink): () => void;
  /** Closes whatever the connector holds open. */
  dispose?(): Promise<void>;
}
