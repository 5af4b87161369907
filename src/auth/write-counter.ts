/**
 * Counts a node's writes to some of the store's ports, so a cache of what those ports hold (a caller's
 * IAM policies, resources' tags) knows it may be stale: the store the services see is wrapped so the
 * chosen methods bump a generation after they complete (failed ones too: they may have half-happened).
 */
import { withMethods, withPorts } from "../store/port-proxy.js";
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
  return withMethods(port, (method, name) =>
    typeof name === "string" && isWrite(name) ? (...args) => (method(...args) as Promise<unknown>).finally(() => counter.bump()) : method,
  );
}

/** `store` whose named ports bump `counter` after each method `writes` names for that port. */
export function withWritesCounted(store: Store, writes: { readonly [port: string]: (method: string) => boolean }, counter: WriteCounter): Store {
  return withPorts(store, Object.fromEntries(Object.entries(writes).map(([name, isWrite]) => [name, counted(Reflect.get(store, name) as object, isWrite, counter)])));
}
