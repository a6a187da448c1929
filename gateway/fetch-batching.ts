import type { Fetcher, FetcherResponse } from "@apollo/utils.fetcher";
import { isSingleQuery } from "./query-documents";

/*
 * One HTTP request for the fetches a gateway request sends to one subgraph at the same moment. A query plan's
 * parallel branches often fetch from the same subgraph (the Manggar story asks organizations for the event's
 * region, organizer, speakers and participants at once); sent as one JSON array of operations, which Apollo
 * Server runs with one context, they cost the subgraph one request to parse, authorize and answer, and its
 * DataLoaders look up the rows of all of them in one statement. The answer is an array in the same order. Only
 * reads are batched: a mutation's fetches run one after another by the plan, and each must stand alone.
 */

/** A fetch as RemoteGraphQLDataSource.sendRequest takes it, with the HTTP part willSendRequest filled in. */
interface OutgoingRequest {
  query?: string;
  http?: { url: string; method: string; headers: Iterable<[string, string]> };
}

/** What sendRequest resolves with: the subgraph's answer, and the HTTP response it came in. */
export type BatchedAnswer = Record<string, unknown> & { http: FetcherResponse };

interface Waiting<Owner, Request> {
  owner: Owner;
  request: Request;
  resolve(answer: BatchedAnswer): void;
  reject(error: unknown): void;
}

export interface FetchBatchingOptions<Owner, Request> {
  /** Sends one fetch the usual way (a batch of one, or anything not batched). */
  sendOne(request: Request, owner: Owner | undefined): Promise<BatchedAnswer>;
  /** Sends the HTTP request of a batch. */
  fetcher: Fetcher;
  /** Turns a failed HTTP answer (not 2xx) into the error every fetch of the batch rejects with. */
  errorFromResponse(response: FetcherResponse): Promise<Error>;
}

/**
 * Batches the fetches of one owner (the gateway request's context: never two requests', whose callers and
 * audits differ) that start in the same turn of the event loop.
 */
export class FetchBatching<Owner extends object, Request extends OutgoingRequest> {
  private readonly open = new WeakMap<Owner, Array<Waiting<Owner, Request>>>();

  constructor(private readonly options: FetchBatchingOptions<Owner, Request>) {}

  send(owner: Owner | undefined, request: Request): Promise<BatchedAnswer> {
    if (!owner || !request.http || !(request.query !== undefined && isSingleQuery(request.query))) return this.options.sendOne(request, owner);
    return new Promise<BatchedAnswer>((resolve, reject) => {
      const batch = this.open.get(owner);
      if (batch) return void batch.push({ owner, request, resolve, reject });
      const started: Array<Waiting<Owner, Request>> = [{ owner, request, resolve, reject }];
      this.open.set(owner, started);
      // setImmediate: after every fetch the plan's parallel branches start in this turn (they start in microtasks).
      setImmediate(() => {
        this.open.delete(owner);
        void this.flush(started);
      });
    });
  }

  private async flush(batch: Array<Waiting<Owner, Request>>): Promise<void> {
    if (batch.length === 1) {
      const [only] = batch;
      return this.options.sendOne(only.request, only.owner).then(only.resolve, only.reject);
    }
    try {
      const first = batch[0].request.http!;
      const body = `[${batch.map(({ request }) => JSON.stringify({ ...request, http: undefined })).join(",")}]`;
      const response = await this.options.fetcher(first.url, { method: "POST", headers: Object.fromEntries(first.headers), body });
      if (!response.ok) throw await this.options.errorFromResponse(response);
      const answers = (await response.json()) as unknown;
      if (!Array.isArray(answers) || answers.length !== batch.length) {
        throw new Error(`the subgraph answered a batch of ${batch.length} operations with ${Array.isArray(answers) ? answers.length : "no"} answers`);
      }
      batch.forEach(({ resolve, reject }, index) => {
        const answer = answers[index] as unknown;
        if (typeof answer === "object" && answer !== null) resolve({ ...(answer as Record<string, unknown>), http: response });
        else reject(new Error(`the subgraph's answer to operation ${index + 1} of a batch is not an object`));
      });
    } catch (error) {
      for (const { reject } of batch) reject(error);
    }
  }
}
