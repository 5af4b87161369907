/**
 * IAM enforcement (`--iam enforce`): every signed request of an IAM user's access key, an AssumeRole
 * session or a function's session credentials is evaluated with AWS's logic (src/core/iam-policy/)
 * against what the service says it needs (`Service.authorize`), with the caller's identity policies
 * (iam-principals.ts), its session policies, and the resource's own policy where one applies (a role's
 * trust policy for sts:AssumeRole; a function's, queue's, topic's, event bus's or bucket's policy: resource-policies.ts).
 * The account root's keys are allowed everything (docs/iam.md). In `audit` mode every request is evaluated
 * the same way but none is refused: what enforcement would have denied is only recorded (iam-decision-log.ts).
 */
import type { Logger } from "pino";
import type { Account } from "../core/arn.js";
import {
  denialMessage, evaluate, PolicyCache, requestContext, type ActionRequest, type CompiledPolicy, type Evaluation, type RequestContext,
} from "../core/iam-policy/index.js";
import type { UnkaiRequest } from "../protocol/http.js";
import type { IamStore } from "../store/ports.js";
import { CallerCache } from "./iam-caller-cache.js";
import type { IamDenialRecord, IamDenialRecorder, IamMode } from "./iam-decision-log.js";
import type { IamChanges } from "./iam-changes.js";
import { evaluatedByIam, PrincipalResolver, type ResolvedCaller } from "./iam-principals.js";
import { policyOwner } from "./resource-policies.js";
import type { ResourceTags } from "./resource-tags.js";

/** The permissions a request needs; undefined when its service maps none to IAM actions yet. */
type Needs = readonly ActionRequest[] | undefined;

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
  /** `audit`: decide as `enforce` does, refuse nothing, record what would have been refused. Default `enforce`. */
  readonly mode?: IamMode;
  /** Where denials (and audit's would-be denials) are recorded for users to read (the decision log group). */
  readonly denials?: IamDenialRecorder;
  /**
   * This node's IAM writes (withIamChangeCount): with it, resolved callers are cached until the next
   * write (iam-caller-cache.ts); without it, every request reads its caller's policies from the store.
   */
  readonly changes?: IamChanges;
  /** The most a cached caller may lag a write made through another node of a cluster; undefined on one node. */
  readonly cacheMaxAgeMs?: number | undefined;
  /**
   * Forgets this node's cached copy of a resource's policy (a cluster node's function records); true
   * when it held one, so a decision is worth making again. Asked only after a refusal.
   */
  readonly forgetCached?: (resource: string) => boolean;
}

/** The actions a role's trust policy governs (it must allow them by itself): assuming it, and tagging the session. */
const TRUST_ACTIONS = new Set(["sts:assumerole", "sts:tagsession"]);

/** The resource's own policy for one permission, and whether it must allow by itself (trust policies). */
interface ResourcePolicy {
  readonly policy: CompiledPolicy | undefined;
  readonly required: boolean;
}

/** A service delivering for one of its resources (the shape of the destinations seam's ServiceSource). */
export interface DeliveringService {
  readonly principal: string;
  readonly otherPrincipals?: readonly string[];
  readonly arn: string;
  readonly owner?: string;
  /** The role the service acts as (an EventBridge target's `RoleArn`): then the role's policies decide, not the service principal. */
  readonly roleArn?: string;
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
  lambdaMayAssume(roleArn: string): Promise<boolean> {
    return this.serviceMayAssume(roleArn, ["lambda.amazonaws.com"]);
  }

  /** Whether the role exists and its trust policy lets the service call sts:AssumeRole on it under any of its names (Logs' global and regional ones). */
  private async serviceMayAssume(roleArn: string, services: readonly string[]): Promise<boolean> {
    const role = await this.resolver.role(roleArn);
    if (!role || role.document === undefined) return false;
    const trust = this.cache.get(role.document, "trust", `trust:${role.name}`);
    const results = services.map((service) => evaluate(requestContext({
      action: "sts:AssumeRole", resource: roleArn, principal: { type: "service", arn: service, accountId: undefined },
      secureTransport: true, now: new Date(this.deps.now?.() ?? Date.now()), region: this.deps.account.region,
    }), { identity: [], resource: trust }));
    if (results.some((result) => result.decision === "Allow")) return true;
    const [result] = results;
    // Not Allow (some() would have answered): the check narrows the type to a denial's.
    if (result === undefined || result.decision === "Allow") return false;
    return this.denied({ principal: services[0] ?? "", action: "sts:AssumeRole", resource: roleArn, decision: decisionOf(result.decision), reason: result.reason, statement: result.statement });
  }

  /** Records a denial; true (go ahead) in audit mode, false when enforcing. */
  private denied(denial: Omit<IamDenialRecord, "mode">): boolean {
    const mode = this.deps.mode ?? "enforce";
    this.deps.denials?.record({ ...denial, mode });
    return mode === "audit";
  }

