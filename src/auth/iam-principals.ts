/**
 * Who a verified caller is for IAM, with the policies that apply to it: an IAM user's access key is the
 * user (its inline and attached policies and those of its groups); an AssumeRole session and a function's session credentials are
 * the role assumed (the role's policies), an AssumeRole session further capped by its session policies.
 * The account root's keys (`unkai keys`, UNKAI_ACCESS_KEY_ID, the loopback `test`) resolve to the root.
 */
import type { Account } from "../core/arn.js";
import type { IamEntity, IamPrincipalKind } from "../core/iam.js";
import { findManagedPolicy, type CompiledPolicy, type PolicyCache, type RequestPrincipal } from "../core/iam-policy/index.js";
import type { Principal } from "../protocol/http.js";
import type { IamStore } from "../store/ports.js";

/** The caller as the evaluator sees it, and its policies. */
export interface ResolvedCaller {
  readonly principal: RequestPrincipal;
  /** `aws:username` (IAM users only). */
  readonly userName?: string | undefined;
  /** `aws:userid`: `AIDA…` for a user, `AROA…:session` for a role session. */
  readonly userId?: string | undefined;
  /** `aws:PrincipalTag/<key>`: the user's tags, or the assumed role's. */
  readonly principalTags?: Readonly<Record<string, string>> | undefined;
  readonly identity: readonly CompiledPolicy[];
  /** The user's or role's permissions boundary; undefined when it has none (no cap). */
  readonly boundary?: CompiledPolicy | undefined;
  /** An AssumeRole session's policies; undefined when the session has none (no cap). */
  readonly session?: readonly CompiledPolicy[] | undefined;
  /**
   * Whether any of these policies tests the resource's tags, decided once when the caller is resolved (and
   * cached with it): only then does a request of this caller look its resource's tags up.
   */
  readonly usesResourceTags?: boolean;
}

/** `caller` with `usesResourceTags` decided from its identity, boundary and session policies. */
function withTagUse(caller: ResolvedCaller): ResolvedCaller {
  const policies = [...caller.identity, ...(caller.boundary ? [caller.boundary] : []), ...(caller.session ?? [])];
  return { ...caller, usesResourceTags: policies.some((p) => p.usesResourceTags) };
}

export interface PrincipalResolverDeps {
  readonly iam: IamStore;
  readonly account: Account;
  readonly cache: PolicyCache;
  /** A function's execution role ARN, undefined when the function is gone. */
  readonly roleOf: (functionName: string) => Promise<string | undefined>;
}

/** `base` with `over` laid on top, a key of `over` replacing one of `base` that differs only in case. */
function overriding(base: Readonly<Record<string, string>> | undefined, over: Readonly<Record<string, string>>): Record<string, string> {
  const replaced = new Set(Object.keys(over).map((k) => k.toLowerCase()));
  return { ...Object.fromEntries(Object.entries(base ?? {}).filter(([k]) => !replaced.has(k.toLowerCase()))), ...over };
}

/** The role's name: the last segment of its ARN (the path is not part of IAM's unique name). */
export const roleNameOf = (roleArn: string) => roleArn.slice(roleArn.lastIndexOf("/") + 1);

/**
 * Whether IAM evaluates `principal`'s requests at all: the account root's keys are allowed everything,
 * and anonymous callers and Unkai's own presigning key are not IAM's to judge. Known without a lookup.
 */
export function evaluatedByIam(principal: Principal): boolean {
  return principal.kind !== "key" && principal.kind !== "anonymous" && principal.kind !== "unkai";
}

/** Resolves callers to the principals and policies IAM evaluates. */
export class PrincipalResolver {
  constructor(private readonly deps: PrincipalResolverDeps) {}

  /** A managed policy's compiled document: one of AWS's, or a customer policy from the store. */
  private async managed(arn: string): Promise<CompiledPolicy | undefined> {
    const aws = findManagedPolicy(arn);
    const document = aws ? JSON.stringify(aws.document) : (await this.deps.iam.list("policy")).find((p) => p.arn === arn)?.document;
    return document === undefined ? undefined : this.deps.cache.get(document, "managed", arn);
  }

