/**
 * A client that falls behind is shed rather than buffered without end: the engine writes each event to
 * every subscriber synchronously, so bytes a slow client has not taken yet pile up in gateway memory. Once
 * they pass the limit the client is told to reconnect later, and resumes with `after` where it left off.
 */

export interface BackpressureOptions {
  /** Unsent bytes a connection may hold before it is shed. Default 8 MiB. */
  maxBufferedBytes?: number;
}

/** One client connection as the policy sees it; the transport says how to measure and how to shed it. */
export interface Outlet {
  /** Bytes written to the connection and not yet sent. */
  readonly bufferedBytes: number;
  /** Closes the connection so that the client comes back later (WebSocket: 1013 Try Again Later). */
  shed(reason: string): void;
}

export interface Backpressure {
  /** Whether one more frame may be written to `outlet`; one too far behind is shed instead, and the answer is no. */
  admit(outlet: Outlet): boolean;
}

/** What a shed client is told. */
export const TOO_SLOW = "too slow to keep up: reconnect and subscribe with after = your last sequence";

export function createBackpressure(options: BackpressureOptions = {}): Backpressure {
  const maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  return {
    admit(outlet) {
      if (outlet.bufferedBytes <= maxBufferedBytes) return true;
      outlet.shed(TOO_SLOW);
      return false;
    },
  };
}
