import { Redis } from "ioredis";
import { logger } from "./logging";
import { redisBack, redisUnreachable } from "./redis-warning";

const log = logger("pubsub");

/**
 * Alert pub/sub between the process that commits an alert and the processes that stream it.
 *
 * Two implementations with one interface: in memory (the single-process default) and Redis (REDIS_URL,
 * one channel per topic) so alerts committed by one incidents replica reach subscribers on every replica.
 * Messages are JSON values; Redis carries them serialized, memory hands the same object to every handler
 * (handlers must treat messages as read-only).
 *
 * Pub/sub is a doorbell, not a log: a message published while nobody listens, or while the Redis link is
 * down, is gone. Durable delivery comes from the alert table (replay by `sequence`). The link's state is
 * public so subscribers can cover for it: `onLinkDown` says messages may stop arriving (fall back to the
 * durable source, or stop trusting what was derived from messages), `onResync` says they flow again and
 * what was published meanwhile was missed (re-read the durable source once).
 */
export interface PubSub {
  /** Sends a message to every current subscriber of the topic, in every process sharing the bus. */
  publish(topic: string, message: unknown): Promise<void>;
  /**
   * Calls `handler` for every message published on `topic` from now on. Resolves once the subscription is
   * live (for Redis: SUBSCRIBE acknowledged), so "subscribe, then read the table" leaves no gap; while the
   * link is down it resolves at once, and the subscription goes live with the link, announced by `onResync`.
   * Returns the function that ends the subscription.
   */
  subscribe(topic: string, handler: (message: unknown) => void): Promise<Unsubscribe>;
  /** Whether messages published now reach this process's subscribers. Memory: always, until closed. */
  isLive(): boolean;
  /**
   * Calls `listener` when the link drops (isLive() turns false): messages may stop arriving until `onResync`.
   * Memory never does. Returns the function that removes the listener.
   */
  onLinkDown(listener: () => void): Unsubscribe;
  /**
   * Calls `listener` each time the link becomes live (isLive() turns true), every subscription made so far
   * included: at start once Redis is first reached, and after every reconnect. Messages published while it
   * was down were lost. Memory never does. Returns the function that removes the listener.
   */
  onResync(listener: () => void): Unsubscribe;
  /** Closes connections; later publish/subscribe calls reject. */
  close(): Promise<void>;
}

