/**
 * The enforcer's cache of resolved callers (who the caller is, its tags and its compiled policies), so a
 * request does not read the user, its groups and every attached policy from the store again
 * (docs/iam.md, "Caching"). An entry is used only while
 * - no IAM write happened on this node since it was taken (`IamChanges.generation`): a change made
 *   through this node counts from the next request, as without the cache;
 * - it is younger than `maxAgeMs`: the bound on staleness for writes made through another node of a
 *   cluster (which this node does not see), unbounded on a single node.
 * A function's role is looked up per request (the function registry caches it), so a changed execution
 * role is a different entry.
 */
import type { Principal } from "../protocol/http.js";
import type { IamChanges } from "./iam-changes.js";
import type { PrincipalResolver, ResolvedCaller } from "./iam-principals.js";

/** Distinct callers kept; past it the oldest entry goes (a Map iterates in insertion order). */
const MAX_ENTRIES = 1000;

interface Entry {
  readonly generation: number;
  readonly expiresAtMs: number;
  readonly caller: ResolvedCaller;
}

export interface CallerCacheDeps {
  readonly resolver: PrincipalResolver;
  readonly changes: IamChanges;
  /** How long an entry may be used at most; undefined: until the next IAM write (one node). */
  readonly maxAgeMs?: number | undefined;
  readonly roleOf: (functionName: string) => Promise<string | undefined>;
  readonly now?: () => number;
}

export class CallerCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly deps: CallerCacheDeps) {}

  /** As `PrincipalResolver.resolve`, from the cache when an entry is still current. */
  async resolve(principal: Principal): Promise<ResolvedCaller | "root" | undefined> {
    const key = await this.keyOf(principal);
    if (key === undefined) return this.deps.resolver.resolve(principal);
    const now = this.deps.now?.() ?? Date.now();
    const generation = this.deps.changes.generation;
    const entry = this.entries.get(key);
    if (entry && entry.generation === generation && entry.expiresAtMs > now) return entry.caller;
    // Taken at the generation seen before reading: a write that lands during the reads makes it stale at once.
    const caller = await this.deps.resolver.resolve(principal);
    if (caller === "root" || caller === undefined) return caller;
    this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { generation, expiresAtMs: now + (this.deps.maxAgeMs ?? Number.POSITIVE_INFINITY), caller });
    return caller;
  }

  /** What the resolution depends on besides IAM's own data; undefined for callers not worth caching (root, anonymous). */
  private async keyOf(principal: Principal): Promise<string | undefined> {
    switch (principal.kind) {
      case "user":
        return `user\n${principal.userName}`;
      case "function":
        return `function\n${principal.functionName}\n${(await this.deps.roleOf(principal.functionName)) ?? ""}`;
      case "role-session":
        return `session\n${JSON.stringify([principal.roleArn, principal.sessionName, principal.sessionPolicy ?? null, principal.sessionPolicyArns ?? [], principal.sessionTags ?? null])}`;
      default:
        return undefined;
    }
  }
}
