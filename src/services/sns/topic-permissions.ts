/**
 * AddPermission and RemovePermission: statements labelled by `Sid` in the topic's `Policy` (starting
 * from SNS's default policy when the topic has none), so they are evaluated with every other topic
 * policy by IAM enforcement's resource-policy lookup (src/auth/resource-policies.ts).
 */
import type { SnsTopicRecord } from "../../core/sns.js";
import { invalid, topicByArn, type SnsContext } from "./context.js";
import { defaultPolicy } from "./topic-attributes.js";

interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement?: { Sid?: string }[] | { Sid?: string };
}

function policyOf(topic: SnsTopicRecord): PolicyDocument & { Statement: { Sid?: string }[] } {
  const stored = topic.attributes.Policy;
  const document = JSON.parse(stored === undefined || stored === "" ? defaultPolicy(topic) : stored) as PolicyDocument;
  const statements = document.Statement === undefined ? [] : Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return { ...document, Statement: statements };
}

const oneOrMany = (values: string[]) => (values.length === 1 ? values[0] : values);

export async function addPermission(context: SnsContext, input: { TopicArn: string; Label: string; AWSAccountId: string[]; ActionName: string[] }): Promise<object> {
  const topic = await topicByArn(context, input.TopicArn);
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(input.Label)) throw invalid("Label");
  if (input.AWSAccountId.length === 0 || input.AWSAccountId.some((id) => !/^\d{12}$/.test(id))) throw invalid("AWSAccountId");
  if (input.ActionName.length === 0 || input.ActionName.some((name) => !/^[A-Za-z]+$/.test(name))) throw invalid("ActionName");
  const policy = policyOf(topic);
  if (policy.Statement.some((s) => s.Sid === input.Label)) throw invalid("Statement already exists");
  policy.Statement.push({
    Sid: input.Label, Effect: "Allow", Principal: { AWS: oneOrMany(input.AWSAccountId.map((id) => `arn:aws:iam::${id}:root`)) },
    Action: oneOrMany(input.ActionName.map((name) => `SNS:${name}`)), Resource: topic.arn,
  } as { Sid: string });
  await context.topics.put(topic.arn, { ...topic, attributes: { ...topic.attributes, Policy: JSON.stringify(policy) } });
  return {};
}

/** Removing a label the policy does not have changes nothing. */
export async function removePermission(context: SnsContext, input: { TopicArn: string; Label: string }): Promise<object> {
  const topic = await topicByArn(context, input.TopicArn);
  const policy = policyOf(topic);
  const kept = policy.Statement.filter((s) => s.Sid !== input.Label);
  if (kept.length === policy.Statement.length) return {};
  await context.topics.put(topic.arn, { ...topic, attributes: { ...topic.attributes, Policy: JSON.stringify({ ...policy, Statement: kept }) } });
  return {};
}
