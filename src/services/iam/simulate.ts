/**
 * The policy simulator: SimulatePrincipalPolicy (a user's, group's or role's policies, gathered as
 * enforcement gathers them: src/auth/iam-principals.ts) and SimulateCustomPolicy (documents passed in),
 * each decided by the one evaluator (src/core/iam-policy/simulate.ts). The simulator fills in no
 * condition keys of its own: a key a matching statement tests is evaluated only when ContextEntries
 * gives it, and is otherwise reported in MissingContextValues, as IAM's simulator does.
 */
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import type { IamPrincipalKind } from "../../core/iam.js";
import {
  MalformedPolicyError, PolicyCache, simulate, type CompiledPolicy, type ContextValue, type PolicyKind, type PolicySet, type RequestPrincipal,
} from "../../core/iam-policy/index.js";
import { PrincipalResolver } from "../../auth/iam-principals.js";
import type { Operation } from "../../protocol/codecs/model-service.js";
import type { IamStore } from "../../store/ports.js";
import { requirePrincipal } from "./principals.js";

interface ContextEntry { readonly ContextKeyName?: string; readonly ContextKeyValues?: readonly string[]; readonly ContextKeyType?: string }
interface SimulateInput {
  readonly PolicySourceArn?: string;
  readonly PolicyInputList?: readonly string[];
  readonly PermissionsBoundaryPolicyInputList?: readonly string[];
  readonly ActionNames: readonly string[];
  readonly ResourceArns?: readonly string[];
  readonly ResourcePolicy?: string;
  readonly ResourceOwner?: string;
  readonly CallerArn?: string;
  readonly ContextEntries?: readonly ContextEntry[];
}

/** Names the simulator's own policies carry, so that MatchedStatements can say where a statement came from. */
const INPUT = "input:";
const BOUNDARY = "boundary:";
const RESOURCE = "resource:ResourcePolicy";

/** SourcePolicyId and SourcePolicyType of a compiled policy's name (iam-principals.ts names inline ones `inline:[group/]<owner>/<policy>`). */
function source(name: string, kind: IamPrincipalKind | undefined) {
  if (name.startsWith(INPUT)) return { SourcePolicyId: name.slice(INPUT.length), SourcePolicyType: "none" };
  if (name.startsWith(BOUNDARY)) return { SourcePolicyId: name.slice(BOUNDARY.length), SourcePolicyType: "none" };
  if (name === RESOURCE) return { SourcePolicyId: "ResourcePolicy", SourcePolicyType: "resource" };
  const last = name.slice(name.lastIndexOf("/") + 1);
  if (name.startsWith("arn:aws:iam::aws:")) return { SourcePolicyId: last, SourcePolicyType: "aws-managed" };
  if (name.startsWith("arn:")) return { SourcePolicyId: last, SourcePolicyType: "user-managed" };
  return { SourcePolicyId: last, SourcePolicyType: name.startsWith("inline:group/") ? "group" : (kind ?? "none") };
}

function compile(cache: PolicyCache, document: string, kind: PolicyKind, name: string): CompiledPolicy {
  try {
    return cache.get(document, kind, name);
  } catch (error) {
    if (error instanceof MalformedPolicyError) throw new UnkaiError("MalformedPolicyDocument", error.message);
    throw error;
  }
}

/** ContextEntries as the evaluator's keys: list types are multivalued, the others take their one value. */
function contextKeys(entries: readonly ContextEntry[]): Map<string, ContextValue> {
  const keys = new Map<string, ContextValue>();
  for (const entry of entries) {
    const name = entry.ContextKeyName ?? "";
    const values = entry.ContextKeyValues ?? [];
    if (!/^[\w.:/-]{5,256}$/.test(name)) throw new UnkaiError("InvalidInput", `Invalid context key name: ${name}`);
    if (entry.ContextKeyType === undefined) throw new UnkaiError("InvalidInput", `Context key ${name} has no ContextKeyType.`);
    const list = entry.ContextKeyType.endsWith("List");
    if (!list && values.length !== 1) throw new UnkaiError("InvalidInput", `Context key ${name} of type ${entry.ContextKeyType} takes exactly one value.`);
    keys.set(name.toLowerCase(), list ? values : (values[0] ?? ""));
  }
  return keys;
}

function checkActions(actions: readonly string[]): void {
  if (actions.length === 0) throw new UnkaiError("InvalidInput", "ActionNames must name at least one action.");
  for (const action of actions) {
    if (!/^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$/.test(action)) throw new UnkaiError("InvalidInput", `Invalid action name: ${action}`);
  }
}

