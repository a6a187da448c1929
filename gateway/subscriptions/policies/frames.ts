/**
 * Encode once, write many. The engine hands every subscriber of an event the same payload string; a
 * transport wraps it in its frame (a graphql-ws `next` message, an SSE event, a multipart part) and should
 * not re-encode it per client: at 10,000 subscribers, encoding per connection costs more than the writes.
 * The cache holds the frames of the payload being broadcast, one per prefix (the part that names the
 * subscription), and forgets them when the next payload comes.
 */
export interface FrameCache {
  /** `prefix + payload + suffix` as bytes: the same Buffer for the same prefix while `payload` is the current one. */
  frame(prefix: string, payload: string): Buffer;
}

/** A cache of one transport's frames; `suffix` closes each frame (for graphql-ws, the message's `}`). */
export function createFrameCache(suffix: string): FrameCache {
  let current = "";
  const frames = new Map<string, Buffer>();
  return {
    frame(prefix, payload) {
      if (payload !== current) {
        current = payload;
        frames.clear();
      }
      let frame = frames.get(prefix);
      if (!frame) {
        frame = Buffer.from(prefix + payload + suffix);
        frames.set(prefix, frame);
      }
      return frame;
    },
  };
}
