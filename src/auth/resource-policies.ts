/**
 * The resource-based policy that governs a resource ARN, for IAM enforcement: a Lambda function's
 * (or alias's / version's) policy from AddPermission and an SQS queue's `Policy` attribute. Evaluated
 * beside the caller's identity policies with AWS's same-account logic (src/core/iam-policy/evaluate.ts):
 * a statement naming the user or session allows by itself, and an explicit Deny wins.
 */
import type { Account } from "../core/arn.js";
import type { QueueStore } from "../store/ports.js";

export interface ResourcePolicySources {
  readonly account: Account;
  /** A function's policy statements for `qualifier` ("" for the unqualified function), as GetPolicy returns them; undefined when none. */
  readonly functionPolicy: (name: string, qualifier: string) => Promise<readonly object[] | undefined>;
  readonly queues: QueueStore;
}

/** The policy document governing `resource`, or undefined when it has none. */
export function resourcePolicyLookup(sources: ResourcePolicySources): (resource: string) => Promise<string | undefined> {
  const { account } = sources;
  const lambda = new RegExp(`^arn:aws:lambda:${account.region}:${account.accountId}:function:([^:]+)(?::([^:]+))?$`);
  const sqs = new RegExp(`^arn:aws:sqs:${account.region}:${account.accountId}:([^:]+)$`);
  return async (resource) => {
    const fn = lambda.exec(resource);
    if (fn?.[1]) {
      const statements = await sources.functionPolicy(fn[1], fn[2] ?? "");
      return statements && statements.length > 0 ? JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: statements }) : undefined;
    }
    const queue = sqs.exec(resource);
    if (queue?.[1]) {
      const policy = (await sources.queues.get(queue[1]))?.attributes.Policy;
      return policy === undefined || policy === "" ? undefined : policy;
    }
    return undefined;
  };
}
