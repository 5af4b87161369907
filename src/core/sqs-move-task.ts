/** An SQS message move task as the store keeps it (src/services/sqs/move-tasks.ts works on it). */

export type MoveTaskStatus = "RUNNING" | "COMPLETED" | "CANCELLING" | "CANCELLED" | "FAILED";

export interface SqsMoveTaskRecord {
  readonly handle: string;
  /** Queue names (this account's). */
  readonly source: string;
  readonly destination: string | undefined;
  readonly ratePerSecond: number | undefined;
  readonly startedAt: number;
  /** The messages visible in the source when the task started: it moves at most these. */
  readonly toMove: number;
  readonly status: MoveTaskStatus;
  readonly moved: number;
  readonly failureReason?: string;
  /**
   * When the node running it last wrote progress (epoch ms): a RUNNING task whose heartbeat is stale
   * lost its node (a restart, a crash) and is resumed by whichever node sees it first.
   */
  readonly heartbeatAt: number;
}
