/**
 * Counts this node's writes to the ports that hold resources' tags, so the enforcer's cache of
 * `aws:ResourceTag/<key>` values (resource-tags.ts) is dropped by the next write that could change them:
 * TagQueue, TagResource on a topic, table or rule, PutBucketTagging, and the creates and deletes that give
 * a name new tags. Only the methods listed here count; item, message and log writes do not, so the hot
 * paths of those services never touch the cache. Lambda functions are not here: their tags are read from
 * the function registry, which keeps itself current (src/functions/function-service.ts).
 */
import type { Store } from "../store/ports.js";

/** The ports whose records carry tags, with the methods that can change them. */
const TAG_WRITES = {
  queues: ["create", "setAttributes", "setTags", "delete"],
  snsTopics: ["put", "delete"],
  bucketSettings: ["put", "delete"],
  dynamodb: ["createTable", "updateTable", "deleteTable"],
  eventRules: ["put", "delete"],
  eventBuses: ["put", "delete"],
} as const satisfies Partial<{ readonly [P in keyof Store]: readonly (keyof Store[P])[] }>;

/** How many tag-holding writes this node has made; a cached tag set taken at an older generation is stale. */
export class ResourceTagChanges {
  private count = 0;

  get generation(): number {
    return this.count;
  }

  bump(): void {
    this.count++;
  }
}

function counted<T extends object>(port: T, writes: readonly string[], changes: ResourceTagChanges): T {
  return new Proxy(port, {
    get: (target, key) => {
      const value: unknown = Reflect.get(target, key);
      if (typeof value !== "function") return value;
      const method = (value as (...args: unknown[]) => Promise<unknown>).bind(target);
      if (typeof key !== "string" || !writes.includes(key)) return method;
      // Failed writes count too: they may have half-happened.
      return (...args: unknown[]) => method(...args).finally(() => changes.bump());
    },
  });
}

/** `store` whose tag-holding ports bump `changes` after each write that can change a resource's tags. */
export function withResourceTagChangeCount(store: Store, changes: ResourceTagChanges): Store {
  const ports = new Map<string | symbol, object>(
    Object.entries(TAG_WRITES).map(([name, writes]) => [name, counted(store[name as keyof typeof TAG_WRITES] as object, writes, changes)]),
  );
  // A proxy rather than a spread: a backend's ports may be class instances whose methods need their `this`.
  return new Proxy(store, {
    get: (target, key) => {
      const port = ports.get(key);
      if (port !== undefined) return port;
      const value: unknown = Reflect.get(target, key);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