  /**
   * Whether a service may `action` on a resource for its source by the resource's own policy alone (a
   * function's, a queue's, topic's or bus's `Service` statements): any of its principal names (Logs'
   * global and regional ones) may be allowed, with `aws:SourceArn`, `aws:SourceAccount` and, for a
   * service that names the source's owner, `AWS:SourceOwner`. No policy allows no service. This is the
   * check `Destinations.permission` makes for every delivery (src/async/destinations.ts).
   */
  async serviceMay(source: DeliveringService, action: string, resource: string): Promise<boolean> {
    const first = await this.serviceDecision(source, action, resource);
    if (first === undefined) return true;
    // A cluster node may have decided on its cached copy of a policy another node has just changed
    // (docs/cluster.md): a refusal is decided once more on a fresh read, so a grant works at once everywhere.
    const refusal = this.deps.forgetCached?.(resource) ? await this.serviceDecision(source, action, resource) : first;
    return refusal === undefined || this.denied(refusal);
  }

  /** serviceMay's decision: undefined when allowed, else the denial to record. */
  private async serviceDecision(source: DeliveringService, action: string, resource: string): Promise<Omit<IamDenialRecord, "mode"> | undefined> {
    if (source.roleArn !== undefined) {
      if (await this.roleMay(source.roleArn, [source.principal, ...(source.otherPrincipals ?? [])], { action, resource })) return undefined;
      return { principal: source.roleArn, action, resource, sourceArn: source.arn, decision: "implicitDeny", reason: "role" };
    }
    const { policy } = await this.resourcePolicy({ action, resource });
    const refused = { principal: source.principal, action, resource, sourceArn: source.arn, decision: "implicitDeny" } as const;
    if (!policy) return { ...refused, reason: "no-resource" };
    for (const service of [source.principal, ...(source.otherPrincipals ?? [])]) {
      const context = requestContext({
        action, resource, principal: { type: "service", arn: service, accountId: undefined },
        secureTransport: true, now: new Date(this.deps.now?.() ?? Date.now()), region: this.deps.account.region,
        sourceArn: source.arn, sourceAccount: this.deps.account.accountId,
        ...(source.owner !== undefined ? { extra: { "aws:SourceOwner": source.owner } } : {}),
      });
      const result = evaluate(context, { identity: [], resource: policy });
      if (result.decision === "Allow") return undefined;
      if (result.decision === "ExplicitDeny") return { ...refused, principal: service, decision: "explicitDeny", reason: result.reason, statement: result.statement };
    }
    return { ...refused, reason: "no-resource" };
  }

  /**
   * The first of `actions` a function's execution role may not perform on `resource` (its identity
   * policies and boundary, with the resource's own policy, as for the function's own calls); undefined
   * when every one is allowed. Lambda checks this when a mapping is made for a queue or stream, and the SQS
   * poller before each batch (Lambda reads the queue as the role).
   */
  async functionRoleDenies(functionName: string, actions: readonly string[], resource: string): Promise<string | undefined> {
    // The caller cache: a poller asks this before every batch, and an IAM write makes it ask the store again.
    const caller = await (this.callers ?? this.resolver).resolve({ kind: "function", functionName, environmentId: "" });
    if (caller === "root" || caller === undefined) return undefined;
    for (const action of actions) {
      if ((await this.evaluateCaller(caller, { action, resource })).result.decision !== "Allow") return action;
    }
    return undefined;
  }

  /**
   * A service acting as a role its customer named (an EventBridge target's `RoleArn`): the role must trust
   * the service, and a session of it must be allowed `need` by its own policies (within its boundary) beside
   * the resource's policy, with same-account evaluation (the resource's Deny wins, a statement naming the
   * role allows by itself), as for any caller.
   */
  private async roleMay(roleArn: string, services: readonly string[], need: ActionRequest): Promise<boolean> {
    if (!(await this.serviceMayAssume(roleArn, services))) return false;
    const service = services[0] ?? "";
    const caller = await (this.callers ?? this.resolver).resolve({ kind: "role-session", roleArn, sessionName: service.split(".")[0] ?? service });
    if (caller === "root" || caller === undefined) return false;
    const { result } = await this.evaluateCaller(caller, need);
    if (result.decision !== "Allow") this.deps.logger?.info({ principal: caller.principal.arn, action: need.action, resource: need.resource, reason: result.reason }, "IAM denied a service acting as a role");
    return result.decision === "Allow";
  }

