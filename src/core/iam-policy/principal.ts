/**
 * Whether a resource or trust policy's Principal names the caller, and how: the difference matters
 * because an Allow naming the account only delegates to the account's own identity policies, and an
 * Allow naming a role (rather than the role session) is still limited by session policies and
 * permissions boundaries (IAM User Guide, "Policy evaluation logic" and "Cross-account").
 */
import type { PrincipalBlock, RequestPrincipal } from "./types.js";

/** How a Principal element names the caller, strongest first; `none` when it does not. */
export type PrincipalMatch = "everyone" | "direct" | "role" | "account" | "none";

const RANK: Readonly<Record<PrincipalMatch, number>> = { everyone: 4, direct: 3, role: 2, account: 1, none: 0 };

/** The stronger of two matches. */
export const stronger = (a: PrincipalMatch, b: PrincipalMatch): PrincipalMatch => (RANK[a] >= RANK[b] ? a : b);

function matchAws(value: string, caller: RequestPrincipal): PrincipalMatch {
  if (value === "*") return "everyone";
  if (caller.type === "service" || caller.type === "anonymous") return "none";
  const account = /^\d{12}$/.test(value) ? value : /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(value)?.[1];
  if (account !== undefined) {
    if (account !== caller.accountId) return "none";
    return caller.type === "root" ? "direct" : "account";
  }
  if (value === caller.arn) return "direct";
  if (caller.roleArn !== undefined && value === caller.roleArn) return "role";
  return "none";
}

/** How `block` names `caller`. */
export function matchPrincipal(block: PrincipalBlock, caller: RequestPrincipal): PrincipalMatch {
  if (block === "*") return "everyone";
  let best: PrincipalMatch = "none";
  for (const value of block.AWS ?? []) best = stronger(best, matchAws(value, caller));
  if (caller.type === "service") {
    for (const value of block.Service ?? []) if (value === "*" || value === caller.arn) best = stronger(best, "direct");
  }
  return best;
}

/**
 * NotPrincipal: applies to every caller the block does not name. Naming the account exempts only the
 * account itself (its root), not everyone in it: AWS's example `NotPrincipal: [user/Bob, account root]`
 * denies every principal but Bob ("AWS JSON policy elements: NotPrincipal"). A role's sessions are
 * exempted by their session ARN, or by the role's ARN together with its account's, as that page advises.
 */
export function matchNotPrincipal(block: PrincipalBlock, caller: RequestPrincipal): PrincipalMatch {
  if (block === "*") return "none";
  const named = (block.AWS ?? []).map((value) => matchAws(value, caller));
  const serviceNamed = caller.type === "service" && (block.Service ?? []).some((value) => value === "*" || value === caller.arn);
  const exempt = serviceNamed || named.includes("everyone") || named.includes("direct") || (named.includes("role") && named.includes("account"));
  return exempt ? "none" : "direct";
}
