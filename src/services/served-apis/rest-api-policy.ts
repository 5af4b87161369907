/**
 * A REST API's resource policy on its public (NONE) methods, as API Gateway evaluates it when no
 * authentication type is set: the caller is anonymous, so only an explicit Allow (for `Principal "*"`,
 * with its conditions such as `aws:SourceIp`) lets the call through, and an explicit Deny wins. Applies
 * whatever `--iam` says, as the API's own configuration (like an S3 bucket's public-read policy).
 * AWS_IAM methods are decided by IAM enforcement with the same policy beside the caller's identity
 * policies (src/auth/resource-policies.ts; docs/iam.md).
 */
import { evaluate, PolicyCache, requestContext } from "../../core/iam-policy/index.js";
import type { UnkaiRequest } from "../../protocol/http.js";

export class RestApiPolicies {
  /** Compiled documents by text: a redeployed policy is a new entry. */
  private readonly cache = new PolicyCache(200);

  constructor(private readonly now: () => number = Date.now) {}

  /** Undefined when the policy allows an anonymous call of `resource`; API Gateway's denial sentence when not. */
  denial(request: UnkaiRequest, policy: string, apiId: string, resource: string): string | undefined {
    const refused = `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${resource}`;
    let compiled;
    try {
      compiled = this.cache.get(policy, "resource", `execute-api:${apiId}`);
    } catch {
      return refused; // validated when stored; one that no longer compiles opens nothing
    }
    const context = requestContext({
      action: "execute-api:Invoke", resource, principal: { type: "anonymous", arn: "*", accountId: undefined },
      sourceIp: request.remoteAddress, secureTransport: false, now: new Date(this.now()), region: request.caller.region,
    });
    const result = evaluate(context, { identity: [], resource: compiled });
    if (result.decision === "Allow") return undefined;
    return result.decision === "ExplicitDeny" ? `${refused} with an explicit deny` : refused;
  }
}
