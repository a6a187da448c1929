import { Redis } from "ioredis";

/**
 * Alert pub/sub between the process that commits an alert and the processes that stream it.
 *
 * Two implementations with one interface: in memory (the single-process default) and Redis (REDIS_URL,
 * one channel per topic) so alerts committed by one incidents replica reach subscribers on every replica.
 * Messages are JSON values; Redis carries them serialized, memory hands the same object to every handler
 * (handlers must treat messages as read-only).
 *
 * Pub/sub is a doorbell, not a log: a message published while nobody listens, or while the Redis link is
 * down, is gone. Durable delivery comes from the alert table (replay by `sequence`); `onResync` tells a
 * subscriber when it should re-read that table because messages may have been missed.
 */
export interface PubSub {
  /** Sends a message to every current subscriber of the topic, in every process sharing the bus. */
  publish(topic: string, message: unknown): Promise<void>;
  /**
   * Calls `handler` for every message published on `topic` from now on. Resolves once the subscription is
   * live (for Redis: SUBSCRIBE acknowledged), so "subscribe, then read the table" leaves no gap.
   * Returns the function that ends the subscription.
   */
  subscribe(topic: string, handler: (message: unknown) => void): Promise<Unsubscribe>;
  /**
   * Calls `listener` after the bus lost messages it may have carried (Redis reconnected). Memory never does.
   * Returns the function that removes the listener.
   */
  onResync(listener: () => void): Unsubscribe;
  /** Closes connections; later publish/subscribe calls reject. */
  close(): Promise<void>;
}

export type Unsubscribe = () => Promise<void>;

/** Topic the incidents subgraph publishes committed alerts on. */
export const ALERTS_TOPIC = "incident-alerts";

type Handler = (message: unknown) => void;

/** Handlers per topic; shared by both implementations. */
class Registry {
  private readonly topics = new Map<string, Set<Handler>>();

  /** Adds the handler; true when it is the topic's first (the caller must then subscribe upstream). */
  add(topic: string, handler: Handler): boolean {
    let handlers = this.topics.get(topic);
    const first = handlers === undefined;
    if (!handlers) this.topics.set(topic, (handlers = new Set()));
    handlers.add(handler);
    return first;
  }

  /** Removes the handler; true when it was the topic's last. */
  remove(topic: string, handler: Handler): boolean {
    const handlers = this.topics.get(topic);
    if (!handlers?.delete(handler)) return false;
    if (handlers.size > 0) return false;
    this.topics.delete(topic);
    return true;
  }

  deliver(topic: string, message: unknown): void {
    const handlers = this.topics.get(topic);
    if (!handlers) return;
    // Copy: a handler may unsubscribe (itself or another) while we iterate.
    for (const handler of [...handlers]) {
      try {
        handler(message);
      } catch (error) {
        // One broken subscriber must not starve the others of the alert.
        console.error(`pubsub handler for "${topic}" threw:`, error);
      }
    }
  }

  clear(): void {
    this.topics.clear();
  }
}

/** The single-process bus. Delivery is asynchronous (a microtask) so a publisher never runs subscribers inline. */
export function createMemoryPubSub(): PubSub {
  const registry = new Registry();
  let closed = false;
  return {
    async publish(topic, message) {
      if (closed) throw new Error("pubsub is closed");
      queueMicrotask(() => registry.deliver(topic, message));
    },
    async subscribe(topic, handler) {
      if (closed) throw new Error("pubsub is closed");
      const wrapped: Handler = (message) => handler(message);
      registry.add(topic, wrapped);
      return async () => {
        registry.remove(topic, wrapped);
      };
    },
    onResync() {
      return async () => {};
    },
    async close() {
      closed = true;
      registry.clear();
    },
  };
}

export interface RedisPubSubOptions {
  /** redis://host:6379 (or rediss://). */
  url: string | URL;
  /** Prefix of every channel, so several hubs can share one Redis. Default "kawal:". */
  channelPrefix?: string;
}

/**
 * The cross-replica bus: one Redis channel per topic (`<prefix><topic>`), two connections (Redis puts a
 * subscribing connection in a mode where it can only subscribe). A topic is SUBSCRIBEd while at least one
 * local handler listens.
 */
export function createRedisPubSub(options: RedisPubSubOptions): PubSub {
  const url = String(options.url);
  const prefix = options.channelPrefix ?? "kawal:";
  // maxRetriesPerRequest null: a publish during a Redis restart waits for the reconnect instead of failing
  // the committed report's notification after 20 tries.
  const publisher = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  const subscriber = new Redis(url, { maxRetriesPerRequest: null, autoResubscribe: true });
  const registry = new Registry();
  const resyncListeners = new Set<() => void>();
  let closed = false;
  let everReady = false;

  subscriber.on("message", (channel: string, raw: string) => {
    if (!channel.startsWith(prefix)) return;
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      console.error(`pubsub: ignored a message on ${channel} that is not JSON`);
      return;
    }
    registry.deliver(channel.slice(prefix.length), message);
  });
  // "ready" after the first one means we were disconnected: anything published meanwhile never reached us.
  subscriber.on("ready", () => {
    if (everReady) for (const listener of [...resyncListeners]) listener();
    everReady = true;
  });
  // ioredis logs unhandled "error" events loudly and keeps reconnecting; one line per error is enough.
  const logError = (error: Error) => {
    if (!closed) console.error(`pubsub (redis): ${error.message}`);
  };
  publisher.on("error", logError);
  subscriber.on("error", logError);

  return {
    async publish(topic, message) {
      if (closed) throw new Error("pubsub is closed");
      await publisher.publish(prefix + topic, JSON.stringify(message));
    },
    async subscribe(topic, handler) {
      if (closed) throw new Error("pubsub is closed");
      const wrapped: Handler = (message) => handler(message);
      if (registry.add(topic, wrapped)) {
        try {
          await subscriber.subscribe(prefix + topic);
        } catch (error) {
          registry.remove(topic, wrapped);
          throw error;
        }
      } else {
        // Another handler's SUBSCRIBE may still be in flight; Redis answers in order, so this PING's reply
        // comes after that SUBSCRIBE took effect, and our "resolves once live" promise holds.
        await subscriber.ping();
      }
      return async () => {
        if (registry.remove(topic, wrapped) && !closed) await subscriber.unsubscribe(prefix + topic).catch(() => {});
      };
    },
    onResync(listener) {
      resyncListeners.add(listener);
      return async () => {
        resyncListeners.delete(listener);
      };
    },
    async close() {
      closed = true;
      registry.clear();
      resyncListeners.clear();
      await Promise.allSettled([publisher, subscriber].map(closeConnection));
    },
  };
}

/**
 * Ends a connection: QUIT when connected (pending replies arrive first); otherwise drops it at once, since
 * QUIT on a connection still trying to reach Redis would wait in its offline queue for as long as Redis is down.
 */
async function closeConnection(connection: Redis): Promise<void> {
  if (connection.status === "ready") await connection.quit();
  else connection.disconnect();
}

/** Redis when the hub is configured with REDIS_URL, memory otherwise. */
export function createPubSub(redisUrl?: string | URL): PubSub {
  return redisUrl ? createRedisPubSub({ url: redisUrl }) : createMemoryPubSub();
}
