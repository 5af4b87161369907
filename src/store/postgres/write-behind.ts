/**
 * Groups small writes (log lines, invocation records) into one transaction every few milliseconds,
 * so the invoke hot path never waits on a round trip to PostgreSQL. Readers of this node await
 * flush() first (they see their own node's writes); other nodes see them within `intervalMs` plus
 * a commit. A failing batch is retried write by write, so one bad write never loses the others.
 */
import type { PgDb, PgTx } from "./database.js";

export type PgWrite = (tx: PgTx) => Promise<void>;

export interface PgWriteBehind {
  enqueue(write: PgWrite): void;
  /** Resolves once every write enqueued before the call has committed (or failed and been reported). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function pgWriteBehind(db: PgDb, onError: (error: unknown) => void, intervalMs = 20, maxPending = 2_000): PgWriteBehind {
  let pending: PgWrite[] = [];
  let timer: NodeJS.Timeout | undefined;
  /** The batches committing now, in order: a flush waits for all of them. */
  let committing: Promise<void> = Promise.resolve();

  async function commit(writes: PgWrite[]): Promise<void> {
    try {
      await db.transaction(async (tx) => {
        for (const write of writes) await write(tx);
      });
    } catch {
      for (const write of writes) await db.transaction(write).catch(onError);
    }
  }

  function startBatch(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pending.length > 0) {
      const writes = pending;
      pending = [];
      // Batches commit one after another, so events of a stream keep their order (ids ascend).
      committing = committing.then(() => commit(writes));
    }
    return committing;
  }

  return {
    enqueue(write) {
      pending.push(write);
      if (pending.length >= maxPending) void startBatch();
      else timer ??= setTimeout(() => void startBatch(), intervalMs);
    },
    flush: startBatch,
    close: startBatch,
  };
}
