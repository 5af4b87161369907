/**
 * IAM enforcement (`--iam enforce`): every signed request of an IAM user's access key, an AssumeRole
 * session or a function's session credentials is evaluated with AWS's logic (src/core/iam-policy/)
 * against what the service says it needs (`Service.authorize`), with the caller's identity policies
 * (iam-principals.ts), its session policies, and the resource's own policy where one applies (a role's
 * trust policy for sts:AssumeRole; a function's, queue's, topic's, event bus's or bucket's policy: resource-policies.ts).
 * The account root's keys are allowed everything (docs/iam.md).
 */
import type { Logger } from "pino";
import type { Account } from "../core/arn.js";
import {
  denialMessage, evaluate, PolicyCache, requestContext, type ActionRequest, type CompiledPolicy,
} from "../core/iam-policy/index.js";
import type { UnkaiRequest } from "../protocol/http.js";
import type { IamStore } from "../store/ports.js";
import { CallerCache } from "./iam-caller-cache.js";
import type { IamChanges } from "./iam-changes.js";
import { PrincipalResolver, type ResolvedCaller } from "./iam-principals.js";
import { policyOwner } from "./resource-policies.js";
import type { ResourceTags } from "./resource-tags.js";

export interface IamEnforcerDeps {
  readonly iam: IamStore;
  readonly account: Account;
  /** A function's execution role ARN, undefined when the function is gone. */
  readonly roleOf: (functionName: string) => Promise<string | undefined>;
  readonly now?: () => number;
  /** The resource-based policy document governing a resource ARN (function, queue, topic, bus and bucket policies; resource-policies.ts). */
  readonly resourcePolicyOf?: (resource: string) => Promise<string | undefined>;
  /**
   * The tags of the resource an ARN names (`aws:ResourceTag/<key>`; resource-tags.ts), asked only when a
   * policy that applies to the request tests them.
   */
  readonly resourceTagsOf?: (resource: string, action: string) => Promise<ResourceTags | undefined>;
  /** Hears every denial (and, at debug level, every allow) with the statement that decided: "why was this denied". */
  readonly logger?: Logger;
  /**
   * This node's IAM writes (withIamChangeCount): with it, resolved callers are cached until the next
   * write (iam-caller-cache.ts); without it, every request reads its caller's policies from the store.
   */
  readonly changes?: IamChanges;
  /** The most a cached caller may lag a write made through another node of a cluster; undefined on one node. */
  readonly cacheMaxAgeMs?: number | undefined;
}

/** The resource's own policy for one permission, and whether it must allow by itself (trust policies). */
interface ResourcePolicy {
  readonly policy: CompiledPolicy | undefined;
  readonly required: boolean;
}

export class IamEnforcer {
  /** Compiled documents by text: an edited policy is a new entry, so nothing needs invalidating. */
  private readonly cache = new PolicyCache();
  private readonly resolver: PrincipalResolver;
  private readonly callers: CallerCache | undefined;

  constructor(private readonly deps: IamEnforcerDeps) {
    this.resolver = new PrincipalResolver({ iam: deps.iam, account: deps.account, cache: this.cache, roleOf: deps.roleOf });
    this.callers = deps.changes && new CallerCache({ resolver: this.resolver, changes: deps.changes, maxAgeMs: deps.cacheMaxAgeMs, roleOf: deps.roleOf, now: deps.now });
  }

  /**
   * Whether Lambda may assume `roleArn`: the role exists in Unkai's IAM and its trust policy allows
   * `lambda.amazonaws.com` to call sts:AssumeRole (CreateFunction refuses a role that does not, as AWS does).
   */
  async lambdaMayAssume(roleArn: string): Promise<boolean> {
    const role = await this.resolver.role(roleArn);
    if (!role || role.document === undefined) return false;
    const trust = this.cache.get(role.document, "trust", `trust:${role.name}`);
    const context = requestContext({
      action: "sts:AssumeRole", resource: roleArn, principal: { type: "service", arn: "lambda.amazonaws.com", accountId: undefined },
      secureTransport: true, now: new Date(this.deps.now?.() ?? Date.now()), region: this.deps.account.region,
    });
    return evaluate(context, { identity: [], resource: trust }).decision === "Allow";
  }

  /**
   * Whether a service (any of `principals`, e.g. `logs.amazonaws.com` and its regional name) may invoke
   * a function for `sourceArn` by the function's policy alone, as AWS checks a subscription filter's or
   * notification's destination when it is configured.
   */
  serviceMayInvoke(principals: readonly string[], functionArn: string, sourceArn: string): Promise<boolean> {
    return this.serviceMay(principals, "lambda:InvokeFunction", functionArn, sourceArn);
  }

