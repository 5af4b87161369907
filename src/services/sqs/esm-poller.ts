/**
 * SQS event source mappings at work: one loop per enabled mapping long-polls its queue (through the
 * same receive as ReceiveMessage, so visibility, FIFO groups and the queue's redrive to its DLQ all
 * apply), gathers up to BatchSize messages within MaximumBatchingWindowInSeconds, invokes the
 * function synchronously, and deletes what succeeded. Failed messages stay in flight and return
 * after the queue's visibility timeout. A mapping's loop notices it was disabled, changed or deleted
 * at its next batch; closing wakes every long poll.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { EventSourceFilter, sqsRecordForFilter } from "../../core/event-pattern/event-source-filter.js";
import type { JsonValue } from "../../core/event-pattern/types.js";
import type { EventSourceMapping } from "../../core/event-source-mapping.js";
import type { Invoker } from "../../engine/invoker.js";
import type { DocumentStore } from "../../store/ports.js";
import type { FunctionService } from "../../functions/function-service.js";
import { queueNameFromArn, queueUrl } from "./addresses.js";
import type { SqsContext } from "./context.js";
import { reportedFailures, sqsEvent } from "./esm-records.js";
import { type ReceivedMessage, changeMessageVisibility, deleteMessage, receiveMessage } from "./receive-ops.js";

export interface PollerDeps {
  readonly context: SqsContext;
  readonly mappings: DocumentStore<EventSourceMapping>;
  readonly functions: FunctionService;
  readonly invoker: Invoker;
  readonly logger: Logger;
  /** How often the set of mappings is read again. */
  readonly rescanMs?: number;
}

/** Queue URLs the poller uses internally (only their path is read). */
const INTERNAL_BASE = "http://unkai.internal";

