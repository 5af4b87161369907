/**
 * The resource-based policy that governs a resource ARN, for IAM enforcement: a Lambda function's
 * (or alias's / version's) policy from AddPermission, an SQS queue's `Policy` attribute and an SNS
 * topic's (SetTopicAttributes `Policy`, AddPermission). Evaluated
 * beside the caller's identity policies with AWS's same-account logic (src/core/iam-policy/evaluate.ts):
 * a statement naming the user or session allows by itself, and an explicit Deny wins.
 */
import type { Account } from "../core/arn.js";
import type { SnsTopicRecord } from "../core/sns.js";
import type { DocumentStore, QueueStore } from "../store/ports.js";

export interface ResourcePolicySources {
  readonly account: Account;
  /** A function's policy statements for `qualifier` ("" for the unqualified function), as GetPolicy returns them; undefined when none. */
  readonly functionPolicy: (name: string, qualifier: string) => Promise<readonly object[] | undefined>;
  readonly queues: QueueStore;
  readonly topics: DocumentStore<SnsTopicRecord>;
}

const stored = (policy: string | undefined) => (policy === undefined || policy === "" ? undefined : policy);

/** The policy document governing `resource`, or undefined when it has none. */
export function resourcePolicyLookup(sources: ResourcePolicySources): (resource: string) => Promise<string | undefined> {
  const { account } = sources;
  const lambda = new RegExp(`^arn:aws:lambda:${account.region}:${account.accountId}:function:([^:]+)(?::([^:]+))?$`);
  const sqs = new RegExp(`^arn:aws:sqs:${account.region}:${account.accountId}:([^:]+)$`);
  const sns = new RegExp(`^arn:aws:sns:${account.region}:${account.accountId}:[^:]+$`);
  return async (resource) => {
    const fn = lambda.exec(resource);
    if (fn?.[1]) {
      const statements = await sources.functionPolicy(fn[1], fn[2] ?? "");
      return statements && statements.length > 0 ? JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: statements }) : undefined;
    }
    const queue = sqs.exec(resource);
    if (queue?.[1]) {
      return stored((await sources.queues.get(queue[1]))?.attributes.Policy);
    }
    // A topic without a Policy has SNS's default one, which grants only with AWS:SourceOwner: as none.
    if (sns.test(resource)) return stored((await sources.topics.get(resource))?.attributes.Policy);
    return undefined;
  };
}
