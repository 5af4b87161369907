/** The queue lifecycle: CreateQueue (with SQS's idempotency), GetQueueUrl, ListQueues, attributes, DeleteQueue, PurgeQueue. */
import { UnkaiError } from "../../core/errors.js";
import type { QueueRecord } from "../../store/ports.js";
import { FIFO_QUEUE_NAME, QUEUE_NAME, doesNotExist, queueArn, queueNameFromArn, queueUrl } from "./addresses.js";
import { type Caller, type SqsContext, integerParameter, queueByUrl } from "./context.js";
import { FIFO_DEFAULTS, KNOWN, READ_ONLY, STANDARD_DEFAULTS, allowsSource, checkSettable, parseRedrivePolicy, settingsOf } from "./queue-attributes.js";
import { checkTags } from "./tag-ops.js";

type Attributes = Readonly<Record<string, string>>;

const invalid = (message: string) => new UnkaiError("InvalidParameterValue", message);

/** A RedrivePolicy must name an existing queue of the same kind in this account whose RedriveAllowPolicy lets this queue in. */
async function checkRedriveTarget(context: SqsContext, source: { name: string; fifo: boolean }, value: string | undefined): Promise<void> {
  const policy = parseRedrivePolicy(value);
  if (!policy) return;
  const reason = (why: string) => new UnkaiError("InvalidParameterValue", `Value ${value ?? ""} for parameter RedrivePolicy is invalid. Reason: ${why}`);
  const name = queueNameFromArn(policy.deadLetterTargetArn, context.account);
  const target = name === undefined ? undefined : await context.queues.get(name);
  if (!target) throw reason("Dead-letter target does not exist.");
  if (target.fifo !== source.fifo) throw reason("Dead-letter queue must be same type of queue as the source.");
  if (target.name === source.name) throw reason("A queue cannot be its own dead-letter queue.");
  if (!allowsSource(target.attributes.RedriveAllowPolicy, queueArn(context.account, source.name))) {
    throw reason("Dead-letter target's RedriveAllowPolicy does not allow this queue as a source.");
  }
}

/**
 * Given attributes over the base; an empty Policy, RedrivePolicy or RedriveAllowPolicy removes it. (High
 * throughput needs both DeduplicationScope=messageGroup and FifoThroughputLimit=perMessageGroupId; any
 * other pair is normal throughput, not an error, as on SQS.)
 */
function merged(base: Attributes, given: Attributes): Record<string, string> {
  const result: Record<string, string> = { ...base, ...given };
  for (const name of ["Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId"]) if (result[name] === "") delete result[name];
  // Kept as SQS answers it: `maxReceiveCount` a number, whatever the caller's JSON said.
  const redrive = parseRedrivePolicy(given.RedrivePolicy);
  if (redrive) result.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: redrive.deadLetterTargetArn, maxReceiveCount: redrive.maxReceiveCount });
  return result;
}

export async function createQueue(
  context: SqsContext,
  input: { QueueName: string; Attributes?: Attributes; tags?: Attributes },
  caller: Caller,
): Promise<{ QueueUrl: string }> {
  const given = input.Attributes ?? {};
  const fifo = given.FifoQueue === "true";
  if (!(fifo ? FIFO_QUEUE_NAME : QUEUE_NAME).test(input.QueueName)) {
    throw invalid(fifo || input.QueueName.endsWith(".fifo")
      ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length (and FifoQueue must be true)."
      : "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
  }
  checkSettable(given, fifo, true);
  checkTags(input.tags ?? {});
  const now = context.now();
  const attributes = merged(fifo ? FIFO_DEFAULTS : STANDARD_DEFAULTS, given);
  await checkRedriveTarget(context, { name: input.QueueName, fifo }, attributes.RedrivePolicy);
  const record: QueueRecord = { name: input.QueueName, fifo, attributes, tags: { ...input.tags }, createdAt: now, modifiedAt: now };
  if (!(await context.queues.create(record))) {
    const existing = await context.queues.get(input.QueueName);
    if (!existing) throw new UnkaiError("QueueDeletedRecently", `The queue ${input.QueueName} was deleted while it was being created; try again.`);
    const defaults = existing.fifo ? FIFO_DEFAULTS : STANDARD_DEFAULTS;
    for (const [name, value] of Object.entries(given)) {
      const current = existing.attributes[name] ?? defaults[name] ?? (name === "FifoQueue" ? String(existing.fifo) : "");
      if (current !== (attributes[name] ?? value)) throw new UnkaiError("QueueNameExists", `A queue already exists with the same name and a different value for attribute ${name}`);
    }
  }
  return { QueueUrl: queueUrl(caller.baseUrl, context.account, input.QueueName) };
}

export async function getQueueUrl(context: SqsContext, input: { QueueName: string; QueueOwnerAWSAccountId?: string }, caller: Caller): Promise<{ QueueUrl: string }> {
  const owner = input.QueueOwnerAWSAccountId;
  if ((owner !== undefined && owner !== context.account.accountId) || !(await context.queues.get(input.QueueName))) throw doesNotExist();
  return { QueueUrl: queueUrl(caller.baseUrl, context.account, input.QueueName) };
}

interface PageToken {
  readonly prefix: string;
  readonly after: string;
}

function readToken(token: string, prefix: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Partial<PageToken>;
    if (parsed.prefix === prefix && typeof parsed.after === "string") return parsed.after;
  } catch {
    // falls through to the error below
  }
  throw invalid("Invalid NextToken value: it does not come from a ListQueues call with this QueueNamePrefix.");
}

