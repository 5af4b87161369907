/**
 * Message move tasks (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask): redrive
 * from a dead-letter queue back to each message's source queue, or to a queue given. A task moves
 * at most the messages visible when it starts, at its rate, each one sent to the destination before
 * it is deleted from the DLQ (a crash in between leaves a copy in both, never none). Tasks are kept
 * in the store, so every node lists and cancels them; the node that started one runs it and writes
 * its progress each batch, and a task whose node restarted or died (its heartbeat stale) is resumed
 * by the first node to notice. Two nodes noticing at once may both run it for a while: each message
 * still moves once (a receive hands it to one of them), only the moved count may lag.
 */
import { randomUUID } from "node:crypto";
import { UnkaiError } from "../../core/errors.js";
import type { SqsMoveTaskRecord } from "../../core/sqs-move-task.js";
import type { DocumentStore, StoredQueueMessage } from "../../store/ports.js";
import { queueArn, queueNameFromArn } from "./addresses.js";
import type { SqsContext } from "./context.js";
import { decodeMeta, encodeMeta } from "./message-meta.js";
import { DEDUP_WINDOW_MS, parseRedrivePolicy, settingsOf } from "./queue-attributes.js";

/** How a node notices tasks that lost theirs: a RUNNING task's heartbeat older than `staleAfterMs`. */
export interface MoveTaskTiming {
  readonly staleAfterMs: number;
  /** How often this node looks for such tasks. */
  readonly resumeCheckMs: number;
}

/** A running task writes progress at least every batch (at most 10 s apart at 1 message/s). */
export const MOVE_TASK_TIMING: MoveTaskTiming = { staleAfterMs: 30_000, resumeCheckMs: 10_000 };

const notFound = (message: string) => new UnkaiError("ResourceNotFoundException", message);

