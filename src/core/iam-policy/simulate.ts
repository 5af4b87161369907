/**
 * The policy simulator (SimulatePrincipalPolicy, SimulateCustomPolicy): the evaluator's own decision,
 * plus what IAM's simulator reports beside it: every statement that matched with the deciding effect,
 * and the condition keys that statements covering the request test but the request does not carry.
 */
import type { CompiledPolicy } from "./compile.js";
import { evaluate, statementMatches, statementTargets, type PolicySet } from "./evaluate.js";
import type { RequestContext } from "./types.js";

export type SimulatedDecision = "allowed" | "explicitDeny" | "implicitDeny";

export interface Simulation {
  readonly decision: SimulatedDecision;
  /** The policies (by CompiledPolicy name) of the statements that matched with the deciding effect, one entry per statement. */
  readonly matched: readonly string[];
  /** Condition keys, as the policies spell them, that the request lacks. */
  readonly missingContextValues: readonly string[];
  /** Whether the permissions boundary has an Allow for the request and no Deny; undefined when there is no boundary. */
  readonly allowedByBoundary: boolean | undefined;
}

interface Scanned { readonly policy: CompiledPolicy; readonly withPrincipal: boolean }

function everyPolicy(policies: PolicySet): Scanned[] {
  return [
    ...policies.identity.map((policy) => ({ policy, withPrincipal: false })),
    ...(policies.resource ? [{ policy: policies.resource, withPrincipal: true }] : []),
    ...(policies.boundary ? [{ policy: policies.boundary, withPrincipal: false }] : []),
    ...(policies.session ?? []).map((policy) => ({ policy, withPrincipal: false })),
  ];
}

/** Simulates one request against `policies` with the evaluator's logic. */
export function simulate(request: RequestContext, policies: PolicySet): Simulation {
  const evaluation = evaluate(request, policies);
  const decision: SimulatedDecision = evaluation.decision === "Allow" ? "allowed" : evaluation.decision === "ExplicitDeny" ? "explicitDeny" : "implicitDeny";
  const effect = decision === "allowed" ? "Allow" : decision === "explicitDeny" ? "Deny" : undefined;
  const matched: string[] = [];
  const missing = new Map<string, string>();
  for (const { policy, withPrincipal } of everyPolicy(policies)) {
    for (const statement of policy.statements) {
      if (effect !== undefined && statement.effect === effect && statementMatches(statement, request, withPrincipal, policies.boundary !== undefined)) matched.push(policy.name);
      if (!statementTargets(statement, request)) continue;
      for (const key of statement.conditionKeys) {
        if (!request.keys.has(key.toLowerCase()) && !missing.has(key.toLowerCase())) missing.set(key.toLowerCase(), key);
      }
    }
  }
  return { decision, matched, missingContextValues: [...missing.values()], allowedByBoundary: boundaryAllows(request, policies.boundary) };
}

/** IAM's AllowedByPermissionsBoundary: an Allow statement of the boundary applies and none of its Deny statements does. */
function boundaryAllows(request: RequestContext, boundary: CompiledPolicy | undefined): boolean | undefined {
  if (boundary === undefined) return undefined;
  const applying = boundary.statements.filter((statement) => statementMatches(statement, request, false));
  return applying.some((s) => s.effect === "Allow") && !applying.some((s) => s.effect === "Deny");
}
