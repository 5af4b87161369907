/**
 * AddPermission / RemovePermission: shorthands for editing the queue's `Policy` attribute, as SQS
 * keeps them. AddPermission appends a statement whose `Sid` is the label (principals are the accounts'
 * root ARNs, actions `SQS:<name>`, the queue's ARN as resource); RemovePermission drops the statement
 * with that `Sid` and removes the attribute when no statement is left. Policies set directly through
 * SetQueueAttributes keep their other statements.
 */
import { UnkaiError } from "../../core/errors.js";
import { doesNotExist, queueArn } from "./addresses.js";
import { queueByUrl, type SqsContext } from "./context.js";

/** The actions a queue owner may grant (SQS refuses the rest, CreateQueue and ListQueues among them). */
const GRANTABLE = new Set([
  "*", "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues",
  "PurgeQueue", "ListQueueTags", "SetQueueAttributes", "TagQueue", "UntagQueue", "DeleteQueue",
]);
const MAX_ACTIONS = 7;
const LABEL = /^[A-Za-z0-9_-]{1,80}$/;

interface Statement { readonly Sid?: string; readonly [key: string]: unknown }
interface PolicyDocument { readonly Version?: string; readonly Id?: string; readonly Statement: Statement[] }

const invalid = (parameter: string, value: string, reason: string) =>
  new UnkaiError("InvalidParameterValue", `Value ${value} for parameter ${parameter} is invalid. Reason: ${reason}`);

function policyOf(text: string | undefined, arn: string): PolicyDocument {
  if (text === undefined || text === "") return { Version: "2012-10-17", Id: `${arn}/SQSDefaultPolicy`, Statement: [] };
  const parsed = JSON.parse(text) as { Statement?: Statement | Statement[] } & Omit<PolicyDocument, "Statement">;
  const statements = parsed.Statement === undefined ? [] : Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  return { ...parsed, Statement: statements };
}

async function savePolicy(context: SqsContext, name: string, attributes: Readonly<Record<string, string>>, policy: PolicyDocument): Promise<void> {
  const next: Record<string, string> = { ...attributes };
  if (policy.Statement.length === 0) delete next.Policy;
  else next.Policy = JSON.stringify(policy);
  if (!(await context.queues.setAttributes(name, next, context.now()))) throw doesNotExist();
}

export async function addPermission(
  context: SqsContext,
  input: { QueueUrl: string; Label: string; AWSAccountIds: readonly string[]; Actions: readonly string[] },
): Promise<Record<string, never>> {
  const queue = await queueByUrl(context, input.QueueUrl);
  if (!LABEL.test(input.Label)) throw invalid("Label", input.Label, "Must be 1 to 80 letters, digits, hyphens or underscores.");
  if (input.AWSAccountIds.length === 0) throw new UnkaiError("MissingParameter", "The request must contain the parameter AWSAccountIds.");
  if (input.Actions.length === 0) throw new UnkaiError("MissingParameter", "The request must contain the parameter Actions.");
  if (input.Actions.length > MAX_ACTIONS) throw invalid("ActionName", `[${input.Actions.join(", ")}]`, `Too many actions: at most ${MAX_ACTIONS}.`);
  for (const account of input.AWSAccountIds) {
    if (!/^\d{12}$/.test(account)) throw invalid("AWSAccountIds", account, "An AWS account id is 12 digits.");
  }
  for (const action of input.Actions) {
    if (!GRANTABLE.has(action)) throw invalid("ActionName", `SQS:${action}`, "Only the queue owner is allowed to invoke this action.");
  }
  const arn = queueArn(context.account, queue.name);
  const policy = policyOf(queue.attributes.Policy, arn);
  if (policy.Statement.some((s) => s.Sid === input.Label)) throw invalid("Label", input.Label, "Already exists.");
  const principals = input.AWSAccountIds.map((id) => `arn:aws:iam::${id}:root`);
  const actions = input.Actions.map((a) => `SQS:${a}`);
  policy.Statement.push({
    Sid: input.Label, Effect: "Allow",
    Principal: { AWS: principals.length === 1 ? principals[0] : principals },
    Action: actions.length === 1 ? actions[0] : actions,
    Resource: arn,
  });
  await savePolicy(context, queue.name, queue.attributes, policy);
  return {};
}

export async function removePermission(context: SqsContext, input: { QueueUrl: string; Label: string }): Promise<Record<string, never>> {
  const queue = await queueByUrl(context, input.QueueUrl);
  const policy = policyOf(queue.attributes.Policy, queueArn(context.account, queue.name));
  const kept = policy.Statement.filter((s) => s.Sid !== input.Label);
  if (kept.length === policy.Statement.length) throw invalid("Label", input.Label, "can't find label on existing policy.");
  await savePolicy(context, queue.name, queue.attributes, { ...policy, Statement: kept });
  return {};
}
