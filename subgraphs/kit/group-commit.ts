import type { EntityManager } from "typeorm";
import type { Storage } from "./storage";

/*
 * Group commit: appends that arrive while a transaction is committing wait and go together in the next one,
 * so under load the cost of a COMMIT (an fsync) is shared instead of paid per request. Each `add` still
 * resolves only once the transaction holding its items has committed, and rejects with that transaction's
 * error (nothing of it was stored), so acknowledged still means stored.
 */

export interface GroupCommitOptions<Item> {
  /** Writes one group's items inside its transaction. */
  write(manager: EntityManager, items: Item[]): Promise<void>;
  /** Most items in one transaction; the rest wait for the next. Default 1,000. */
  maxItems?: number;
}

interface Waiting<Item> {
  items: Item[];
  resolve(): void;
  reject(error: unknown): void;
}

export class GroupCommit<Item> {
  private readonly waiting: Array<Waiting<Item>> = [];
  private committing = false;
  private readonly maxItems: number;

  constructor(
    private readonly storage: Pick<Storage, "write">,
    private readonly options: GroupCommitOptions<Item>,
  ) {
    this.maxItems = options.maxItems ?? 1000;
  }

  /** Resolves once `items` are committed; the first add while nothing commits starts at once. */
  add(items: Item[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      if (!this.committing) void this.commitWaiting();
    });
  }

  private async commitWaiting(): Promise<void> {
    this.committing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.nextGroup();
        try {
          await this.storage.write((manager) => this.options.write(manager, group.flatMap((member) => member.items)));
          for (const member of group) member.resolve();
        } catch (error) {
          for (const member of group) member.reject(error);
        }
      }
    } finally {
      this.committing = false;
    }
  }

  /** The waiting adds up to maxItems items (at least one add, however large). */
  private nextGroup(): Array<Waiting<Item>> {
    let count = 0;
    let taken = 0;
    while (taken < this.waiting.length && (taken === 0 || count + this.waiting[taken].items.length <= this.maxItems)) {
      count += this.waiting[taken].items.length;
      taken++;
    }
    return this.waiting.splice(0, taken);
  }
}
