import assert from "node:assert/strict";
import { postGraphQL } from "../../platform/graphql-fetch";
import { createAdministrator } from "../../launcher/admin";
import type { TestHub } from "./hub";

/** Session fields as the tests select them. */
export const SESSION = "accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt account { id loginName role regions mustChangePassword }";

export interface TestSession {
  accessToken: string;
  refreshToken: string;
  account: { id: string; loginName: string; role: string; regions: string[]; mustChangePassword: boolean };
}

/** The first error's code and message, or "ok" with the data. */
export async function call<T = Record<string, unknown>>(hub: TestHub, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<{ code: string; message: string; field?: string; data?: T }> {
  const { data, errors } = await postGraphQL<T>(hub.url, query, variables, token);
  if (errors?.length) return { code: String(errors[0].extensions?.code), message: errors[0].message, field: errors[0].extensions?.field as string | undefined };
  return { code: "ok", message: "", data: data ?? undefined };
}

export async function signIn(hub: TestHub, loginName: string, password: string) {
  return call<{ signIn: TestSession }>(hub, `mutation ($l: String!, $p: String!) { signIn(loginName: $l, password: $p) { ${SESSION} } }`, { l: loginName, p: password });
}

export async function changePassword(hub: TestHub, loginName: string, password: string, newPassword: string) {
  return call<{ changePassword: TestSession }>(hub, `mutation ($l: String!, $p: String!, $n: String!) { changePassword(loginName: $l, password: $p, newPassword: $n) { ${SESSION} } }`, { l: loginName, p: password, n: newPassword });
}

export async function refresh(hub: TestHub, refreshToken: string) {
  return call<{ refreshSession: TestSession }>(hub, `mutation ($r: String!) { refreshSession(refreshToken: $r) { ${SESSION} } }`, { r: refreshToken });
}

/** Signs in with a one-time password and changes it to `password`; returns the session. */
export async function activate(hub: TestHub, loginName: string, oneTimePassword: string, password: string): Promise<TestSession> {
  const first = await signIn(hub, loginName, oneTimePassword);
  assert.equal(first.code, "PASSWORD_CHANGE_REQUIRED", first.message);
  const changed = await changePassword(hub, loginName, oneTimePassword, password);
  assert.equal(changed.code, "ok", changed.message);
  return changed.data!.changePassword;
}

export const CREATE = `mutation ($input: CreateAccountInput!) { createAccount(input: $input) { oneTimePassword account { id loginName role regions admin mustChangePassword } } }`;

export interface NewAccount {
  oneTimePassword: string;
  account: { id: string; loginName: string };
}

/** An administrator creates an account; asserts it worked. */
export async function createAccount(hub: TestHub, adminToken: string, input: Record<string, unknown>): Promise<NewAccount> {
  const created = await call<{ createAccount: NewAccount }>(hub, CREATE, { input }, adminToken);
  assert.equal(created.code, "ok", created.message);
  return created.data!.createAccount;
}

/** The first administrator through the create-admin CLI, signed in with a password of its own. */
export async function firstAdministrator(hub: TestHub, org: string, loginName: string, password: string, extra: string[] = []): Promise<TestSession> {
  const created = await createAdministrator(hub.hub.config, ["--org", org, "--login", loginName, ...extra]);
  return activate(hub, loginName, created.oneTimePassword, password);
}

export const CREATE_INTEGRATION = `mutation ($input: CreateIntegrationInput!) { createIntegration(input: $input) { clientSecret integration { id clientId name scopes regions organization { id } revokedAt } } }`;

export interface NewIntegration {
  clientSecret: string;
  integration: { id: string; clientId: string; scopes: string[]; regions: string[] };
}

/** An administrator registers a partner app; asserts it worked. */
export async function createIntegration(hub: TestHub, adminToken: string, input: Record<string, unknown>): Promise<NewIntegration> {
  const created = await call<{ createIntegration: NewIntegration }>(hub, CREATE_INTEGRATION, { input }, adminToken);
  assert.equal(created.code, "ok", created.message);
  return created.data!.createIntegration;
}

export interface TokenAnswer {
  status: number;
  headers: Headers;
  body: { access_token?: string; token_type?: string; expires_in?: number; scope?: string; error?: string; error_description?: string };
}

/** POST /oauth/token on the gateway with a form body; `basic` sends the client credentials as HTTP Basic. */
export async function requestToken(hub: TestHub, form: Record<string, string>, basic?: { clientId: string; clientSecret: string }, contentType = "application/x-www-form-urlencoded"): Promise<TokenAnswer> {
  const headers: Record<string, string> = { "content-type": contentType };
  if (basic) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(basic.clientId)}:${encodeURIComponent(basic.clientSecret)}`).toString("base64")}`;
  const response = await fetch(new URL("/oauth/token", hub.url), { method: "POST", headers, body: new URLSearchParams(form).toString() });
  return { status: response.status, headers: response.headers, body: (await response.json()) as TokenAnswer["body"] };
}
