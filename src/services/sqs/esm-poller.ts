/**
 * SQS event source mappings at work: one loop per enabled mapping long-polls its queue (through the
 * same receive as ReceiveMessage, so visibility, FIFO groups and the queue's redrive to its DLQ all
 * apply), gathers up to BatchSize messages within MaximumBatchingWindowInSeconds, invokes the
 * function synchronously, and deletes what succeeded. Failed messages stay in flight and return
 * after the queue's visibility timeout. A mapping's loop notices it was disabled, changed or deleted
 * at its next batch; closing wakes every long poll.
 *
 * Scaling, as Lambda scales SQS pollers: a mapping starts with up to five concurrent loops; each full
 * batch adds one, up to the mapping's `ScalingConfig.MaximumConcurrency`, else the function's reserved
 * concurrency, else `maxPollersPerMapping`; a loop whose long poll came back empty retires while more
 * than the starting number run. So a mapping never has more batches in flight than its ceiling.
 *
 * Under IAM enforcement each batch is read as the function's execution role: a role that lost
 * ReceiveMessage, DeleteMessage or GetQueueAttributes on the queue reads nothing (LastProcessingResult says
 * why) until it has them again.
 *
 * Every loop long-polls its queue, so loops cost the node work even when idle: all mappings together
 * run at most `maxPollersPerHost` (`--sqs-pollers`), whatever their ceilings say (MaximumConcurrency
 * goes to 1,000 per mapping). A mapping keeps at least one loop, so none starves behind the others.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { EventSourceFilter, sqsRecordForFilter } from "../../core/event-pattern/event-source-filter.js";
import type { JsonValue } from "../../core/event-pattern/types.js";
import { countMappingEvents, type EventSourceMapping } from "../../core/event-source-mapping.js";
import type { Invoker } from "../../engine/invoker.js";
import type { DocumentStore } from "../../store/ports.js";
import type { FunctionService } from "../../functions/function-service.js";
import { queueNameFromArn, queueUrl } from "./addresses.js";
import type { SqsContext } from "./context.js";
import { reportedFailures, sqsEvent } from "./esm-records.js";
import { type ReceivedMessage, changeMessageVisibility, deleteMessage, receiveMessage } from "./receive-ops.js";
import { PollLoops } from "../../sources/poll-loops.js";

export interface PollerDeps {
  readonly context: SqsContext;
  readonly mappings: DocumentStore<EventSourceMapping>;
  readonly functions: FunctionService;
  readonly invoker: Invoker;
  readonly logger: Logger;
  /** How often the set of mappings is read again. */
  readonly rescanMs?: number;
  /** The most concurrent batches of one mapping without MaximumConcurrency or reserved concurrency. */
  readonly maxPollersPerMapping?: number;
  /** The most loops of every mapping together on this node. */
  readonly maxPollersPerHost?: number;
  /**
   * Under IAM enforcement: the first of `actions` the function's execution role may not perform on the
   * queue. Lambda reads the queue as that role, so a permission taken away stops the mapping's reads.
   */
  readonly roleDenies?: ((functionName: string, actions: readonly string[], resource: string) => Promise<string | undefined>) | undefined;
}

/** What Lambda does with the queue as the function's role (AWSLambdaSQSQueueExecutionRole's actions). */
const QUEUE_READS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"];

/** Loops a mapping starts with: Lambda begins with five concurrent batches. */
const INITIAL_POLLERS = 5;
const DEFAULT_MAX_POLLERS = 50;
const DEFAULT_MAX_POLLERS_PER_HOST = 100;

/** One mapping's loops: how many run, and how many it should have now. */
interface Pollers {
  running: number;
  target: number;
  ceiling: number;
}

/** Queue URLs the poller uses internally (only their path is read). */
const INTERNAL_BASE = "http://unkai.internal";

export class SqsPoller {
  private readonly loops: PollLoops;
  private readonly pollers = new Map<string, Pollers>();
  /** Loops running now, every mapping together. */
  private running = 0;

  constructor(private readonly deps: PollerDeps) {
    this.loops = new PollLoops(() => this.scan(), deps.rescanMs ?? 1_000);
  }

  private get closed(): boolean {
    return this.loops.closed;
  }

  start(): void {
    this.loops.start();
  }

  close(): Promise<void> {
    return this.loops.close();
  }

  private async scan(): Promise<void> {
    try {
      const active: [string, Pollers][] = [];
      for (const mapping of await this.deps.mappings.list()) {
        // Mappings of other sources (DynamoDB streams) have their own poller.
        if (this.closed || !mapping.enabled || queueNameFromArn(mapping.eventSourceArn, this.deps.context.account) === undefined) continue;
        const ceiling = await this.ceiling(mapping);
        const pollers = this.pollers.get(mapping.uuid) ?? { running: 0, target: Math.min(INITIAL_POLLERS, ceiling), ceiling };
        pollers.ceiling = ceiling;
        pollers.target = Math.min(pollers.target, ceiling);
        this.pollers.set(mapping.uuid, pollers);
        active.push([mapping.uuid, pollers]);
      }
      // Every mapping its first loop before any its more, so the node's bound is shared, not taken by the first listed.
      for (const [uuid, pollers] of active) if (pollers.running === 0) this.fill(uuid, pollers, 1);
      for (const [uuid, pollers] of active) this.fill(uuid, pollers);
    } catch (error) {
      this.deps.logger.error({ err: error }, "reading the event source mappings failed; trying again");
    }
  }

