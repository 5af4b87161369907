/**
 * Message move tasks (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask): redrive
 * from a dead-letter queue back to each message's source queue, or to a queue given. A task moves
 * at most the messages visible when it starts, at its rate, each one sent to the destination before
 * it is deleted from the DLQ (a crash in between leaves a copy in both, never none). Tasks are kept
 * by this Unkai process; a restart forgets finished ones and ends running ones.
 */
import { randomUUID } from "node:crypto";
import { UnkaiError } from "../../core/errors.js";
import type { StoredQueueMessage } from "../../store/ports.js";
import { queueArn, queueNameFromArn } from "./addresses.js";
import type { SqsContext } from "./context.js";
import { decodeMeta, encodeMeta } from "./message-meta.js";
import { DEDUP_WINDOW_MS, parseRedrivePolicy, settingsOf } from "./queue-attributes.js";

interface MoveTask {
  readonly handle: string;
  readonly source: string;
  readonly destination: string | undefined;
  readonly ratePerSecond: number | undefined;
  readonly startedAt: number;
  readonly toMove: number;
  status: "RUNNING" | "COMPLETED" | "CANCELLING" | "CANCELLED" | "FAILED";
  moved: number;
  failureReason?: string;
}

const notFound = (message: string) => new UnkaiError("ResourceNotFoundException", message);

export class MoveTasks {
  private readonly tasks: MoveTask[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly context: SqsContext) {}

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
    if (this.tasks.some((t) => t.source === source && (t.status === "RUNNING" || t.status === "CANCELLING"))) {
      throw new UnkaiError("InvalidParameterValue", "There is already a task running. Only one active task is allowed for a source queue arn at a given time.");
    }
    const now = this.context.now();
    const counts = await this.context.messages.counts(source, now, now - settingsOf(queue.attributes).retentionSeconds * 1000);
    const task: MoveTask = { handle: randomUUID(), source, destination, ratePerSecond: rate, startedAt: now, toMove: counts.visible, status: "RUNNING", moved: 0 };
    this.tasks.unshift(task);
    const run = this.run(task).finally(() => this.running.delete(run));
    this.running.add(run);
    return { TaskHandle: Buffer.from(JSON.stringify({ handle: task.handle, source: input.SourceArn })).toString("base64url") };
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

  list(input: { SourceArn: string; MaxResults?: number }): { Results: Record<string, unknown>[] } {
    const source = this.queueOf(input.SourceArn, "SourceArn");
    const max = input.MaxResults ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) throw new UnkaiError("InvalidParameterValue", `Value ${max} for parameter MaxResults is invalid. Reason: Must be between 1 and 10.`);
    const account = this.context.account;
    return {
      Results: this.tasks.filter((t) => t.source === source).slice(0, max).map((t) => ({
        ...(t.status === "RUNNING" ? { TaskHandle: Buffer.from(JSON.stringify({ handle: t.handle, source: input.SourceArn })).toString("base64url") } : {}),
        Status: t.status, SourceArn: queueArn(account, t.source),
        ...(t.destination !== undefined ? { DestinationArn: queueArn(account, t.destination) } : {}),
        ...(t.ratePerSecond !== undefined ? { MaxNumberOfMessagesPerSecond: t.ratePerSecond } : {}),
        ApproximateNumberOfMessagesMoved: t.moved, ApproximateNumberOfMessagesToMove: t.toMove,
        ...(t.failureReason ? { FailureReason: t.failureReason } : {}), StartedTimestamp: t.startedAt,
      })),
    };
  }

  cancel(input: { TaskHandle: string }): { ApproximateNumberOfMessagesMoved: number } {
    let handle: unknown;
    try {
      handle = (JSON.parse(Buffer.from(input.TaskHandle, "base64url").toString("utf8")) as { handle?: unknown }).handle;
    } catch {
      handle = undefined;
    }
    const task = this.tasks.find((t) => t.handle === handle);
    if (!task || task.status !== "RUNNING") throw notFound("Task does not exist or is not running.");
    task.status = "CANCELLING";
    return { ApproximateNumberOfMessagesMoved: task.moved };
  }

  /** Ends running tasks (shutdown) and waits for them. */
  async close(): Promise<void> {
    for (const task of this.tasks) if (task.status === "RUNNING") task.status = "CANCELLING";
    await Promise.allSettled([...this.running]);
  }

  private async run(task: MoveTask): Promise<void> {
    try {
      while (task.moved < task.toMove && task.status === "RUNNING") {
        const startedMs = Date.now();
        const now = this.context.now();
        const wanted = Math.min(10, task.toMove - task.moved, task.ratePerSecond ?? 10);
        const { delivered } = await this.context.messages.receive({
          queue: task.source, now, limit: wanted, visibleUntil: now + 30_000, receipt: `move-${task.handle}`, sentAfter: 0, fifo: false,
        });
        if (delivered.length === 0) break;
        for (const message of delivered) await this.moveOne(task, message);
        const rate = task.ratePerSecond;
        if (rate !== undefined) await new Promise((resolve) => setTimeout(resolve, Math.max(0, (1000 * delivered.length) / rate - (Date.now() - startedMs))));
      }
      task.status = task.status === "CANCELLING" ? "CANCELLED" : "COMPLETED";
    } catch (error) {
      task.status = "FAILED";
      task.failureReason = (error as Error).message;
    }
  }

  private async moveOne(task: MoveTask, message: StoredQueueMessage): Promise<void> {
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
    task.moved++;
  }
}
