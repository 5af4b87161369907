/**
 * Counts a node's writes to some of the store's ports, so a cache of what those ports hold (a caller's
 * IAM policies, resources' tags) knows it may be stale: the store the services see is wrapped so the
 * chosen methods bump a generation after they complete (failed ones too: they may have half-happened).
 * Proxies rather than spreads: a backend's ports may be class instances whose methods need their `this`.
 */
import type { Store } from "../store/ports.js";

/** How many counted writes this node has made; a cache entry taken at an older generation is stale. */
export class WriteCounter {
  private count = 0;

  get generation(): number {
    return this.count;
  }

  bump(): void {
    this.count++;
  }
}

function counted<T extends object>(port: T, isWrite: (method: string) => boolean, counter: WriteCounter): T {
  return new Proxy(port, {
    get: (target, key) => {
      const value: unknown = Reflect.get(target, key);
      if (typeof value !== "function") return value;
      const method = (value as (...args: unknown[]) => Promise<unknown>).bind(target);
      if (typeof key !== "string" || !isWrite(key)) return method;
      return (...args: unknown[]) => method(...args).finally(() => counter.bump());
    },
  });
}

/** `store` whose named ports bump `counter` after each method `writes` names for that port. */
export function withWritesCounted(store: Store, writes: { readonly [port: string]: (method: string) => boolean }, counter: WriteCounter): Store {
  const ports = new Map<string | symbol, object>(
    Object.entries(writes).map(([name, isWrite]) => [name, counted(Reflect.get(store, name) as object, isWrite, counter)]),
  );
  return new Proxy(store, {
    get: (target, key) => {
      const port = ports.get(key);
      if (port !== undefined) return port;
      const value: unknown = Reflect.get(target, key);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
