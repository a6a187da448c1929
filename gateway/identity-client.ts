import type { IncomingMessage } from "node:http";
import { CLIENT_ADDRESS_HEADER, subgraphHeaders } from "../caller/claims";

/** A GraphQL answer of the identity subgraph, as the gateway's plain HTTP routes read it. */
export interface IdentityAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string; oauth?: string } }>;
}

/**
 * Sends one operation to the identity subgraph for a plain HTTP route (/auth/*, /oauth/token), with the subgraph
 * secret and the client's address (sign-in slows repeated failures by it; the audit trail records it). Rejects
 * when the subgraph does not answer.
 */
export async function askIdentity(identityUrl: string, subgraphSecret: string, req: IncomingMessage, query: string, variables: Record<string, unknown>): Promise<IdentityAnswer> {
  const response = await fetch(identityUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...subgraphHeaders(subgraphSecret), ...(req.socket.remoteAddress ? { [CLIENT_ADDRESS_HEADER]: req.socket.remoteAddress } : {}) },
    body: JSON.stringify({ query, variables }),
    // Sign-in may wait out a progressive delay (30 s at most) before it answers.
    signal: AbortSignal.timeout(45_000),
  });
  return (await response.json()) as IdentityAnswer;
}
