/**
 * A pull-based async queue: a producer pushes values and then ends or fails it; a consumer (the GraphQL
 * executor, graphql-ws) iterates it. `push` never waits and the buffer has no bound, so a producer that can
 * outrun its consumer bounds itself (a replay reads page by page; a transport sheds a client that falls
 * behind). `onEnd` runs exactly once, whichever side ends the queue first, even when the consumer returns
 * before it ever pulled: what it releases (a subscription, a quota) must not leak on an early close.
 *
 * Hand-written rather than @repeaterjs/repeater (already in the tree through type-graphql), because a
 * Repeater starts its executor on the first `next()`: one returned before that never runs its cleanup.
 * it-pushable has the right semantics but ships as ES modules only.
 */

export interface AsyncQueueOptions {
  /**
   * Runs once when the queue ends: the producer's `end()` or `fail()`, or the consumer's `return()` or
   * `throw()`. After the producer ends it, values pushed before are still delivered. Default: nothing.
   */
  onEnd?: () => void;
}

interface Waiting<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(error: unknown): void;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

export class AsyncQueue<T> implements AsyncGenerator<T, undefined> {
  private readonly buffer: T[] = [];
  /** Pulls waiting for a value; only while the buffer is empty. */
  private readonly waiting: Waiting<T>[] = [];
  /** Set by `fail()`: rejects the first pull after the buffer, once; later pulls say done. */
  private failure: { error: unknown } | undefined;
  private isEnded = false;
  private onEnd: (() => void) | undefined;

  constructor(options: AsyncQueueOptions = {}) {
    this.onEnd = options.onEnd;
  }

  /** True once either side has ended the queue: pushes are ignored from then on. */
  get ended(): boolean {
    return this.isEnded;
  }

  push(value: T): void {
    if (this.isEnded) return;
    const waiting = this.waiting.shift();
    if (waiting) waiting.resolve({ done: false, value });
    else this.buffer.push(value);
  }

  /** The producer is done: the consumer gets what is buffered, then done. */
  end(): void {
    this.finish(undefined);
  }

  /** The producer failed: the consumer gets what is buffered, then `error` (once). */
  fail(error: unknown): void {
    this.finish({ error });
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.buffer.length > 0) return Promise.resolve({ done: false, value: this.buffer.shift()! });
    if (this.isEnded) return this.outcome();
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** The consumer stops: what is buffered, and an error not yet reported, are dropped. */
  return(): Promise<IteratorResult<T, undefined>> {
    this.buffer.length = 0;
    this.failure = undefined;
    this.finish(undefined);
    return Promise.resolve(DONE);
  }

  /** A consumer that throws into the queue stops it, as `return()` does: a queue has no code to resume. */
  throw(): Promise<IteratorResult<T, undefined>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  private outcome(): Promise<IteratorResult<T, undefined>> {
    const failure = this.failure;
    this.failure = undefined;
    return failure ? Promise.reject(failure.error) : Promise.resolve(DONE);
  }

  private finish(failure: { error: unknown } | undefined): void {
    if (this.isEnded) return;
    this.isEnded = true;
    this.failure = failure;
    // Pulls wait only on an empty buffer, so they get the outcome right away.
    for (const waiting of this.waiting.splice(0)) this.outcome().then(waiting.resolve, waiting.reject);
    const onEnd = this.onEnd;
    this.onEnd = undefined;
    onEnd?.();
  }
}