  /**
   * A user's or role's identity policies: inline, then attached managed ones; a user's also those of
   * every group it is in (IAM evaluates them together: a group's Deny beats the user's Allow).
   */
  async policiesOf(kind: IamPrincipalKind, entity: IamEntity): Promise<CompiledPolicy[]> {
    const own = await this.ownPolicies(kind, entity.name);
    if (kind !== "user") return own;
    const groups = await Promise.all((await this.deps.iam.groupsOf(entity.name)).map((group) => this.ownPolicies("group", group)));
    return [...own, ...groups.flat()];
  }

  /** The inline and attached policies of one user, role or group. */
  private async ownPolicies(kind: IamPrincipalKind, name: string): Promise<CompiledPolicy[]> {
    const { iam, cache } = this.deps;
    const inline = (await iam.inlinePolicies(kind, name)).map((p) => cache.get(p.document, "identity", `inline:${kind === "group" ? "group/" : ""}${name}/${p.policyName}`));
    const attached: CompiledPolicy[] = [];
    for (const arn of await iam.attached(kind, name)) {
      const policy = await this.managed(arn);
      if (policy) attached.push(policy);
    }
    return [...inline, ...attached];
  }

  /** The entity's permissions boundary, compiled; one whose policy is gone allows nothing (it still caps). */
  async boundaryOf(entity: IamEntity | undefined): Promise<CompiledPolicy | undefined> {
    const arn = entity?.permissionsBoundary;
    if (arn === undefined) return undefined;
    return (await this.managed(arn)) ?? { name: arn, statements: [], usesResourceTags: false };
  }

  /** The role its ARN names, when Unkai's IAM has it under exactly that ARN. */
  async role(roleArn: string): Promise<IamEntity | undefined> {
    const role = await this.deps.iam.get("role", roleNameOf(roleArn));
    return role && role.arn === roleArn ? role : undefined;
  }

  /** A session of `roleArn` named `sessionName`; a role Unkai's IAM does not know has no policies. */
  private async roleSession(roleArn: string, sessionName: string): Promise<ResolvedCaller> {
    const { account } = this.deps;
    const role = await this.role(roleArn);
    return {
      principal: { type: "assumed-role", arn: `arn:aws:sts::${account.accountId}:assumed-role/${roleNameOf(roleArn)}/${sessionName}`, accountId: account.accountId, roleArn },
      userId: role ? `${role.id}:${sessionName}` : undefined,
      principalTags: role?.tags,
      identity: role ? await this.policiesOf("role", role) : [],
      boundary: await this.boundaryOf(role),
    };
  }

  /** `root` for the account root's keys; undefined for callers IAM does not evaluate (anonymous, Unkai's presigning key). */
  async resolve(caller: Principal): Promise<ResolvedCaller | "root" | undefined> {
    const resolved = await this.resolveCaller(caller);
    return resolved === "root" || resolved === undefined ? resolved : withTagUse(resolved);
  }

  private async resolveCaller(caller: Principal): Promise<ResolvedCaller | "root" | undefined> {
    const { account, cache } = this.deps;
    if (!evaluatedByIam(caller)) return caller.kind === "key" ? "root" : undefined;
    switch (caller.kind) {
      case "function":
        return this.roleSession((await this.deps.roleOf(caller.functionName)) ?? "", caller.functionName);
      case "user": {
        const user = await this.deps.iam.get("user", caller.userName);
        return {
          principal: { type: "user", arn: user?.arn ?? `arn:aws:iam::${account.accountId}:user/${caller.userName}`, accountId: account.accountId },
          userName: user?.name ?? caller.userName,
          userId: user?.id,
          principalTags: user?.tags,
          identity: user ? await this.policiesOf("user", user) : [],
          boundary: await this.boundaryOf(user),
        };
      }
      case "role-session": {
        const role = await this.roleSession(caller.roleArn, caller.sessionName);
        // Session tags override the role's tags of the same key (keys compare ignoring case, as condition keys do).
        const resolved = caller.sessionTags === undefined ? role : { ...role, principalTags: overriding(role.principalTags, caller.sessionTags) };
        const session: CompiledPolicy[] = [];
        if (caller.sessionPolicy !== undefined) session.push(cache.get(caller.sessionPolicy, "identity", `session:${caller.sessionName}`));
        for (const arn of caller.sessionPolicyArns ?? []) {
          // A session policy ARN that no longer exists allows nothing (it still caps the session).
          session.push((await this.managed(arn)) ?? { name: arn, statements: [], usesResourceTags: false });
        }
        return session.length > 0 ? { ...resolved, session } : resolved;
      }
    }
  }
}
