/**
 * AWS's policy evaluation logic for one account (IAM User Guide, "Policy evaluation logic"): an
 * explicit Deny in any applicable policy wins; the account root is allowed the rest; otherwise a
 * request is allowed by an identity-based policy (within the permissions boundary and session
 * policies) or, in the same account, by a resource-based policy that names the caller; across
 * accounts both sides must allow. Everything else is the implicit (default) deny.
 */
import type { CompiledPolicy, CompiledStatement } from "./compile.js";
import { matchPattern } from "./patterns.js";
import { matchNotPrincipal, matchPrincipal, stronger, type PrincipalMatch } from "./principal.js";
import type { RequestContext } from "./types.js";

/** The policies that apply to one request. */
export interface PolicySet {
  /** The caller's identity-based policies (managed, inline, group), or for a role session the role's. */
  readonly identity: readonly CompiledPolicy[];
  /** The resource's own policy (function policy, bucket policy, a role's trust policy for AssumeRole). */
  readonly resource?: CompiledPolicy | undefined;
  /** The caller's permissions boundary, when it has one. */
  readonly boundary?: CompiledPolicy | undefined;
  /** Session policies passed to AssumeRole; when present, they cap what identity policies allow. */
  readonly session?: readonly CompiledPolicy[] | undefined;
  /**
   * The resource policy must itself allow the caller (a role's trust policy for sts:AssumeRole): without an
   * Allow naming the caller, its account or everyone there, identity policies alone do not grant.
   */
  readonly resourceRequired?: boolean | undefined;
  /** The account that owns the resource; defaults to the caller's (same-account evaluation). */
  readonly resourceAccountId?: string | undefined;
}

/** Which policy type decided a denial; each has its own sentence in AWS's message. */
export type DenialReason =
  | "explicit-identity" | "explicit-resource" | "explicit-boundary" | "explicit-session"
  | "no-identity" | "no-resource" | "no-boundary" | "no-session";

export type Evaluation =
  | { readonly decision: "Allow"; readonly by: "root" | "identity" | "resource"; readonly statement: StatementRef | undefined }
  | { readonly decision: "ExplicitDeny" | "ImplicitDeny"; readonly reason: DenialReason; readonly statement: StatementRef | undefined };

/** The statement that decided, for decision logs ("why was this denied"). */
export interface StatementRef {
  readonly policy: string;
  readonly sid: string | undefined;
}

/** Whether the statement's Action/NotAction and Resource/NotResource cover the request (conditions aside). */
export function statementTargets(statement: CompiledStatement, request: RequestContext): boolean {
  const actionListed = statement.actions.some((p) => matchPattern(p, request.action, request.keys));
  if (actionListed === statement.actionsNegated) return false;
  if (statement.resources !== undefined) {
    const resourceListed = statement.resources.some((p) => matchPattern(p, request.resource, request.keys));
    if (resourceListed === statement.resourcesNegated) return false;
  }
  return true;
}

function statementApplies(statement: CompiledStatement, request: RequestContext): boolean {
  return statementTargets(statement, request) && statement.conditions.every((condition) => condition(request.keys));
}

/**
 * Whether the statement applies to the request; `withPrincipal` for resource policies, whose statements name whom
 * they cover; `bounded` when the caller has a permissions boundary.
 */
export function statementMatches(statement: CompiledStatement, request: RequestContext, withPrincipal: boolean, bounded = false): boolean {
  return (!withPrincipal || principalOf(statement, request, bounded) !== "none") && statementApplies(statement, request);
}

function principalOf(statement: CompiledStatement, request: RequestContext, bounded: boolean): PrincipalMatch {
  if (statement.principal === undefined) return "direct";
  if (!statement.principalNegated) return matchPrincipal(statement.principal, request.principal);
  // "The NotPrincipal element with a Deny effect will always deny any IAM principal that has a permissions
  // boundary policy attached, regardless of the values specified" (AWS JSON policy elements: NotPrincipal).
  return bounded ? "direct" : matchNotPrincipal(statement.principal, request.principal);
}

interface Outcome {
  deny: StatementRef | undefined;
  allow: StatementRef | undefined;
  /** How the strongest applicable Allow names the caller (resource and trust policies). */
  allowMatch: PrincipalMatch;
}

