/**
 * Unsigned requests a resource's own policy opens to everyone (an S3 bucket policy allowing
 * Principal "*" s3:GetObject: a public-read bucket). Evaluated with the same evaluator IAM
 * enforcement uses (src/core/iam-policy/evaluate.ts), the caller being the anonymous principal: it
 * has no identity policies, so only a resource policy's Allow for everyone can grant, and a Deny wins.
 * Applies whatever `--iam` says: without such a policy an unsigned request is refused as before.
 */
import { evaluate, PolicyCache, requestContext, type ActionRequest } from "../core/iam-policy/index.js";
import type { UnkaiRequest } from "../protocol/http.js";
import { policyOwner } from "./resource-policies.js";

export class AnonymousAccess {
  private readonly cache = new PolicyCache(200);

  constructor(
    /** The resource policy governing an ARN (resource-policies.ts), undefined when it has none. */
    private readonly policyOf: (resource: string) => Promise<string | undefined>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether every permission in `needs` is granted to an anonymous caller; false when there are none to grant. */
  async allowed(request: UnkaiRequest, needs: readonly ActionRequest[]): Promise<boolean> {
    if (needs.length === 0) return false;
    for (const need of needs) {
      const document = await this.policyOf(need.resource);
      if (document === undefined) return false;
      let policy;
      try {
        policy = this.cache.get(document, "resource", `anonymous:${policyOwner(need.resource)}`);
      } catch {
        return false;
      }
      const context = requestContext({
        action: need.action, resource: need.resource, principal: { type: "anonymous", arn: "*", accountId: undefined },
        sourceIp: request.remoteAddress, secureTransport: false, now: new Date(this.now()), region: request.caller.region, extra: need.keys,
      });
      if (evaluate(context, { identity: [], resource: policy }).decision !== "Allow") return false;
    }
    return true;
  }
}
