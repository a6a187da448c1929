/** One GraphQL error as the hub answers it: `extensions.field` and `rule` name what to fix. */
export interface ApiError {
  message: string;
  extensions?: { code?: string; field?: string; rule?: string };
}

export interface ApiAnswer<T> {
  data?: T | null;
  errors?: ApiError[];
}

/** No answer from the hub at all (no signal, server down): the request may be retried. */
export class NoAnswer extends Error {}

/** POSTs an operation to the hub's /graphql. Rejects with NoAnswer when the network fails. */
export async function graphql<T>(query: string, variables: Record<string, unknown>, accessToken?: string): Promise<ApiAnswer<T>> {
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new NoAnswer(String(error));
  }
  if (response.status >= 502) throw new NoAnswer(`HTTP ${response.status}`);
  return (await response.json()) as ApiAnswer<T>;
}

/** Errors by the input field they name ("input.title" -> "title"), first error per field. */
export function fieldErrors(errors: ApiError[] | undefined): Record<string, ApiError> {
  const byField: Record<string, ApiError> = {};
  for (const error of errors ?? []) {
    const field = error.extensions?.field?.replace(/^input\./, "");
    if (field && !byField[field]) byField[field] = error;
  }
  return byField;
}