/** Scans one policy; `withPrincipal` for resource and trust policies, whose statements name who they cover. */
function scan(policy: CompiledPolicy, request: RequestContext, withPrincipal: boolean, bounded = false): Outcome {
  const outcome: Outcome = { deny: undefined, allow: undefined, allowMatch: "none" };
  for (const statement of policy.statements) {
    const match = withPrincipal ? principalOf(statement, request, bounded) : "direct";
    if (match === "none" || !statementApplies(statement, request)) continue;
    const ref = { policy: policy.name, sid: statement.sid };
    if (statement.effect === "Deny") {
      outcome.deny ??= ref;
    } else if (stronger(match, outcome.allowMatch) !== outcome.allowMatch || outcome.allow === undefined) {
      outcome.allow = ref;
      outcome.allowMatch = stronger(match, outcome.allowMatch);
    }
  }
  return outcome;
}

function scanAll(policies: readonly CompiledPolicy[], request: RequestContext): Outcome {
  const all: Outcome = { deny: undefined, allow: undefined, allowMatch: "none" };
  for (const policy of policies) {
    const one = scan(policy, request, false);
    all.deny ??= one.deny;
    all.allow ??= one.allow;
  }
  return all;
}

/** Evaluates `request` against `policies` with AWS's logic. */
export function evaluate(request: RequestContext, policies: PolicySet): Evaluation {
  const identity = scanAll(policies.identity, request);
  const resource = policies.resource === undefined ? undefined : scan(policies.resource, request, true, policies.boundary !== undefined);
  const boundary = policies.boundary === undefined ? undefined : scanAll([policies.boundary], request);
  const session = policies.session === undefined ? undefined : scanAll(policies.session, request);

  const denied = (reason: DenialReason, statement: StatementRef | undefined): Evaluation => ({ decision: "ExplicitDeny", reason, statement });
  if (identity.deny) return denied("explicit-identity", identity.deny);
  if (resource?.deny) return denied("explicit-resource", resource.deny);
  if (boundary?.deny) return denied("explicit-boundary", boundary.deny);
  if (session?.deny) return denied("explicit-session", session.deny);

  const caller = request.principal;
  const sameAccount = policies.resourceAccountId === undefined || policies.resourceAccountId === caller.accountId;
  if (caller.type === "root" && sameAccount) return { decision: "Allow", by: "root", statement: undefined };

  const resourceMatch = resource?.allowMatch ?? "none";
  if (policies.resourceRequired && resourceMatch === "none") return { decision: "ImplicitDeny", reason: "no-resource", statement: undefined };
  const withinBoundary = boundary === undefined || boundary.allow !== undefined;
  const withinSession = session === undefined || session.allow !== undefined;
  const limitsAllow = withinBoundary && withinSession;
  const implicit = (reason: DenialReason): Evaluation => ({ decision: "ImplicitDeny", reason, statement: undefined });

  if (sameAccount) {
    // A resource policy naming the user or the session itself grants regardless of boundary and session
    // policies; one naming the role is subject to them; one naming only the account delegates to IAM.
    if (resourceMatch === "everyone" || resourceMatch === "direct") return { decision: "Allow", by: "resource", statement: resource?.allow };
    if (resourceMatch === "role" && limitsAllow) return { decision: "Allow", by: "resource", statement: resource?.allow };
    if (identity.allow && limitsAllow) return { decision: "Allow", by: "identity", statement: identity.allow };
  } else {
    if (resourceMatch === "none") return implicit("no-resource");
    if (identity.allow && limitsAllow) return { decision: "Allow", by: "identity", statement: identity.allow };
  }
  if (!identity.allow) return implicit("no-identity");
  return implicit(withinBoundary ? "no-session" : "no-boundary");
}

const REASON_TEXT: Readonly<Record<DenialReason, (action: string) => string>> = {
  "explicit-identity": () => "with an explicit deny in an identity-based policy",
  "explicit-resource": () => "with an explicit deny in a resource-based policy",
  "explicit-boundary": () => "with an explicit deny in a permissions boundary",
  "explicit-session": () => "with an explicit deny in a session policy",
  "no-identity": (action) => `because no identity-based policy allows the ${action} action`,
  "no-resource": (action) => `because no resource-based policy allows the ${action} action`,
  "no-boundary": (action) => `because no permissions boundary allows the ${action} action`,
  "no-session": (action) => `because no session policy allows the ${action} action`,
};

/** AWS's denial sentence: "User: arn:… is not authorized to perform: s3:GetObject on resource: arn:… because …". */
export function denialMessage(request: RequestContext, reason: DenialReason): string {
  const who = request.principal.type === "anonymous" ? "anonymous" : request.principal.arn;
  return `User: ${who} is not authorized to perform: ${request.action} on resource: ${request.resource} ${REASON_TEXT[reason](request.action)}`;
}
