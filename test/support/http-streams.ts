import { createClient, Client as SseClient } from "graphql-sse";
import { ALERTS } from "./alerts";

/** The Accept header of Apollo's multipart subscriptions. */
export const MULTIPART = 'multipart/mixed;subscriptionSpec="1.0", application/json';
export const EVENT_STREAM = "text/event-stream";

/** A streaming response as curl shows it: its status, headers and the text so far. */
export interface RawStream {
  status: number;
  headers: Headers;
  /** Everything received so far. */
  text(): string;
  /** The whole body, once the server ended it. */
  ended(): Promise<string>;
  /** Waits until the text so far satisfies `predicate`; rejects after `ms`. */
  until(predicate: (text: string) => boolean, ms?: number, what?: string): Promise<string>;
  close(): void;
}

/** POSTs `query` to the gateway with `accept`, as curl would, and keeps reading the answer. */
export async function openStream(
  url: string,
  accept: string,
  token: string | null,
  body: { query: string; variables?: Record<string, unknown> } = { query: ALERTS },
  headers: Record<string, string> = {},
): Promise<RawStream> {
  const control = new AbortController();
  const response = await fetch(url, {
    method: "POST",
    signal: control.signal,
    headers: { accept, "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify(body),
  });
  let text = "";
  let ended = false;
  const decoder = new TextDecoder();
  const reading = (async () => {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
    } catch {
      // aborted or cut: what arrived stays readable
    }
    ended = true;
    return text;
  })();
  return {
    status: response.status,
    headers: response.headers,
    text: () => text,
    ended: () => reading,
    async until(predicate, ms = 10_000, what = "the expected text") {
      const deadline = Date.now() + ms;
      while (!predicate(text)) {
        if (Date.now() > deadline || (ended && !predicate(text))) throw new Error(`${ended ? "stream ended" : "timed out"} waiting for ${what}; got:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return text;
    },
    close: () => control.abort(),
  };
}

/** The JSON parts of a multipart body so far (heartbeats `{}` included). */
export function multipartParts(text: string): unknown[] {
  return text
    .split("\r\n--graphql")
    .slice(1)
    .filter((part) => part !== "" && !part.startsWith("--"))
    .map((part) => JSON.parse(part.slice(part.indexOf("\r\n\r\n") + 4)) as unknown);
}

/** The `next` events of an SSE body so far: their id and data. */
export function sseEvents(text: string): Array<{ id?: string; data: unknown }> {
  return text
    .split("\n\n")
    .filter((block) => /^event: next$/m.test(block))
    .map((block) => ({ id: /^id: (.*)$/m.exec(block)?.[1], data: JSON.parse(/^data: (.*)$/m.exec(block)![1]) as unknown }));
}

/**
 * A graphql-sse client (distinct connections) of the gateway, as a partner tool opens it. `headers` is
 * asked again at every reconnect, so it can send `Last-Event-ID`; `retry` decides when to reconnect.
 */
export function sseAlertClient(
  url: string,
  token: string,
  options: { headers?: () => Record<string, string>; retry?: (retries: number) => Promise<void>; retryAttempts?: number } = {},
): SseClient {
  return createClient({
    url,
    headers: () => ({ authorization: `Bearer ${token}`, ...options.headers?.() }),
    retryAttempts: options.retryAttempts ?? 0,
    retry: options.retry,
  });
}