export type Unsubscribe = () => Promise<void>;


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
        log.error({ err: error, topic }, "pubsub handler threw");
      }
    }
  }

  /** Topics with at least one handler. */
  names(): string[] {
    return [...this.topics.keys()];
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
    isLive() {
      return !closed;
    },
    onLinkDown() {
      return async () => {};
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

/** The URL for logs: no user name or password. */
function redacted(url: string): string {
  const parsed = new URL(url);
  parsed.username = parsed.password = "";
  return parsed.toString();
}

/**
 * The cross-replica bus: one Redis channel per topic (`<prefix><topic>`), two connections (Redis puts a
 * subscribing connection in a mode where it can only subscribe). A topic is SUBSCRIBEd while at least one
 * local handler listens.
 *
 * The link is the subscribing connection: live once Redis confirmed every subscription on it, down from the
 * moment it closes. Nothing waits for Redis: an unreachable Redis at start is a link that is not live yet.
 * ioredis keeps reconnecting and sends the publishes queued meanwhile; the subscriptions are ours to make on
 * each new connection once it is ready. (ioredis's autoResubscribe forgets the channels of a connection that
 * closes before it is ready, and a SUBSCRIBE sent during the handshake makes it close: its ready check then
 * runs in subscriber mode and fails. The bus would be live and deaf.)
 */
export function createRedisPubSub(options: RedisPubSubOptions): PubSub {
  const url = String(options.url);
  const where = redacted(url);
  const host = new URL(url).host;
  const prefix = options.channelPrefix ?? "kawal:";
  // maxRetriesPerRequest null: a publish during a Redis restart waits for the reconnect instead of failing
  // the committed report's notification after 20 tries.
  const publisher = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  const subscriber = new Redis(url, { maxRetriesPerRequest: null, autoResubscribe: false });
  const registry = new Registry();
  const downListeners = new Set<() => void>();
  const resyncListeners = new Set<() => void>();
  let closed = false;
  let live = false;
  let everLive = false;
  /** Counts the subscriber's closed connections: a confirmation begun on an earlier connection is void. */
  let dropped = 0;
  /** Whether this outage is on stderr already: one line per outage, not one per reconnect attempt. */
  let reported = false;
  /** Whether a failing publisher (with the link live) is on stderr already. */
  let publisherReported = false;

  const notify = (listeners: Set<() => void>) => {
    for (const listener of [...listeners]) listener();
  };
  const report = (reason: string) => {
    if (closed || reported) return;
    reported = true;
    if (everLive) log.warn(`pubsub (redis): lost the link to ${where} (${reason}); retrying, and subscribers fall back until it is back`);
    else redisUnreachable(host, reason);
  };

  subscriber.on("message", (channel: string, raw: string) => {
    if (!channel.startsWith(prefix)) return;
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      log.warn({ channel }, "pubsub: ignored a message that is not JSON");
      return;
    }
    registry.deliver(channel.slice(prefix.length), message);
  });
  // A ready connection has no subscription yet: subscribe to every topic someone listens to. Redis answers in
  // order, so that reply (or a PING's, with no topic) means every subscription so far has taken effect.
  subscriber.on("ready", () => {
    const connection = dropped;
    const channels = registry.names().map((topic) => prefix + topic);
    (channels.length > 0 ? subscriber.subscribe(...channels) : subscriber.ping()).then(
      () => {
        if (closed || live || connection !== dropped) return;
        live = everLive = true;
        if (reported) log.info(`pubsub (redis): the link to ${where} is back`);
        redisBack(host);
        reported = false;
        notify(resyncListeners);
      },
      (error: unknown) => {
        // Refused on a connection still open (an ACL, say): the link stays down, and subscribers fall back.
        // Otherwise the connection closed again before the reply; the next "ready" tries again.
        if (connection === dropped) report(`subscribing failed: ${String(error)}`);
      },
    );
  });
  subscriber.on("close", () => {
    dropped++;
    if (closed || !live) return;
    live = false;
    report("connection closed");
    notify(downListeners);
  });
  subscriber.on("error", (error: Error) => report(error.message));
  // While the link is down the publisher fails with it, and that outage is reported already. While it is
  // live, a failing publisher is a problem of its own: one line until it reconnects.
  publisher.on("error", (error: Error) => {
    if (!live) report(error.message);
    else if (!publisherReported && !closed) {
      publisherReported = true;
      log.warn(`pubsub (redis): lost the publishing connection to ${where} (${error.message}); messages wait until it is back`);
    }
  });
  publisher.on("ready", () => (publisherReported = false));

  /**
   * Resolves with `command`, or as soon as the subscribing connection closes: the next connection subscribes
   * to the topic before the link is confirmed and `onResync` announces it.
   */
  function untilDoneOrDropped(command: Promise<unknown>): Promise<void> {
    return new Promise((resolve, reject) => {
      const onClose = () => resolve();
      subscriber.once("close", onClose);
      command.then(
        () => {
          subscriber.off("close", onClose);
          resolve();
        },
        (error: unknown) => {
          subscriber.off("close", onClose);
          reject(error);
        },
      );
    });
  }

  return {
    async publish(topic, message) {
      if (closed) throw new Error("pubsub is closed");
      await publisher.publish(prefix + topic, JSON.stringify(message));
    },
    async subscribe(topic, handler) {
      if (closed) throw new Error("pubsub is closed");
      const wrapped: Handler = (message) => handler(message);
      const first = registry.add(topic, wrapped);
      const unsubscribe = async () => {
        // Not ready: the next connection subscribes only to the topics left, so there is nothing to undo.
        if (registry.remove(topic, wrapped) && !closed && subscriber.status === "ready") await subscriber.unsubscribe(prefix + topic).catch(() => {});
      };
      // Not ready: the "ready" handler above subscribes it, before it confirms the link.
      if (subscriber.status !== "ready") return unsubscribe;
      try {
        // Another handler's SUBSCRIBE may still be in flight; Redis answers in order, so a PING's reply
        // comes after that SUBSCRIBE took effect, and our "resolves once live" promise holds.
        await untilDoneOrDropped(first ? subscriber.subscribe(prefix + topic) : subscriber.ping());
      } catch (error) {
        registry.remove(topic, wrapped);
        throw error;
      }
      return unsubscribe;
    },
    isLive() {
      return live && !closed;
    },
    onLinkDown(listener) {
      downListeners.add(listener);
      return async () => {
        downListeners.delete(listener);
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
      live = false;
      registry.clear();
      downListeners.clear();
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
