/**
 * IAM enforcement (`--iam enforce`): a function's session credentials get exactly its execution
 * role's permissions — the role's inline policies and attached managed policies, evaluated with AWS's
 * logic (src/core/iam-policy/) against what the service says the request needs (`Service.authorize`).
 * Access keys remain the account root (docs/auth.md), which IAM allows everything. Resource policies,
 * IAM users' keys and AssumeRole sessions are not evaluated yet (docs/iam.md).
 */
import type { Logger } from "pino";
import type { Account } from "../core/arn.js";
import type { IamEntity } from "../core/iam.js";
import {
  denialMessage, evaluate, findManagedPolicy, PolicyCache, requestContext, type ActionRequest, type CompiledPolicy, type RequestPrincipal,
} from "../core/iam-policy/index.js";
import type { UnkaiRequest } from "../protocol/http.js";
import type { IamStore } from "../store/ports.js";

export interface IamEnforcerDeps {
  readonly iam: IamStore;
  readonly account: Account;
  /** A function's execution role ARN, undefined when the function is gone. */
  readonly roleOf: (functionName: string) => Promise<string | undefined>;
  readonly now?: () => number;
  /** Hears every denial (and, at debug level, every allow) with the statement that decided: "why was this denied". */
  readonly logger?: Logger;
}

export class IamEnforcer {
  /** Compiled documents by text: an edited policy is a new entry, so nothing needs invalidating. */
  private readonly cache = new PolicyCache();

  constructor(private readonly deps: IamEnforcerDeps) {}

  /** The role's identity policies, compiled. */
  private async policiesOf(role: IamEntity): Promise<CompiledPolicy[]> {
    const { iam } = this.deps;
    const inline = (await iam.inlinePolicies("role", role.name)).map((p) => this.cache.get(p.document, "identity", `inline:${role.name}/${p.policyName}`));
    const attached: CompiledPolicy[] = [];
    for (const arn of await iam.attached("role", role.name)) {
      const aws = findManagedPolicy(arn);
      const document = aws ? JSON.stringify(aws.document) : (await iam.list("policy")).find((p) => p.arn === arn)?.document;
      if (document !== undefined) attached.push(this.cache.get(document, "managed", arn));
    }
    return [...inline, ...attached];
  }

  /**
   * Whether Lambda may assume `roleArn`: the role exists in Unkai's IAM and its trust policy allows
   * `lambda.amazonaws.com` to call sts:AssumeRole (CreateFunction refuses a role that does not, as AWS does).
   */
  async lambdaMayAssume(roleArn: string): Promise<boolean> {
    const role = await this.deps.iam.get("role", roleArn.slice(roleArn.lastIndexOf("/") + 1));
    if (!role || role.arn !== roleArn || role.document === undefined) return false;
    const trust = this.cache.get(role.document, "trust", `trust:${role.name}`);
    const context = requestContext({
      action: "sts:AssumeRole", resource: roleArn, principal: { type: "service", arn: "lambda.amazonaws.com", accountId: undefined },
      secureTransport: true, now: new Date(this.deps.now?.() ?? Date.now()), region: this.deps.account.region,
    });
    return evaluate(context, { identity: [], resource: trust }).decision === "Allow";
  }

  /**
   * Undefined when every permission is allowed; otherwise AWS's denial sentence for the first one that is
   * not. `needs` undefined: the service has no action table yet, so a function's credentials are refused it
   * (default deny) while access keys, the account root, pass.
   */
  async check(request: UnkaiRequest, needs: readonly ActionRequest[] | undefined, serviceName = "this service"): Promise<string | undefined> {
    const caller = request.caller.principal;
    if (caller.kind !== "function" || needs?.length === 0) return undefined;
    const { account, iam } = this.deps;
    const roleArn = (await this.deps.roleOf(caller.functionName)) ?? "";
    const roleName = roleArn.slice(roleArn.lastIndexOf("/") + 1);
    if (needs === undefined) {
      const who = `arn:aws:sts::${account.accountId}:assumed-role/${roleName}/${caller.functionName}`;
      this.deps.logger?.info({ principal: who, service: serviceName, reason: "unmapped" }, "IAM denied a request");
      return `User: ${who} is not authorized to perform this request: Unkai does not map ${serviceName} requests to IAM actions yet, so only access keys may make them.`;
    }
    const role = roleName === "" ? undefined : await iam.get("role", roleName);
    const policies = role && role.arn === roleArn ? await this.policiesOf(role) : [];
    const principal: RequestPrincipal = {
      type: "assumed-role", arn: `arn:aws:sts::${account.accountId}:assumed-role/${roleName}/${caller.functionName}`, accountId: account.accountId, roleArn,
    };
    for (const need of needs) {
      const context = requestContext({
        action: need.action, resource: need.resource, principal, sourceIp: request.remoteAddress, secureTransport: false,
        now: new Date(this.deps.now?.() ?? Date.now()), region: request.caller.region, extra: need.keys,
      });
      const result = evaluate(context, { identity: policies });
      const decided = { principal: principal.arn, action: need.action, resource: need.resource, decision: result.decision, statement: result.statement };
      if (result.decision !== "Allow") {
        this.deps.logger?.info({ ...decided, reason: result.reason }, "IAM denied a request");
        return denialMessage(context, result.reason);
      }
      this.deps.logger?.debug(decided, "IAM allowed a request");
    }
    return undefined;
  }
}
