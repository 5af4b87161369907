/**
 * Counts this node's IAM writes, so what the enforcer caches about a principal (iam-caller-cache.ts) is
 * dropped by the next write that could change it: every IamStore method is classified here as a read or a
 * write (a method added to the port must be classified, or this file does not compile), and the store the
 * services see bumps `generation` after each write completes.
 */
import type { IamStore, Store } from "../store/ports.js";
import { WriteCounter, withWritesCounted } from "./write-counter.js";

const METHODS: Record<keyof IamStore, "read" | "write"> = {
  get: "read", list: "read", inlinePolicies: "read", attached: "read", attachmentCount: "read", members: "read",
  groupsOf: "read", policyVersions: "read", attachedTo: "read", boundedBy: "read",
  create: "write", delete: "write", putInlinePolicy: "write", deleteInlinePolicy: "write", attach: "write", detach: "write",
  addMember: "write", removeMember: "write", addPolicyVersion: "write", setDefaultPolicyVersion: "write",
  deletePolicyVersion: "write", setTags: "write", setPermissionsBoundary: "write", updateRole: "write",
};

/** How many IAM writes this node has made; a cache entry taken at an older generation is stale. */
export class IamChanges extends WriteCounter {}

/** `store` with an `iam` port that bumps `changes` after every write (failed ones too: they may have half-happened). */
export function withIamChangeCount(store: Store, changes: IamChanges): Store {
  return withWritesCounted(store, { iam: (method) => METHODS[method as keyof IamStore] === "write" }, changes);
}
