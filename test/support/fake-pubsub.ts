import type { PubSub, Unsubscribe } from "../../platform/pubsub";

/**
 * A bus whose link the test cuts and restores by hand, as Redis going away and coming back: while the link is
 * down, publishing reaches nobody and the message is gone.
 */
export class FakeLinkBus implements PubSub {
  private live = true;
  private readonly handlers = new Map<string, Set<(message: unknown) => void>>();
  private readonly downListeners = new Set<() => void>();
  private readonly resyncListeners = new Set<() => void>();

  /** The link drops: onLinkDown listeners run, and messages are lost until `restore`. */
  cut(): void {
    this.live = false;
    for (const listener of [...this.downListeners]) listener();
  }

  /** The link is back: onResync listeners run. */
  restore(): void {
    this.live = true;
    for (const listener of [...this.resyncListeners]) listener();
  }

  async publish(topic: string, message: unknown): Promise<void> {
    if (!this.live) return;
    // Asynchronous like both real buses: a publisher never runs subscribers inline.
    queueMicrotask(() => {
      for (const handler of [...(this.handlers.get(topic) ?? [])]) handler(message);
    });
  }

  async subscribe(topic: string, handler: (message: unknown) => void): Promise<Unsubscribe> {
    let handlers = this.handlers.get(topic);
    if (!handlers) this.handlers.set(topic, (handlers = new Set()));
    handlers.add(handler);
    return async () => {
      handlers.delete(handler);
    };
  }

  isLive(): boolean {
    return this.live;
  }

  onLinkDown(listener: () => void): Unsubscribe {
    this.downListeners.add(listener);
    return async () => {
      this.downListeners.delete(listener);
    };
  }

  onResync(listener: () => void): Unsubscribe {
    this.resyncListeners.add(listener);
    return async () => {
      this.resyncListeners.delete(listener);
    };
  }

  /** Listeners still registered (a stream that ended must leave none). */
  get listeners(): number {
    let count = this.downListeners.size + this.resyncListeners.size;
    for (const handlers of this.handlers.values()) count += handlers.size;
    return count;
  }

  async close(): Promise<void> {
    this.handlers.clear();
    this.downListeners.clear();
    this.resyncListeners.clear();
  }
}
