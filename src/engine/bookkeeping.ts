/**
 * Invocation bookkeeping handed over after the response: a warm invocation's log events, record and
 * metrics are written once its response is out (Invoker.afterResponse), so the caller never waits for
 * them. Reads of logs and invocation records wait for what is still pending (`afterBookkeeping`), so a
 * request that follows a response (GetLogEvents, FilterLogEvents, the console) still finds them.
 */
import type { Store } from "../store/ports.js";

export class PendingBookkeeping {
  private readonly pending = new Set<Promise<void>>();

  /** Counts `work` as pending until it settles (it must not reject). */
  track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Resolves once everything handed over so far is written; undefined when nothing is pending. */
  settled(): Promise<void> | undefined {
    return this.pending.size === 0 ? undefined : Promise.all(this.pending).then(() => undefined);
  }
}

/** The writes bookkeeping makes itself: they never wait. */
const BOOKKEEPING_WRITES: { readonly [port: string]: ReadonlySet<string> } = { logs: new Set(["append"]), invocations: new Set(["add"]) };

/** `store` whose logs and invocations ports let pending bookkeeping finish before any call but its own writes. */
export function afterBookkeeping(store: Store, bookkeeping: PendingBookkeeping): Store {
  const ports = new Map<string | symbol, object>(Object.entries(BOOKKEEPING_WRITES).map(([name, writes]) => [name, waiting(Reflect.get(store, name) as object, writes, bookkeeping)]));
  return new Proxy(store, { get: (target, key) => ports.get(key) ?? bound(target, key) });
}

function waiting(port: object, writes: ReadonlySet<string>, bookkeeping: PendingBookkeeping): object {
  return new Proxy(port, {
    get(target, key) {
      const value = bound(target, key);
      if (typeof value !== "function" || (typeof key === "string" && writes.has(key))) return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]): unknown => {
        const pending = bookkeeping.settled();
        return pending === undefined ? method(...args) : pending.then(() => method(...args));
      };
    },
  });
}

function bound(target: object, key: string | symbol): unknown {
  const value: unknown = Reflect.get(target, key);
  return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
}
