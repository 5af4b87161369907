/**
 * A REST API's resource policy on its public (NONE) methods, as API Gateway evaluates it when no
 * authentication type is set: the caller is anonymous, so only an explicit Allow (for `Principal "*"`,
 * with its conditions such as `aws:SourceIp`) lets the call through, and an explicit Deny wins. Applies
 * whatever `--iam` says, as the API's own configuration (like an S3 bucket's public-read policy).
 * CUSTOM (Lambda authorizer) methods are evaluated the same way first: an explicit Deny refuses before
 * the authorizer is called, an Allow joins the authorizer's policy (index.ts, lambda-authorizer.ts).
 * AWS_IAM methods are decided by IAM enforcement with the same policy beside the caller's identity
 * policies (src/auth/resource-policies.ts; docs/iam.md).
 */
import { evaluate, PolicyCache, requestContext } from "../../core/iam-policy/index.js";
import type { UnkaiRequest } from "../../protocol/http.js";

/** Why an anonymous call was refused: API Gateway's sentence, and what the decision log records. */
export interface PolicyRefusal {
  readonly message: string;
  readonly decision: "explicitDeny" | "implicitDeny";
  readonly reason: string;
  readonly statement: { readonly policy: string; readonly sid: string | undefined } | undefined;
}

export class RestApiPolicies {
  /** Compiled documents by text: a redeployed policy is a new entry. */
  private readonly cache = new PolicyCache(200);

  constructor(private readonly now: () => number = Date.now) {}

  /** Undefined when the policy allows an anonymous call of `resource`; API Gateway's denial when not. */
  refusal(request: UnkaiRequest, policy: string, apiId: string, resource: string): PolicyRefusal | undefined {
    const refused = `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${resource}`;
    let compiled;
    try {
      compiled = this.cache.get(policy, "resource", `execute-api:${apiId}`);
    } catch {
      // Validated when stored; one that no longer compiles opens nothing.
      return { message: refused, decision: "implicitDeny", reason: "no-resource", statement: undefined };
    }
    const context = requestContext({
      action: "execute-api:Invoke", resource, principal: { type: "anonymous", arn: "*", accountId: undefined },
      sourceIp: request.remoteAddress, secureTransport: false, now: new Date(this.now()), region: request.caller.region,
    });
    const result = evaluate(context, { identity: [], resource: compiled });
    if (result.decision === "Allow") return undefined;
    const explicit = result.decision === "ExplicitDeny";
    return { message: explicit ? `${refused} with an explicit deny` : refused, decision: explicit ? "explicitDeny" : "implicitDeny", reason: result.reason, statement: result.statement };
  }
}