  /**
   * The resource-based policy that applies to `need`: a role's trust policy for sts:AssumeRole and sts:TagSession (it must
   * allow by itself), otherwise the resource's own policy (a function's, a queue's), when it has one.
   * A stored policy that no longer compiles counts as none rather than failing the request.
   */
  private async resourcePolicy(need: ActionRequest): Promise<ResourcePolicy> {
    if (TRUST_ACTIONS.has(need.action.toLowerCase())) {
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
   * Undefined when every permission is allowed (or, in audit mode, always); otherwise AWS's denial sentence
   * for the first one that is not. `needs` undefined: the service has no action table yet, so only the
   * account root may make it. Audit evaluates every permission, recording each that would be refused.
   * `needs` may be a function, asked only once the caller turns out not to be the root: working out a
   * request's permissions decodes its input, which the root's requests (allowed everything) need not pay.
   */
  async check(request: UnkaiRequest, asked: Needs | (() => Needs | Promise<Needs>), serviceName = "this service"): Promise<string | undefined> {
    if (typeof asked !== "function" && asked?.length === 0) return undefined;
    // The root's requests and the anonymous ones (most requests on a local Unkai) go through without a lookup.
    if (!evaluatedByIam(request.caller.principal)) return undefined;
    const caller = await (this.callers ?? this.resolver).resolve(request.caller.principal);
    if (caller === "root" || caller === undefined) return undefined;
    const needs = typeof asked === "function" ? await asked() : asked;
    if (needs?.length === 0) return undefined;
    if (needs === undefined) {
      this.deps.logger?.info({ principal: caller.principal.arn, service: serviceName, reason: "unmapped" }, "IAM denied a request");
      const message = `User: ${caller.principal.arn} is not authorized to perform this request: Unkai does not map ${serviceName} requests to IAM actions yet, so only the account root may make them.`;
      const goAhead = this.denied({
        principal: caller.principal.arn, action: `${serviceName}:*`, resource: request.path, decision: "implicitDeny", reason: "unmapped", message,
        requestId: request.requestId, sourceIp: request.remoteAddress,
      });
      return goAhead ? undefined : message;
    }
    for (const need of needs) {
      const denial = await this.decide(request, caller, need);
      // Audit goes on to the next permission, so each one that would be refused is recorded.
      if (denial !== undefined && this.deps.mode !== "audit") return denial;
    }
    return undefined;
  }

  /** One permission: undefined when allowed, AWS's sentence when not; logged either way. */
  private async decide(request: UnkaiRequest, caller: ResolvedCaller, need: ActionRequest): Promise<string | undefined> {
    let { context, result } = await this.evaluateCaller(caller, need, request);
    // As in serviceMay: a refusal on a cluster node's cached copy of the resource's policy is decided again on a fresh read.
    if (result.decision !== "Allow" && this.deps.forgetCached?.(need.resource)) ({ context, result } = await this.evaluateCaller(caller, need, request));
    const decided = () => ({ principal: caller.principal.arn, action: need.action, resource: need.resource, decision: result.decision, statement: result.statement });
    if (result.decision !== "Allow") {
      this.deps.logger?.info({ ...decided(), reason: result.reason, mode: this.deps.mode ?? "enforce" }, "IAM denied a request");
      const message = denialMessage(context, result.reason);
      this.denied({
        principal: caller.principal.arn, action: need.action, resource: need.resource, decision: decisionOf(result.decision), reason: result.reason,
        statement: result.statement, message, requestId: request.requestId, sourceIp: request.remoteAddress,
      });
      return message;
    }
    // Allows are the hot path: build the log record only when debug logging is on.
    if (this.deps.logger?.isLevelEnabled("debug")) this.deps.logger.debug({ ...decided(), by: result.by }, "IAM allowed a request");
    return undefined;
  }

  /**
   * One permission of a resolved caller, with the resource's own policy and, where a policy tests them, the
   * resource's tags: for a signed `request` (its source IP and region), or for Unkai acting as the caller
   * (a function's role reading its source, a service acting as a role), in this node's region.
   */
  private async evaluateCaller(caller: ResolvedCaller, need: ActionRequest, request?: UnkaiRequest): Promise<{ context: RequestContext; result: Evaluation }> {
    const resource = await this.resourcePolicy(need);
    // Decided once per compiled policy (and per resolved caller): callers whose policies never test the tags skip the lookup.
    const tagsTested = (caller.usesResourceTags === true || resource.policy?.usesResourceTags === true) && need.resource !== "*";
    const tags = tagsTested ? await this.deps.resourceTagsOf?.(need.resource, need.action) : undefined;
    const context = requestContext({
      action: need.action, resource: need.resource, principal: caller.principal, userName: caller.userName, userId: caller.userId,
      principalTags: caller.principalTags, resourceTags: tags?.tags, resourceTagKey: tags?.conditionKey,
      sourceIp: request?.remoteAddress, secureTransport: request === undefined, now: new Date(this.deps.now?.() ?? Date.now()),
      region: request?.caller.region ?? this.deps.account.region, extra: need.keys,
    });
    const result = evaluate(context, { identity: caller.identity, boundary: caller.boundary, session: caller.session, resource: resource.policy, resourceRequired: resource.required });
    return { context, result };
  }
}

const decisionOf = (decision: "ExplicitDeny" | "ImplicitDeny"): IamDenialRecord["decision"] => (decision === "ExplicitDeny" ? "explicitDeny" : "implicitDeny");
