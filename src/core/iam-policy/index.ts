/** The IAM policy language: parse and validate (validate.ts), compile (compile.ts), evaluate (evaluate.ts). */
export { MalformedPolicyError } from "./types.js";
export type { ActionRequest, ContextValue, Policy, PolicyKind, RequestContext, RequestPrincipal, Statement } from "./types.js";
export { parsePolicy, validatePolicy } from "./validate.js";
export { compilePolicy, PolicyCache, type CompiledPolicy } from "./compile.js";
export { denialMessage, evaluate, type DenialReason, type Evaluation, type PolicySet } from "./evaluate.js";
export { requestContext, type RequestFacts } from "./context.js";
export { requestTagKeys } from "./request-tags.js";
export { passRole } from "./pass-role.js";
export { findManagedPolicy, MANAGED_POLICIES, managedPolicyArn, type ManagedPolicy } from "./managed-policies.js";
export { simulate, type SimulatedDecision, type Simulation } from "./simulate.js";