export function simulateOperations(iam: IamStore, account: Account): Record<string, Operation> {
  const cache = new PolicyCache(200);
  const resolver = new PrincipalResolver({ iam, account, cache, roleOf: async () => undefined });

  /** The policy set and caller for one simulation, `identity` being the principal's or the custom policies. */
  const run = (input: SimulateInput, identity: readonly CompiledPolicy[], principal: RequestPrincipal, kind: IamPrincipalKind | undefined, ownBoundary?: CompiledPolicy) => {
    checkActions(input.ActionNames);
    const own = (input.PolicyInputList ?? []).map((d, i) => compile(cache, d, "identity", `${INPUT}PolicyInputList.${i + 1}`));
    const boundaries = (input.PermissionsBoundaryPolicyInputList ?? []).map((d, i) => compile(cache, d, "identity", `${BOUNDARY}PermissionsBoundaryPolicyInputList.${i + 1}`));
    if (boundaries.length > 1) throw new UnkaiError("InvalidInput", "PermissionsBoundaryPolicyInputList takes one permissions boundary policy.");
    if (input.ResourceOwner !== undefined && !/^(\d{12}|arn:aws:iam::\d{12}:root)$/.test(input.ResourceOwner)) {
      throw new UnkaiError("InvalidInput", `'${input.ResourceOwner}' is not a valid as a Resource Owner.`);
    }
    const policies: PolicySet = {
      identity: [...identity, ...own],
      resource: input.ResourcePolicy === undefined ? undefined : compile(cache, input.ResourcePolicy, "resource", RESOURCE),
      // A boundary passed in replaces the principal's own for the simulation, as IAM documents.
      boundary: boundaries[0] ?? ownBoundary,
      resourceAccountId: input.ResourceOwner?.replace(/^arn:aws:iam::(\d{12}):root$/, "$1"),
    };
    const caller: RequestPrincipal = input.CallerArn === undefined ? principal : { type: "user", arn: input.CallerArn, accountId: account.accountId };
    const keys = contextKeys(input.ContextEntries ?? []);
    const results = [];
    for (const action of input.ActionNames) {
      for (const resource of input.ResourceArns ?? ["*"]) {
        const outcome = simulate({ action, resource, principal: caller, keys }, policies);
        results.push({
          EvalActionName: action, EvalResourceName: resource, EvalDecision: outcome.decision,
          MatchedStatements: outcome.matched.map((name) => source(name, kind)),
          MissingContextValues: outcome.missingContextValues,
          ...(outcome.allowedByBoundary === undefined ? {} : { PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: outcome.allowedByBoundary } }),
        });
      }
    }
    return { EvaluationResults: results, IsTruncated: false };
  };

  return {
    async SimulateCustomPolicy(input: SimulateInput) {
      if ((input.PolicyInputList ?? []).length === 0) throw new UnkaiError("InvalidInput", "PolicyInputList must contain at least one policy.");
      // No principal: a caller that is no one in particular, so that only the documents decide.
      const principal: RequestPrincipal = { type: "user", arn: `arn:aws:iam::${account.accountId}:user/simulated`, accountId: account.accountId };
      return run(input, [], principal, undefined);
    },
    async SimulatePrincipalPolicy(input: SimulateInput) {
      const arn = input.PolicySourceArn ?? "";
      const match = new RegExp(`^arn:aws:iam::${account.accountId}:(user|group|role)/(?:.*/)?([^/]+)$`).exec(arn);
      if (!match) throw new UnkaiError("InvalidInput", `Invalid Entity Arn: ${arn} does not clearly define entity type and name.`);
      const kind = match[1] as IamPrincipalKind;
      const entity = await requirePrincipal(iam, kind, match[2] ?? "");
      if (entity.arn !== arn) throw new UnkaiError("NoSuchEntity", `The ${kind} with name ${entity.name} cannot be found.`);
      const principal: RequestPrincipal = kind === "role"
        ? { type: "assumed-role", arn: `arn:aws:sts::${account.accountId}:assumed-role/${entity.name}/simulated`, accountId: account.accountId, roleArn: arn }
        : { type: "user", arn, accountId: account.accountId };
      // A user's or role's boundary caps the simulation as it caps enforcement (a group has none).
      return run(input, await resolver.policiesOf(kind, entity), principal, kind, await resolver.boundaryOf(entity));
    },
  };
}