  /** The most batches the mapping may have in flight: MaximumConcurrency, else reserved concurrency, else the default. */
  private async ceiling(mapping: EventSourceMapping): Promise<number> {
    const reserved = (await this.deps.functions.find(mapping.functionName))?.reservedConcurrency;
    const limits = [mapping.maximumConcurrency ?? this.deps.maxPollersPerMapping ?? DEFAULT_MAX_POLLERS, ...(reserved !== undefined ? [reserved] : [])];
    return Math.max(1, Math.min(...limits));
  }

  /** Whether the node may start another loop: under its bound, or the mapping's first (none starves). */
  private mayStart(pollers: Pollers): boolean {
    return pollers.running === 0 || this.running < (this.deps.maxPollersPerHost ?? DEFAULT_MAX_POLLERS_PER_HOST);
  }

  /** Starts loops until the mapping has as many as it should, or the node its bound (the next scan tries again). */
  private fill(uuid: string, pollers: Pollers, upTo = pollers.target): void {
    while (!this.closed && pollers.running < Math.min(upTo, pollers.target) && this.mayStart(pollers)) {
      pollers.running += 1;
      this.running += 1;
      this.loops.run(`${uuid}/${randomUUID()}`, () => this.run(uuid, pollers).finally(() => {
        pollers.running -= 1;
        this.running -= 1;
        if (pollers.running === 0) this.pollers.delete(uuid);
      }));
    }
  }

  private async run(uuid: string, pollers: Pollers): Promise<void> {
    for (;;) {
      const mapping = await this.deps.mappings.get(uuid);
      if (this.closed || !mapping?.enabled || pollers.running > pollers.target) return;
      try {
        if (await this.refused(mapping, [])) continue;
        const batch = await this.gather(mapping);
        // A long poll that began before the permission went: its messages go back unprocessed.
        if (batch.length > 0 && (await this.refused(mapping, batch))) continue;
        this.count(mapping, "PolledEventCount", batch.length);
        if (batch.length === 0) {
          if (pollers.running > Math.min(INITIAL_POLLERS, pollers.ceiling)) {
            pollers.target = Math.max(pollers.target - 1, Math.min(INITIAL_POLLERS, pollers.ceiling));
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        if (batch.length >= mapping.batchSize && pollers.target < pollers.ceiling && this.mayStart(pollers)) {
          pollers.target += 1;
          this.fill(uuid, pollers);
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

  /**
   * Under IAM enforcement, whether the function's role may not read the queue now: then `batch` goes back
   * to the queue, the mapping says why, and the loop waits a second before asking again.
   */
  private async refused(mapping: EventSourceMapping, batch: readonly ReceivedMessage[]): Promise<boolean> {
    const denied = await this.deps.roleDenies?.(mapping.functionName, QUEUE_READS, mapping.eventSourceArn);
    if (denied === undefined) return false;
    if (batch.length > 0) await this.release(mapping, batch);
    await this.record(mapping.uuid, `PROBLEM: Lambda cannot read the queue: the function execution role does not have permissions to call ${denied.slice("sqs:".length)} on SQS`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return true;
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
    this.count(mapping, "FilteredOutEventCount", batch.length - kept.length);
    return kept;
  }

  private async process(mapping: EventSourceMapping, received: readonly ReceivedMessage[]): Promise<void> {
    const { context, functions, invoker } = this.deps;
    const batch = await this.filter(mapping, received);
    if (batch.length === 0) return;
    const record = await functions.resolve(mapping.functionName, mapping.qualifier);
    const payload = Buffer.from(JSON.stringify(sqsEvent(batch, mapping.eventSourceArn, context.account)));
    this.count(mapping, "InvokedEventCount", batch.length);
    const result = await invoker.invoke({
      fn: functions.runnable(record), requestId: randomUUID(), payload,
      invokedArn: functions.arn(mapping.functionName, mapping.qualifier), clientContext: undefined,
      traceId: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString("hex")};Sampled=0`, wantLogTail: false,
    }).catch((error: unknown) => {
      this.count(mapping, "FailedInvokeEventCount", batch.length);
      throw error;
    });
    if (result.functionError) {
      this.count(mapping, "FailedInvokeEventCount", batch.length);
      await this.record(mapping.uuid, "PROBLEM: Function call failed");
      return;
    }
    const reported = mapping.functionResponseTypes.includes("ReportBatchItemFailures")
      ? reportedFailures(result.payload, new Set(batch.map((m) => m.MessageId)))
      : new Set<string>();
    if (reported === "all") {
      this.count(mapping, "FailedInvokeEventCount", batch.length);
      await this.record(mapping.uuid, "PROBLEM: Invalid partial batch response");
      return;
    }
    const url = queueUrl(INTERNAL_BASE, context.account, queueNameFromArn(mapping.eventSourceArn, context.account) ?? "");
    const heldGroups = new Set<string>();
    let failedCount = 0;
    for (const message of batch) {
      const group = message.Attributes?.MessageGroupId;
      // FIFO: once a message of a group failed, the group's later messages go back with it, to keep their order.
      const failed = reported.has(message.MessageId) || (group !== undefined && heldGroups.has(group) && message.Attributes?.SequenceNumber !== undefined);
      if (failed) {
        if (group !== undefined) heldGroups.add(group);
        failedCount += 1;
        continue;
      }
      await deleteMessage(context, { QueueUrl: url, ReceiptHandle: message.ReceiptHandle });
    }
    // As AWS counts a partial batch response: the items reported (and the FIFO ones held back with them) failed.
    this.count(mapping, "FailedInvokeEventCount", failedCount);
    this.count(mapping, "DeletedEventCount", batch.length - failedCount);
    await this.record(mapping.uuid, "OK");
  }

  /** The mapping's event counts, when its MetricsConfig asks for them: one accumulator update per batch. */
  private count(mapping: EventSourceMapping, metricName: string, events: number): void {
    countMappingEvents(this.deps.context.metrics, mapping, metricName, events);
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