  /**
   * Whether a service may `action` on a resource for `sourceArn` by the resource's own policy alone
   * (a function's, or a queue's or topic's `Service` statements); no policy allows no service.
   */
  async serviceMay(principals: readonly string[], action: string, resource: string, sourceArn: string): Promise<boolean> {
    const { policy } = await this.resourcePolicy({ action, resource });
    if (!policy) return false;
    for (const service of principals) {
      const context = requestContext({
        action, resource, principal: { type: "service", arn: service, accountId: undefined },
        secureTransport: true, now: new Date(this.deps.now?.() ?? Date.now()), region: this.deps.account.region,
        sourceArn, sourceAccount: this.deps.account.accountId,
      });
      if (evaluate(context, { identity: [], resource: policy }).decision === "Allow") return true;
    }
    return false;
  }

  /**
   * Whether a function's execution role may `action` on `resource` (its identity policies and boundary,
   * beside the resource's own policy), as Lambda checks the role when an event source mapping is made.
   */
  async functionRoleMay(functionName: string, action: string, resource: string): Promise<boolean> {
    const caller = await this.resolver.resolve({ kind: "function", functionName, environmentId: "" });
    if (caller === "root") return true;
    if (caller === undefined) return false;
    const { policy } = await this.resourcePolicy({ action, resource });
    const context = requestContext({
      action, resource, principal: caller.principal, principalTags: caller.principalTags,
      secureTransport: true, now: new Date(this.deps.now?.() ?? Date.now()), region: this.deps.account.region,
    });
    return evaluate(context, { identity: caller.identity, boundary: caller.boundary, resource: policy }).decision === "Allow";
  }

  /**
   * The resource-based policy that applies to `need`: a role's trust policy for sts:AssumeRole (it must
   * allow by itself), otherwise the resource's own policy (a function's, a queue's), when it has one.
   * A stored policy that no longer compiles counts as none rather than failing the request.
   */
  private async resourcePolicy(need: ActionRequest): Promise<ResourcePolicy> {
    if (need.action.toLowerCase() === "sts:assumerole") {
      const role = await this.resolver.role(need.resource);
      const policy = role?.document === undefined ? undefined : this.cache.get(role.document, "trust", `trust:${role.name}`);
      return { policy, required: true };
    }
    const document = await this.deps.resourcePolicyOf?.(need.resource);
    if (document === undefined) return { policy: undefined, required: false };
    try {
      return { policy: this.cache.get(document, "resource", `resource:${policyOwner(need.resource)}`), required: false };
    } catch {
      this.deps.logger?.warn({ resource: need.resource }, "a resource policy Unkai stored does not parse; it is ignored");
      return { policy: undefined, required: false };
    }
  }

  /**
   * Undefined when every permission is allowed; otherwise AWS's denial sentence for the first one that is
   * not. `needs` undefined: the service has no action table yet, so only the account root may make it.
   */
  async check(request: UnkaiRequest, needs: readonly ActionRequest[] | undefined, serviceName = "this service"): Promise<string | undefined> {
    if (needs?.length === 0) return undefined;
    const caller = await (this.callers ?? this.resolver).resolve(request.caller.principal);
    if (caller === "root" || caller === undefined) return undefined;
    if (needs === undefined) {
      this.deps.logger?.info({ principal: caller.principal.arn, service: serviceName, reason: "unmapped" }, "IAM denied a request");
      return `User: ${caller.principal.arn} is not authorized to perform this request: Unkai does not map ${serviceName} requests to IAM actions yet, so only the account root may make them.`;
    }
    for (const need of needs) {
      const denial = await this.decide(request, caller, need);
      if (denial !== undefined) return denial;
    }
    return undefined;
  }

  /** One permission: undefined when allowed, AWS's sentence when not; logged either way. */
  private async decide(request: UnkaiRequest, caller: ResolvedCaller, need: ActionRequest): Promise<string | undefined> {
    const resource = await this.resourcePolicy(need);
    // Decided once per compiled policy (and per resolved caller): callers whose policies never test the tags skip the lookup.
    const tagsTested = (caller.usesResourceTags === true || resource.policy?.usesResourceTags === true) && need.resource !== "*";
    const tags = tagsTested ? await this.deps.resourceTagsOf?.(need.resource, need.action) : undefined;
    const context = requestContext({
      action: need.action, resource: need.resource, principal: caller.principal, userName: caller.userName, userId: caller.userId,
      principalTags: caller.principalTags, resourceTags: tags?.tags, resourceTagKey: tags?.conditionKey,
      sourceIp: request.remoteAddress, secureTransport: false, now: new Date(this.deps.now?.() ?? Date.now()), region: request.caller.region, extra: need.keys,
    });
    const result = evaluate(context, { identity: caller.identity, boundary: caller.boundary, session: caller.session, resource: resource.policy, resourceRequired: resource.required });
    const decided = () => ({ principal: caller.principal.arn, action: need.action, resource: need.resource, decision: result.decision, statement: result.statement });
    if (result.decision !== "Allow") {
      this.deps.logger?.info({ ...decided(), reason: result.reason }, "IAM denied a request");
      return denialMessage(context, result.reason);
    }
    // Allows are the hot path: build the log record only when debug logging is on.
    if (this.deps.logger?.isLevelEnabled("debug")) this.deps.logger.debug({ ...decided(), by: result.by }, "IAM allowed a request");
    return undefined;
  }
}