export async function listQueues(
  context: SqsContext,
  input: { QueueNamePrefix?: string; NextToken?: string; MaxResults?: number },
  caller: Caller,
): Promise<{ QueueUrls?: string[]; NextToken?: string }> {
  const prefix = input.QueueNamePrefix ?? "";
  const paged = input.MaxResults !== undefined;
  const limit = integerParameter("MaxResults", input.MaxResults, 1, 1000, 1000);
  if (input.NextToken !== undefined && !paged) throw invalid("MaxResults is a mandatory parameter when you provide a value for NextToken.");
  const after = input.NextToken === undefined ? undefined : readToken(input.NextToken, prefix);
  const page = await context.queues.list(prefix, after, limit + 1);
  const shown = page.slice(0, limit);
  const last = shown.at(-1);
  const next = paged && page.length > limit && last ? Buffer.from(JSON.stringify({ prefix, after: last.name })).toString("base64url") : undefined;
  return {
    ...(shown.length > 0 ? { QueueUrls: shown.map((q) => queueUrl(caller.baseUrl, context.account, q.name)) } : {}),
    ...(next ? { NextToken: next } : {}),
  };
}

export async function getQueueAttributes(context: SqsContext, input: { QueueUrl: string; AttributeNames?: string[] }): Promise<{ Attributes?: Record<string, string> }> {
  const queue = await queueByUrl(context, input.QueueUrl);
  const asked = input.AttributeNames ?? [];
  for (const name of asked) if (name !== "All" && !KNOWN.has(name)) throw new UnkaiError("InvalidAttributeName", `Unknown Attribute ${name}.`);
  const all = asked.includes("All");
  const wanted = (name: string) => all || asked.includes(name);
  const now = context.now();
  const settings = settingsOf(queue.attributes);
  const counts = [...READ_ONLY].some((name) => name.startsWith("Approximate") && wanted(name))
    ? await context.messages.counts(queue.name, now, now - settings.retentionSeconds * 1000)
    : { visible: 0, inFlight: 0, delayed: 0 };
  const computed: Record<string, string> = {
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor(queue.modifiedAt / 1000)),
    QueueArn: queueArn(context.account, queue.name),
  };
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...queue.attributes, ...computed })) if (wanted(name)) result[name] = value;
  return Object.keys(result).length > 0 ? { Attributes: result } : {};
}

export async function setQueueAttributes(context: SqsContext, input: { QueueUrl: string; Attributes: Attributes }): Promise<Record<string, never>> {
  const queue = await queueByUrl(context, input.QueueUrl);
  checkSettable(input.Attributes, queue.fifo, false);
  const attributes = merged(queue.attributes, input.Attributes);
  if (input.Attributes.RedrivePolicy !== undefined) await checkRedriveTarget(context, queue, attributes.RedrivePolicy);
  if (!(await context.queues.setAttributes(queue.name, attributes, context.now()))) throw doesNotExist();
  // A shorter visibility or retention may make messages receivable (or gone) now.
  context.signals.wake(queue.name);
  return {};
}

export async function deleteQueue(context: SqsContext, input: { QueueUrl: string }): Promise<Record<string, never>> {
  const queue = await queueByUrl(context, input.QueueUrl);
  if (!(await context.queues.delete(queue.name))) throw doesNotExist();
  context.purgedAt.delete(queue.name);
  context.signals.wake(queue.name);
  return {};
}

export const PURGE_INTERVAL_MS = 60_000;

export async function purgeQueue(context: SqsContext, input: { QueueUrl: string }): Promise<Record<string, never>> {
  const queue = await queueByUrl(context, input.QueueUrl);
  const now = context.now();
  const last = context.purgedAt.get(queue.name);
  if (last !== undefined && now - last < PURGE_INTERVAL_MS) {
    throw new UnkaiError("PurgeQueueInProgress", `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`);
  }
  context.purgedAt.set(queue.name, now);
  await context.messages.purge(queue.name);
  return {};
}

export async function listDeadLetterSourceQueues(
  context: SqsContext,
  input: { QueueUrl: string; NextToken?: string; MaxResults?: number },
  caller: Caller,
): Promise<{ queueUrls: string[]; NextToken?: string }> {
  const target = await queueByUrl(context, input.QueueUrl);
  const arn = queueArn(context.account, target.name);
  const limit = integerParameter("MaxResults", input.MaxResults, 1, 1000, 1000);
  const sources: string[] = [];
  let after = input.NextToken === undefined ? undefined : readToken(input.NextToken, `dlq:${target.name}`);
  let more = false;
  for (;;) {
    const page = await context.queues.list("", after, 1000);
    for (const queue of page) {
      if (parseRedrivePolicy(queue.attributes.RedrivePolicy)?.deadLetterTargetArn !== arn) continue;
      if (sources.length === limit) more = true;
      else sources.push(queue.name);
    }
    after = page.at(-1)?.name;
    if (page.length < 1000 || more) break;
  }
  const last = sources.at(-1);
  const next = input.MaxResults !== undefined && more && last ? Buffer.from(JSON.stringify({ prefix: `dlq:${target.name}`, after: last })).toString("base64url") : undefined;
  return { queueUrls: sources.map((name) => queueUrl(caller.baseUrl, context.account, name)), ...(next ? { NextToken: next } : {}) };
}
