import { CLIENT_ADDRESS_HEADER, subgraphHeaders } from "../caller/claims";

/** A GraphQL answer of the identity subgraph, as the gateway's plain HTTP routes read it. */
export interface IdentityAnswer<T = Record<string, unknown>> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string; oauth?: string } }>;
}

export interface IdentityRequestOptions {
  /** Longest wait for the answer. Default 5,000 ms. */
  timeoutMs?: number;
  /** Ends the request early (the caller no longer needs it). */
  signal?: AbortSignal;
  /** The client's address, for the routes that slow repeated failures by it and audit it (sign-in, tokens). */
  clientAddress?: string;
}

/**
 * The gateway's one way to the identity subgraph outside query plans: /auth/*, /oauth/token, the reporter audit,
 * trusted documents and the webhook store all send through it, as the gateway (the subgraph secret, no caller).
 */
export interface IdentityClient {
  /** One GraphQL operation; rejects only when the subgraph does not answer. */
  graphql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown>, options?: IdentityRequestOptions): Promise<IdentityAnswer<T>>;
  /** POSTs `body` to the internal route `/internal/<name>` and answers its JSON; rejects on any status but 2xx. */
  internal<T = unknown>(name: string, body: unknown, options?: IdentityRequestOptions): Promise<T>;
}

export function createIdentityClient(url: string, subgraphSecret: string): IdentityClient {
  const post = (target: string | URL, body: unknown, options: IdentityRequestOptions = {}) => {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 5_000);
    return fetch(target, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...subgraphHeaders(subgraphSecret),
        ...(options.clientAddress ? { [CLIENT_ADDRESS_HEADER]: options.clientAddress } : {}),
      },
      body: JSON.stringify(body),
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
  };
  return {
    async graphql<T>(query: string, variables: Record<string, unknown>, options?: IdentityRequestOptions) {
      return (await (await post(url, { query, variables }, options)).json()) as IdentityAnswer<T>;
    },
    async internal<T>(name: string, body: unknown, options?: IdentityRequestOptions) {
      const response = await post(new URL(`/internal/${name}`, url), body, options);
      if (!response.ok) throw new Error(`the identity subgraph answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as T;
    },
  };
}
