/**
 * Wrapping the store's ports (caches that must see writes, reads that wait for pending ones): Proxies
 * rather than spreads, as a backend's ports may be class instances whose methods need their `this`.
 */
import type { Store } from "./ports.js";

export type PortMethod = (...args: unknown[]) => unknown;

/** A member of `target` as a caller sees it: a method bound to `target`, anything else as it is. */
function bound(target: object, key: string | symbol): unknown {
  const value: unknown = Reflect.get(target, key);
  return typeof value === "function" ? (value as PortMethod).bind(target) : value;
}

/** `port` whose methods each go through `wrap` (given the bound method and its name); other members as they are. */
export function withMethods<T extends object>(port: T, wrap: (method: PortMethod, name: string | symbol) => PortMethod): T {
  return new Proxy(port, {
    get(target, key) {
      const value = bound(target, key);
      return typeof value === "function" ? wrap(value as PortMethod, key) : value;
    },
  });
}

/** `store` with the ports `replaced` names answered by their replacements. */
export function withPorts(store: Store, replaced: { readonly [port: string]: object }): Store {
  return new Proxy(store, { get: (target, key) => (typeof key === "string" && Object.hasOwn(replaced, key) ? replaced[key] : bound(target, key)) });
}
