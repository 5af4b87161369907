/**
 * Group commit: writes that arrive in the same turn of the event loop run in one fsynced
 * transaction, each in its own savepoint (one failing write does not undo the others), and each
 * caller is answered only after that commit.
 */
import { durably, type Db } from "./database.js";

interface Pending {
  readonly write: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
}

export function groupCommit(db: Db): <T>(write: () => T) => Promise<T> {
  let pending: Pending[] = [];
  const commit = durably(db, (batch: Pending[]) => {
    for (const item of batch) {
      try {
        item.outcome = { ok: true, value: db.transaction(item.write)() };
      } catch (error) {
        item.outcome = { ok: false, error };
      }
    }
  });
  const flush = () => {
    const batch = pending;
    pending = [];
    try {
      commit(batch);
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    for (const item of batch) {
      if (item.outcome?.ok) item.resolve(item.outcome.value);
      else item.reject(item.outcome?.error);
    }
  };
  return <T>(write: () => T) =>
    new Promise<T>((resolve, reject) => {
      pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (pending.length === 1) setImmediate(flush);
    });
}
