/**
 * A validated policy compiled for evaluation: action and resource patterns as RegExps, conditions as
 * closures. Compiling is the costly part, so `PolicyCache` keeps compiled policies keyed by their
 * document text: a changed document is a different key, so nothing ever needs invalidating; the
 * cache only evicts the least recently used entry when it is full.
 */
import { compileCondition, type CompiledCondition } from "./operators.js";
import { compilePattern, type Pattern } from "./patterns.js";
import { parsePolicy } from "./validate.js";
import type { Effect, Policy, PolicyKind, PrincipalBlock, Statement } from "./types.js";

export interface CompiledStatement {
  readonly sid: string | undefined;
  readonly effect: Effect;
  readonly actions: readonly Pattern[];
  /** True for NotAction: the statement applies to every action NOT listed. */
  readonly actionsNegated: boolean;
  /** Undefined for trust policies, which name no resource. */
  readonly resources: readonly Pattern[] | undefined;
  readonly resourcesNegated: boolean;
  readonly principal: PrincipalBlock | undefined;
  readonly principalNegated: boolean;
  readonly conditions: readonly CompiledCondition[];
  /** The condition keys the statement tests, as written (SimulatePrincipalPolicy reports those the request lacks). */
  readonly conditionKeys: readonly string[];
}

export interface CompiledPolicy {
  /** What denial messages and decision logs call it (a policy ARN or `inline:<role>/<name>`). */
  readonly name: string;
  readonly statements: readonly CompiledStatement[];
  /**
   * Whether a statement tests or substitutes the resource's tags (`aws:ResourceTag/…` or an S3 object's
   * `s3:ExistingObjectTag/…`, as a condition key or a `${…}` variable): only then does the enforcer look the
   * resource's tags up.
   */
  readonly usesResourceTags: boolean;
}

const RESOURCE_TAG = /aws:resourcetag\/|s3:existingobjecttag\//i;

/** Decided once per compiled document, from the validated statements (keys, condition values, resources). */
function mentionsResourceTags(policy: Policy): boolean {
  return policy.statements.some((s) =>
    s.conditions.some((c) => RESOURCE_TAG.test(c.key) || c.values.some((v) => RESOURCE_TAG.test(v)))
    || [...(s.resource ?? []), ...(s.notResource ?? [])].some((r) => RESOURCE_TAG.test(r)));
}

function compileStatement(statement: Statement, variables: boolean): CompiledStatement {
  const actionList = statement.action ?? statement.notAction ?? [];
  const resourceList = statement.resource ?? statement.notResource;
  return {
    sid: statement.sid,
    effect: statement.effect,
    // Action names compare case-insensitively; ARNs case-sensitively.
    actions: actionList.map((a) => compilePattern(a, { wildcards: "string", ignoreCase: true })),
    actionsNegated: statement.notAction !== undefined,
    resources: resourceList?.map((r) => compilePattern(r, { wildcards: "arn", variables })),
    resourcesNegated: statement.notResource !== undefined,
    principal: statement.principal ?? statement.notPrincipal,
    principalNegated: statement.notPrincipal !== undefined,
    conditions: statement.conditions.map((c) => compileCondition(c, variables)),
    conditionKeys: [...new Set(statement.conditions.map((c) => c.key))],
  };
}

/** Compiles a validated policy; policy variables are honoured only in Version 2012-10-17 documents. */
export function compilePolicy(policy: Policy, name: string): CompiledPolicy {
  const variables = policy.version === "2012-10-17";
  return { name, statements: policy.statements.map((s) => compileStatement(s, variables)), usesResourceTags: mentionsResourceTags(policy) };
}

/** Parsed, validated and compiled documents by text, least recently used evicted first. */
export class PolicyCache {
  private readonly compiled = new Map<string, CompiledPolicy>();

  constructor(private readonly capacity = 2_000) {}

  /** The compiled form of `text`; throws MalformedPolicyError as parsePolicy does. */
  get(text: string, kind: PolicyKind, name: string): CompiledPolicy {
    const key = `${kind}\u0000${name}\u0000${text}`;
    const hit = this.compiled.get(key);
    if (hit !== undefined) {
      this.compiled.delete(key);
      this.compiled.set(key, hit);
      return hit;
    }
    const made = compilePolicy(parsePolicy(text, kind), name);
    this.compiled.set(key, made);
    if (this.compiled.size > this.capacity) {
      const oldest = this.compiled.keys().next().value;
      if (oldest !== undefined) this.compiled.delete(oldest);
    }
    return made;
  }

  get size(): number {
    return this.compiled.size;
  }
}