export class SqsPoller {
  private readonly loops = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly deps: PollerDeps) {}

  start(): void {
    if (this.closed || this.timer) return;
    this.timer = setInterval(() => void this.scan(), this.deps.rescanMs ?? 1_000);
    this.timer.unref();
    void this.scan();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.loops.values()]);
  }

  private async scan(): Promise<void> {
    try {
      for (const mapping of await this.deps.mappings.list()) {
        if (this.closed || !mapping.enabled || this.loops.has(mapping.uuid)) continue;
        const loop = this.run(mapping.uuid).finally(() => this.loops.delete(mapping.uuid));
        this.loops.set(mapping.uuid, loop);
      }
    } catch (error) {
      this.deps.logger.error({ err: error }, "reading the event source mappings failed; trying again");
    }
  }

  private async run(uuid: string): Promise<void> {
    for (;;) {
      const mapping = await this.deps.mappings.get(uuid);
      if (this.closed || !mapping?.enabled) return;
      try {
        const batch = await this.gather(mapping);
        if (batch.length === 0) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        // Disabled, changed or deleted during the long poll: give the messages back at once, process none.
        const now = await this.deps.mappings.get(uuid);
        if (this.closed || !now?.enabled || now.functionName !== mapping.functionName || now.qualifier !== mapping.qualifier) await this.release(mapping, batch);
        else await this.process(now, batch);
      } catch (error) {
        this.deps.logger.warn({ err: error, mapping: uuid }, "an event source mapping's batch failed");
        await this.record(uuid, `PROBLEM: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  /** Up to BatchSize messages: a long poll for the first, then more until the batch is full or the window ends. */
  private async gather(mapping: EventSourceMapping): Promise<ReceivedMessage[]> {
    const { context } = this.deps;
    const name = queueNameFromArn(mapping.eventSourceArn, context.account);
    if (name === undefined || !(await context.queues.get(name))) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return [];
    }
    const url = queueUrl(INTERNAL_BASE, context.account, name);
    const receive = async (wanted: number, waitSeconds: number) =>
      (await receiveMessage(context, { QueueUrl: url, MaxNumberOfMessages: Math.min(10, wanted), WaitTimeSeconds: waitSeconds, AttributeNames: ["All"], MessageAttributeNames: ["All"] })).Messages ?? [];
    const batch = await receive(mapping.batchSize, 20);
    const windowEnds = Date.now() + mapping.maximumBatchingWindowInSeconds * 1000;
    while (batch.length > 0 && batch.length < mapping.batchSize && Date.now() < windowEnds && !this.closed) {
      const more = await receive(mapping.batchSize - batch.length, Math.max(0, Math.min(20, Math.floor((windowEnds - Date.now()) / 1000))));
      if (more.length === 0 && Date.now() >= windowEnds - 1_000) break;
      batch.push(...more);
    }
    return batch;
  }

  /** Messages no filter matches are discarded (deleted) without an invocation, as Lambda does; the rest go on. */
  private async filter(mapping: EventSourceMapping, batch: readonly ReceivedMessage[]): Promise<ReceivedMessage[]> {
    if (!mapping.filterCriteria) return [...batch];
    const { context } = this.deps;
    const filter = EventSourceFilter.compile(mapping.filterCriteria);
    const { Records } = sqsEvent(batch, mapping.eventSourceArn, context.account);
    const url = queueUrl(INTERNAL_BASE, context.account, queueNameFromArn(mapping.eventSourceArn, context.account) ?? "");
    const kept: ReceivedMessage[] = [];
    for (const [i, message] of batch.entries()) {
      if (filter.matches(sqsRecordForFilter(Records[i] as { body: string } & Record<string, JsonValue>))) kept.push(message);
      else await deleteMessage(context, { QueueUrl: url, ReceiptHandle: message.ReceiptHandle });
    }
    return kept;
  }

  private async process(mapping: EventSourceMapping, received: readonly ReceivedMessage[]): Promise<void> {
    const { context, functions, invoker } = this.deps;
    const batch = await this.filter(mapping, received);
    if (batch.length === 0) return;
    const record = await functions.resolve(mapping.functionName, mapping.qualifier);
    const payload = Buffer.from(JSON.stringify(sqsEvent(batch, mapping.eventSourceArn, context.account)));
    const result = await invoker.invoke({
      fn: functions.runnable(record), requestId: randomUUID(), payload,
      invokedArn: functions.arn(mapping.functionName, mapping.qualifier), clientContext: undefined,
      traceId: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString("hex")};Sampled=0`, wantLogTail: false,
    });
    if (result.functionError) {
      await this.record(mapping.uuid, "PROBLEM: Function call failed");
      return;
    }
    const reported = mapping.functionResponseTypes.includes("ReportBatchItemFailures")
      ? reportedFailures(result.payload, new Set(batch.map((m) => m.MessageId)))
      : new Set<string>();
    if (reported === "all") {
      await this.record(mapping.uuid, "PROBLEM: Invalid partial batch response");
      return;
    }
    const url = queueUrl(INTERNAL_BASE, context.account, queueNameFromArn(mapping.eventSourceArn, context.account) ?? "");
    const heldGroups = new Set<string>();
    for (const message of batch) {
      const group = message.Attributes?.MessageGroupId;
      // FIFO: once a message of a group failed, the group's later messages go back with it, to keep their order.
      const failed = reported.has(message.MessageId) || (group !== undefined && heldGroups.has(group) && message.Attributes?.SequenceNumber !== undefined);
      if (failed) {
        if (group !== undefined) heldGroups.add(group);
        continue;
      }
      await deleteMessage(context, { QueueUrl: url, ReceiptHandle: message.ReceiptHandle });
    }
    await this.record(mapping.uuid, "OK");
  }

  private async release(mapping: EventSourceMapping, batch: readonly ReceivedMessage[]): Promise<void> {
    const { context } = this.deps;
    const url = queueUrl(INTERNAL_BASE, context.account, queueNameFromArn(mapping.eventSourceArn, context.account) ?? "");
    for (const message of batch) {
      await changeMessageVisibility(context, { QueueUrl: url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }).catch(() => undefined);
    }
  }

  /** Keeps the mapping's LastProcessingResult (only when it changes, re-reading it so a user's update is not undone). */
  private async record(uuid: string, result: string): Promise<void> {
    const current = await this.deps.mappings.get(uuid);
    if (current && current.lastProcessingResult !== result) await this.deps.mappings.put(uuid, { ...current, lastProcessingResult: result });
  }
}
