/**
 * Data-plane table lookups without a store read per request: a table's parsed definition is kept for
 * at most `maxAgeMs`. This node's own CreateTable, UpdateTable and DeleteTable forget it at once; a
 * change made by another node of a cluster is seen within `maxAgeMs` (bounded staleness, as DynamoDB's
 * own control plane is eventually consistent: a table stays usable for a moment after DeleteTable).
 */

/** How long another node's UpdateTable or DeleteTable may go unseen by this node's item operations. */
export const TABLE_CACHE_MAX_AGE_MS = 1000;

interface Entry<T> {
  readonly value: T;
  readonly loadedAtMs: number;
}

export class TableCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly now: () => number,
    private readonly maxAgeMs = TABLE_CACHE_MAX_AGE_MS,
  ) {}

  /** The cached table when it is fresh enough, else undefined (the caller loads and `remember`s it). */
  get(name: string): T | undefined {
    const entry = this.entries.get(name);
    if (entry === undefined) return undefined;
    if (this.now() - entry.loadedAtMs < this.maxAgeMs) return entry.value;
    this.entries.delete(name);
    return undefined;
  }

  remember(name: string, value: T, loadedAtMs: number): void {
    this.entries.set(name, { value, loadedAtMs });
  }

  /** After this node changed or removed the table. */
  forget(name: string): void {
    this.entries.delete(name);
  }

  /** After a change made by another process that said so (TableChanges). */
  forgetAll(): void {
    this.entries.clear();
  }
}

/**
 * Word that tables may have changed, between the processes of one Unkai (DynamoDB's endpoint workers,
 * src/server/dynamodb-endpoint.ts): the main process announces it after every operation of the
 * control plane, awaiting its listeners (which tell each worker and wait for its answer) before the
 * operation answers; a worker announces it to its own service when told, which drops every cached
 * definition. So a table deleted, recreated or updated through either port is never written through a
 * copy from before, in any process, once that operation has answered.
 */
export class TableChanges {
  private readonly listeners: (() => void | Promise<void>)[] = [];

  listen(listener: () => void | Promise<void>): void {
    this.listeners.push(listener);
  }

  async announce(): Promise<void> {
    await Promise.all(this.listeners.map(async (listener) => listener()));
  }
}
