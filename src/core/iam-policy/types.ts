/**
 * The IAM policy language as data: a parsed, validated policy document (validate.ts builds it) and
 * the request it is evaluated against (evaluate.ts). Pure: no store, no clock, no service.
 */

/** Where a document is used; IAM validates each kind differently. */
export type PolicyKind =
  /** A customer managed policy (CreatePolicy): Version 2012-10-17 required, no Principal. */
  | "managed"
  /** An inline identity policy (Put{User,Group,Role}Policy) or a session policy: no Principal. */
  | "identity"
  /** A role's trust policy (AssumeRolePolicyDocument): Principal required, no Resource. */
  | "trust"
  /** A resource-based policy (function policy, bucket policy, queue policy): Principal required. */
  | "resource";

export type Effect = "Allow" | "Deny";

/** `Principal`/`NotPrincipal`: `*` (everyone) or principal type → values (`AWS`, `Service`, `Federated`, `CanonicalUser`). */
export type PrincipalBlock = "*" | Readonly<Record<string, readonly string[]>>;

/** One condition test: operator `StringLike`, qualifiers split off. */
export interface ConditionTest {
  /** The base operator, e.g. `StringEquals`, `NumericLessThan`, `Null`. */
  readonly operator: string;
  readonly set: "ForAnyValue" | "ForAllValues" | undefined;
  readonly ifExists: boolean;
  /** The condition key as written (keys compare case-insensitively). */
  readonly key: string;
  readonly values: readonly string[];
}

export interface Statement {
  readonly sid: string | undefined;
  readonly effect: Effect;
  /** Exactly one of action/notAction is set. */
  readonly action: readonly string[] | undefined;
  readonly notAction: readonly string[] | undefined;
  /** Identity and resource policies have one of these; trust policies have neither. */
  readonly resource: readonly string[] | undefined;
  readonly notResource: readonly string[] | undefined;
  readonly principal: PrincipalBlock | undefined;
  readonly notPrincipal: PrincipalBlock | undefined;
  readonly conditions: readonly ConditionTest[];
}

export interface Policy {
  readonly version: "2012-10-17" | "2008-10-17";
  readonly id: string | undefined;
  readonly statements: readonly Statement[];
}

/** Who is asking, as the evaluator needs to know it. */
export interface RequestPrincipal {
  readonly type: "root" | "user" | "assumed-role" | "service" | "anonymous";
  /** The caller's ARN (`arn:aws:sts::<acct>:assumed-role/<role>/<session>` for a session); a service's DNS name. */
  readonly arn: string;
  /** Undefined for services and anonymous callers. */
  readonly accountId: string | undefined;
  /** For a role session: the role's ARN (`aws:PrincipalArn`), which resource policies may name instead of the session. */
  readonly roleArn?: string | undefined;
}

/** A condition key's value in the request context: one string, or several for a multivalued key. */
export type ContextValue = string | readonly string[];

/** One request to authorize: action, resource, caller, and every condition key Unkai knows for it. */
export interface RequestContext {
  /** `service:Operation`, e.g. `lambda:InvokeFunction`. */
  readonly action: string;
  /** The resource ARN, or `*` for actions on no particular resource. */
  readonly resource: string;
  readonly principal: RequestPrincipal;
  /** Condition keys, LOWER-CASED (`aws:sourceip`); see context.ts for the global ones. */
  readonly keys: ReadonlyMap<string, ContextValue>;
}

/** Thrown for a document IAM would refuse; `message` is IAM's MalformedPolicyDocument wording. */
export class MalformedPolicyError extends Error {
  override readonly name = "MalformedPolicyError";
}

/**
 * One permission a request needs: an IAM action on one resource, with the service's own condition
 * keys for it. A request may need several (CopyObject: s3:GetObject on the source and s3:PutObject on
 * the target; CreateFunction: lambda:CreateFunction and iam:PassRole on the role); every one must be allowed.
 */
export interface ActionRequest {
  /** `service:Action` as the Service Authorization Reference names it, e.g. `lambda:InvokeFunction`. */
  readonly action: string;
  /** The resource ARN, or `*` for actions that name no resource (ListFunctions, ListAllMyBuckets). */
  readonly resource: string;
  /** The service's condition keys for this request (`s3:prefix`, `lambda:Layer`), as the reference spells them. */
  readonly keys?: Readonly<Record<string, ContextValue>> | undefined;
}