export class MoveTasks {
  /** The tasks this node runs, by handle. */
  private readonly running = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly context: SqsContext, private readonly tasks: DocumentStore<SqsMoveTaskRecord>, private readonly timing: MoveTaskTiming = MOVE_TASK_TIMING) {}

  /** Resumes tasks whose node is gone, now and every `resumeCheckMs`. */
  startResuming(): void {
    const check = () => {
      this.resumeStale().catch(() => undefined).finally(() => {
        if (this.closed) return;
        this.timer = setTimeout(check, this.timing.resumeCheckMs);
        this.timer.unref();
      });
    };
    check();
  }

  /** Takes over every RUNNING task whose heartbeat is stale (its node restarted or died); resolves to how many. */
  async resumeStale(): Promise<number> {
    const now = this.context.now();
    let resumed = 0;
    for (const task of await this.tasks.list()) {
      if (this.closed || task.status !== "RUNNING" || this.running.has(task.handle) || now - task.heartbeatAt < this.timing.staleAfterMs) continue;
      await this.tasks.put(task.handle, { ...task, heartbeatAt: now });
      this.launch(task.handle);
      resumed++;
    }
    return resumed;
  }

  private queueOf(arn: string, what: string): string {
    const name = queueNameFromArn(arn, this.context.account);
    if (name === undefined) throw notFound(`The resource that you specified for the ${what} parameter doesn't exist.`);
    return name;
  }

  async start(input: { SourceArn: string; DestinationArn?: string; MaxNumberOfMessagesPerSecond?: number }): Promise<{ TaskHandle: string }> {
    const source = this.queueOf(input.SourceArn, "SourceArn");
    const destination = input.DestinationArn === undefined ? undefined : this.queueOf(input.DestinationArn, "DestinationArn");
    const queue = await this.context.queues.get(source);
    if (!queue) throw notFound("The resource that you specified for the SourceArn parameter doesn't exist.");
    if (destination !== undefined && !(await this.context.queues.get(destination))) throw notFound("The resource that you specified for the DestinationArn parameter doesn't exist.");
    const rate = input.MaxNumberOfMessagesPerSecond;
    if (rate !== undefined && (!Number.isInteger(rate) || rate < 1 || rate > 500)) {
      throw new UnkaiError("InvalidParameterValue", `Value ${rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.`);
    }
    if (!(await this.isDeadLetterQueue(input.SourceArn))) throw new UnkaiError("InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.");
    if ((await this.tasks.list()).some((t) => t.source === source && (t.status === "RUNNING" || t.status === "CANCELLING"))) {
      throw new UnkaiError("InvalidParameterValue", "There is already a task running. Only one active task is allowed for a source queue arn at a given time.");
    }
    const now = this.context.now();
    const counts = await this.context.messages.counts(source, now, now - settingsOf(queue.attributes).retentionSeconds * 1000);
    const task: SqsMoveTaskRecord = { handle: randomUUID(), source, destination, ratePerSecond: rate, startedAt: now, toMove: counts.visible, status: "RUNNING", moved: 0, heartbeatAt: now };
    await this.tasks.put(task.handle, task);
    this.launch(task.handle);
    return { TaskHandle: Buffer.from(JSON.stringify({ handle: task.handle, source: input.SourceArn })).toString("base64url") };
  }

  private launch(handle: string): void {
    const run = this.run(handle).finally(() => this.running.delete(handle));
    this.running.set(handle, run);
  }

  private async isDeadLetterQueue(arn: string): Promise<boolean> {
    let after: string | undefined;
    for (;;) {
      const page = await this.context.queues.list("", after, 500);
      if (page.some((q) => parseRedrivePolicy(q.attributes.RedrivePolicy)?.deadLetterTargetArn === arn)) return true;
      if (page.length < 500) return false;
      after = page.at(-1)?.name;
    }
  }

  async list(input: { SourceArn: string; MaxResults?: number }): Promise<{ Results: Record<string, unknown>[] }> {
    const source = this.queueOf(input.SourceArn, "SourceArn");
    const max = input.MaxResults ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) throw new UnkaiError("InvalidParameterValue", `Value ${max} for parameter MaxResults is invalid. Reason: Must be between 1 and 10.`);
    const account = this.context.account;
    const newestFirst = (await this.tasks.list()).filter((t) => t.source === source).sort((a, b) => b.startedAt - a.startedAt);
    return {
      Results: newestFirst.slice(0, max).map((t) => ({
        ...(t.status === "RUNNING" ? { TaskHandle: Buffer.from(JSON.stringify({ handle: t.handle, source: input.SourceArn })).toString("base64url") } : {}),
        Status: t.status, SourceArn: queueArn(account, t.source),
        ...(t.destination !== undefined ? { DestinationArn: queueArn(account, t.destination) } : {}),
        ...(t.ratePerSecond !== undefined ? { MaxNumberOfMessagesPerSecond: t.ratePerSecond } : {}),
        ApproximateNumberOfMessagesMoved: t.moved, ApproximateNumberOfMessagesToMove: t.toMove,
        ...(t.failureReason ? { FailureReason: t.failureReason } : {}), StartedTimestamp: t.startedAt,
      })),
    };
  }

  /** Marks the task CANCELLING in the store; the node running it (this one or another) stops it at its next batch. */
  async cancel(input: { TaskHandle: string }): Promise<{ ApproximateNumberOfMessagesMoved: number }> {
    let handle: unknown;
    try {
      handle = (JSON.parse(Buffer.from(input.TaskHandle, "base64url").toString("utf8")) as { handle?: unknown }).handle;
    } catch {
      handle = undefined;
    }
    const task = typeof handle === "string" ? await this.tasks.get(handle) : undefined;
    if (!task || task.status !== "RUNNING") throw notFound("Task does not exist or is not running.");
    await this.tasks.put(task.handle, { ...task, status: "CANCELLING" });
    return { ApproximateNumberOfMessagesMoved: task.moved };
  }

  /** Stops this node's tasks (shutdown) and waits for them; they stay RUNNING in the store and are resumed after a restart or by another node. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Writes progress, keeping a CANCELLING status another call (or node) wrote meanwhile; resolves to
   * the record written.
   */
  private async progress(task: SqsMoveTaskRecord, change: Partial<SqsMoveTaskRecord>): Promise<SqsMoveTaskRecord> {
    const latest = await this.tasks.get(task.handle);
    const cancelled = latest?.status === "CANCELLING" && (change.status ?? task.status) === "RUNNING";
    const next: SqsMoveTaskRecord = { ...task, ...change, ...(cancelled ? { status: "CANCELLING" } : {}), heartbeatAt: this.context.now() };
    await this.tasks.put(task.handle, next);
    return next;
  }

  private async run(handle: string): Promise<void> {
    let task = await this.tasks.get(handle);
    if (!task) return;
    try {
      while (!this.closed && task.status === "RUNNING" && task.moved < task.toMove) {
        const startedMs = Date.now();
        const now = this.context.now();
        const wanted = Math.min(10, task.toMove - task.moved, task.ratePerSecond ?? 10);
        const { delivered } = await this.context.messages.receive({
          queue: task.source, now, limit: wanted, visibleUntil: now + 30_000, receipt: `move-${task.handle}`, sentAfter: 0, fifo: false,
        });
        if (delivered.length === 0) break;
        let moved = task.moved;
        for (const message of delivered) {
          await this.moveOne(task, message);
          moved++;
        }
        task = await this.progress(task, { moved });
        const rate = task.ratePerSecond;
        if (rate !== undefined) await new Promise((resolve) => setTimeout(resolve, Math.max(0, (1000 * delivered.length) / rate - (Date.now() - startedMs))));
      }
      if (this.closed && task.status === "RUNNING" && task.moved < task.toMove) return;
      // A cancel another call (or node) wrote meanwhile decides how the task ends.
      const cancelled = task.status === "CANCELLING" || (await this.tasks.get(task.handle))?.status === "CANCELLING";
      await this.progress(task, { status: cancelled ? "CANCELLED" : "COMPLETED" });
    } catch (error) {
      await this.progress(task, { status: "FAILED", failureReason: (error as Error).message }).catch(() => undefined);
    }
  }

  private async moveOne(task: SqsMoveTaskRecord, message: StoredQueueMessage): Promise<void> {
    const meta = decodeMeta(message.meta);
    const target = task.destination ?? meta.sentTo;
    const now = this.context.now();
    const sent = await this.context.messages.send(target, [{
      id: message.id, body: message.body, meta: encodeMeta({ ...meta, sentTo: target }), groupId: message.groupId,
      // Into a FIFO queue: the message's own id deduplicates a move repeated after a crash.
      dedupKey: message.groupId === undefined ? undefined : `\nmove-${message.id}`, sentAt: now, visibleAt: now,
    }], now, now + DEDUP_WINDOW_MS);
    if (!sent) throw new Error(`The destination queue ${target} does not exist.`);
    this.context.signals.wake(target);
    await this.context.messages.delete(task.source, message.seq, `move-${task.handle}`);
  }
}
