/**
 * Invocation bookkeeping handed over after the response: a warm invocation's log events, record and
 * metrics are written once its response is out (Invoker.afterResponse), so the caller never waits for
 * them. Reads of logs and invocation records wait for what is still pending (`afterBookkeeping`), so a
 * request that follows a response (GetLogEvents, FilterLogEvents, the console) still finds them.
 */
import { withMethods, withPorts, type PortMethod } from "../store/port-proxy.js";
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
  const waiting = (method: PortMethod, name: string | symbol, writes: ReadonlySet<string>): PortMethod => {
    if (typeof name === "string" && writes.has(name)) return method;
    return (...args) => {
      const pending = bookkeeping.settled();
      return pending === undefined ? method(...args) : pending.then(() => method(...args));
    };
  };
  const ports = Object.fromEntries(
    Object.entries(BOOKKEEPING_WRITES).map(([port, writes]) => [port, withMethods(Reflect.get(store, port) as object, (method, name) => waiting(method, name, writes))]),
  );
  return withPorts(store, ports);
}
