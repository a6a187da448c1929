import type { Fetcher, FetcherHeaders, FetcherResponse } from "@apollo/utils.fetcher";
import { Pool } from "undici";

/*
 * Keep-alive connection pools to one origin each: the gateway's to its subgraphs, a subgraph's to its peers.
 * @apollo/gateway's default fetcher (make-fetch-happen over minipass-fetch and an HTTP agent) spent a large
 * share of the gateway's CPU in a profile: building request objects, agent lookups, and a stack trace per
 * request; a bare `fetch` opens sockets of its own. undici's pool keeps a few warm sockets per origin and
 * parses responses with llhttp.
 */

export interface HttpPoolOptions {
  /** Sockets to the origin at most; requests beyond them wait for a free one. Default 64. */
  connections?: number;
  /** Milliseconds to wait for the response headers, then for each body chunk. Default 30,000. */
  timeoutMs?: number;
  /** Milliseconds an idle socket stays open (the server may close it sooner). Default 4,000. */
  keepAliveMs?: number;
}

export interface HttpPool {
  /** A fetch-like `fetcher` bound to this pool (the shape @apollo/gateway's RemoteGraphQLDataSource takes). */
  fetcher: Fetcher;
  /** Closes the pool's sockets once in-flight requests finish. */
  dispose(): Promise<void>;
}

/** The fully read answer, in the shape RemoteGraphQLDataSource reads. */
export class ReadResponse implements FetcherResponse {
  readonly redirected = false;
  readonly bodyUsed = true;
  readonly ok: boolean;
  readonly statusText: string;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly headers: FetcherHeaders,
    private readonly body: string,
  ) {
    this.ok = status >= 200 && status < 300;
    this.statusText = String(status);
  }

  async text(): Promise<string> {
    return this.body;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = Buffer.from(this.body);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  clone(): FetcherResponse {
    return new ReadResponse(this.url, this.status, this.headers, this.body);
  }
}

/** The response headers undici hands over (a value may repeat), as WHATWG Headers. */
function toHeaders(raw: Record<string, string | string[] | undefined>): FetcherHeaders {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

/** A keep-alive pool to the origin of `url`; the fetcher takes URLs on that origin. */
export function createHttpPool(url: string, options: HttpPoolOptions = {}): HttpPool {
  const target = new URL(url);
  const timeout = options.timeoutMs ?? 30_000;
  const pool = new Pool(target.origin, {
    connections: options.connections ?? 64,
    keepAliveTimeout: options.keepAliveMs ?? 4_000,
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const fetcher: Fetcher = async (requestUrl, init = {}) => {
    const { pathname, search } = new URL(requestUrl);
    const response = await pool.request({
      path: pathname + search,
      method: (init.method ?? "GET") as "GET" | "POST",
      headers: init.headers,
      body: init.body,
      signal: init.signal as AbortSignal | undefined,
    });
    return new ReadResponse(requestUrl, response.statusCode, toHeaders(response.headers), await response.body.text());
  };
  return {
    fetcher,
    dispose: () => pool.close(),
  };
}
