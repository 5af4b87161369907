/** Topics: CreateTopic (idempotent as SNS is), DeleteTopic, ListTopics, Get/SetTopicAttributes and tags. */
import { UnkaiError } from "../../core/errors.js";
import { setOwn } from "../../core/own-keys.js";
import type { SnsTopicRecord } from "../../core/sns.js";
import { invalid, isLocalTopicArn, topicArn, topicByArn, type SnsContext } from "./context.js";
import { checkTopicAttribute, topicAttributesView } from "./topic-attributes.js";

const PAGE = 100;

interface Tag {
  readonly Key: string;
  readonly Value: string;
}

function tagMap(tags: readonly Tag[] | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (tag.Key.length < 1 || tag.Key.length > 128 || tag.Value.length > 256) throw invalid("Tags");
    setOwn(map, tag.Key, tag.Value);
  }
  if (Object.keys(map).length > 50) throw new UnkaiError("InvalidParameter", "Could not complete request: tag quota of per resource exceeded");
  return map;
}

const sameMap = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

export async function createTopic(context: SnsContext, input: { Name: string; Attributes?: Record<string, string>; Tags?: Tag[]; DataProtectionPolicy?: string }): Promise<object> {
  const { Name: name } = input;
  const given = { ...(input.Attributes ?? {}) };
  if (input.DataProtectionPolicy !== undefined) given.DataProtectionPolicy = input.DataProtectionPolicy;
  const fifo = given.FifoTopic === "true";
  if (!/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(name) || name.length > 256) throw invalid("Topic Name");
  if (fifo !== name.endsWith(".fifo")) {
    throw invalid(fifo ? "Fifo Topic names must end with .fifo and they must be between 1 and 256 characters long." : "Topic Name");
  }
  for (const [key, value] of Object.entries(given)) checkTopicAttribute(key, value, fifo, true);
  delete given.FifoTopic;
  const tags = tagMap(input.Tags);
  const arn = topicArn(context.account, name);
  const existing = await context.topics.get(arn);
  if (existing) {
    // SNS answers an existing topic's ARN when the request asks for nothing different.
    const asked = Object.fromEntries(Object.entries(given).filter(([key]) => !(key === "ContentBasedDeduplication" && given[key] === "false" && existing.attributes[key] === undefined)));
    if (Object.entries(asked).some(([key, value]) => existing.attributes[key] !== value)) throw invalid("Attributes Reason: Topic already exists with different attributes");
    if (input.Tags !== undefined && !sameMap(tags, existing.tags)) throw invalid("Tags Reason: Topic already exists with different tags");
    return { TopicArn: arn };
  }
  const topic: SnsTopicRecord = { name, arn, fifo, attributes: given, tags, createdAt: context.now() };
  await context.topics.put(arn, topic);
  return { TopicArn: arn };
}

export async function deleteTopic(context: SnsContext, input: { TopicArn: string }): Promise<object> {
  // Deleting a topic that does not exist succeeds, as on SNS; its subscriptions go with it.
  if (!isLocalTopicArn(context.account, input.TopicArn)) throw invalid("TopicArn");
  await context.topics.delete(input.TopicArn);
  for (const subscription of await context.subscriptions.list()) {
    if (subscription.topicArn === input.TopicArn) await context.subscriptions.delete(subscription.arn);
  }
  return {};
}

/** Pages of 100 by ARN; NextToken is the first ARN of the next page. */
export function page<T>(items: readonly T[], key: (item: T) => string, token: string | undefined): { items: T[]; next: string | undefined } {
  const start = token === undefined ? 0 : items.findIndex((item) => key(item) >= token);
  if (token !== undefined && (start < 0 || key(items[start] as T) !== token)) throw invalid("NextToken");
  const slice = items.slice(start, start + PAGE);
  const next = items[start + PAGE];
  return { items: slice, next: next === undefined ? undefined : key(next) };
}

export async function listTopics(context: SnsContext, input: { NextToken?: string }): Promise<object> {
  const topics = (await context.topics.list()).sort((a, b) => (a.arn < b.arn ? -1 : 1));
  const { items, next } = page(topics, (t) => t.arn, input.NextToken);
  return { Topics: items.map((t) => ({ TopicArn: t.arn })), ...(next ? { NextToken: next } : {}) };
}

export async function getTopicAttributes(context: SnsContext, input: { TopicArn: string }): Promise<object> {
  const topic = await topicByArn(context, input.TopicArn);
  return { Attributes: topicAttributesView(topic, await context.subscriptions.list()) };
}

export async function setTopicAttributes(context: SnsContext, input: { TopicArn: string; AttributeName: string; AttributeValue?: string }): Promise<object> {
  const topic = await topicByArn(context, input.TopicArn);
  const value = input.AttributeValue ?? "";
  checkTopicAttribute(input.AttributeName, value, topic.fifo, false);
  await context.topics.put(topic.arn, { ...topic, attributes: { ...topic.attributes, [input.AttributeName]: value } });
  return {};
}

async function taggedTopic(context: SnsContext, arn: string): Promise<SnsTopicRecord> {
  const topic = isLocalTopicArn(context.account, arn) ? await context.topics.get(arn) : undefined;
  if (!topic) throw new UnkaiError("ResourceNotFound", "Resource does not exist");
  return topic;
}

export async function tagResource(context: SnsContext, input: { ResourceArn: string; Tags: Tag[] }): Promise<object> {
  const topic = await taggedTopic(context, input.ResourceArn);
  const tags = { ...topic.tags, ...tagMap(input.Tags) };
  if (Object.keys(tags).length > 50) throw new UnkaiError("InvalidParameter", "Could not complete request: tag quota of per resource exceeded");
  await context.topics.put(topic.arn, { ...topic, tags });
  return {};
}

export async function untagResource(context: SnsContext, input: { ResourceArn: string; TagKeys: string[] }): Promise<object> {
  const topic = await taggedTopic(context, input.ResourceArn);
  const tags = Object.fromEntries(Object.entries(topic.tags).filter(([key]) => !input.TagKeys.includes(key)));
  await context.topics.put(topic.arn, { ...topic, tags });
  return {};
}

export async function listTagsForResource(context: SnsContext, input: { ResourceArn: string }): Promise<object> {
  const topic = await taggedTopic(context, input.ResourceArn);
  return { Tags: Object.entries(topic.tags).map(([Key, Value]) => ({ Key, Value })) };
}
