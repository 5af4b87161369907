/**
 * Coverage that is measured, not claimed: every port object a test touches is seen through a Proxy
 * that notes each method called, and the inventory of methods is read from the real port objects
 * (own and prototype function properties), so a method someone adds later shows up as uncovered.
 * Every port method answers with a Promise, so the Proxy passes calls through unchanged.
 */
import type { Store } from "../../src/store/ports.js";

/** The store under contract: the Store itself (every method of every port is asynchronous). */
export type ContractStore = Store;

/** Function-valued properties of `target`, own and inherited (not Object.prototype's). */
function methodNames(target: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = target; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name !== "constructor" && typeof (target as Record<string, unknown>)[name] === "function") names.add(name);
    }
  }
  return [...names];
}

export class CoverageRecorder {
  /** "port.method" of every method the real store objects have. */
  private readonly inventory = new Set<string>();
  private readonly called = new Set<string>();

  /** Wraps a freshly opened store: records its inventory and every call made through it. */
  wrap(store: Store): ContractStore {
    const wrapped: Record<string, unknown> = {};
    for (const name of methodNames(store)) {
      this.inventory.add(`store.${name}`);
      const method = Reflect.get(store, name) as (...args: unknown[]) => unknown;
      wrapped[name] = (...args: unknown[]) => this.call(`store.${name}`, method, store, args);
    }
    for (const key of Object.keys(store)) {
      const value: unknown = Reflect.get(store, key);
      if (value && typeof value === "object") wrapped[key] = this.port(key, value);
    }
    return wrapped as unknown as ContractStore;
  }

  private port(portName: string, port: object): unknown {
    for (const name of methodNames(port)) this.inventory.add(`${portName}.${name}`);
    return new Proxy(port, {
      get: (target, property, receiver) => {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== "function" || typeof property !== "string") return value;
        return (...args: unknown[]) => this.call(`${portName}.${property}`, value as (...a: unknown[]) => unknown, target, args);
      },
    });
  }

  private call(name: string, fn: (...args: unknown[]) => unknown, self: unknown, args: unknown[]): unknown {
    this.called.add(name);
    return fn.apply(self, args);
  }

  report(): { total: number; covered: number; uncovered: string[] } {
    const uncovered = [...this.inventory].filter((name) => !this.called.has(name)).sort();
    return { total: this.inventory.size, covered: this.inventory.size - uncovered.length, uncovered };
  }
}
