/**
 * Groups small writes (log lines, invocation records) into one transaction every few milliseconds,
 * so the invoke hot path never waits on a disk commit. Readers call flush() first.
 * A failing batch is retried write by write, so one bad write never loses the others
 * and never takes the server down.
 */
import type { Db } from "./database.js";

export interface WriteBehind {
  enqueue(write: () => void): void;
  flush(): void;
  close(): void;
}

export function writeBehind(db: Db, onError: (error: unknown) => void, intervalMs = 20, maxPending = 2_000): WriteBehind {
  let pending: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  const runAll = db.transaction((writes: (() => void)[]) => {
    for (const write of writes) write();
  });

  function flush(): void {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pending.length === 0) return;
    const writes = pending;
    pending = [];
    try {
      runAll(writes);
    } catch {
      for (const write of writes) {
        try {
          write();
        } catch (error) {
          onError(error);
        }
      }
    }
  }

  return {
    enqueue(write) {
      pending.push(write);
      if (pending.length >= maxPending) flush();
      else timer ??= setTimeout(flush, intervalMs);
    },
    flush,
    close: flush,
  };
}
