/**
 * EventBridge archives and replays as stored documents (API reference: CreateArchive, StartReplay;
 * user guide "Archiving and replaying events"). The archived events themselves live in their own
 * table (the EventArchiveStore port), by archive and event time.
 */

/** The states an archive can be in (ArchiveState); Unkai's archives are ENABLED from creation. */
export type ArchiveState = "ENABLED" | "DISABLED" | "CREATING" | "UPDATING" | "CREATE_FAILED" | "UPDATE_FAILED";

export interface ArchiveRecord {
  readonly ArchiveName: string;
  readonly ArchiveArn: string;
  /** The bus whose events it keeps: an `event-bus/<name>` ARN of this account. */
  readonly EventSourceArn: string;
  readonly Description?: string;
  readonly EventPattern?: string;
  /** Days to keep each event after it was archived; 0 keeps them forever. */
  readonly RetentionDays: number;
  /** Stored and described; the store does not encrypt with it. */
  readonly KmsKeyIdentifier?: string;
  readonly State: ArchiveState;
  readonly CreationTime: number;
}

/** A replay's lifecycle (ReplayState): STARTING → RUNNING → COMPLETED, or → CANCELLING → CANCELLED, or FAILED. */
export type ReplayState = "STARTING" | "RUNNING" | "CANCELLING" | "COMPLETED" | "CANCELLED" | "FAILED";

/** States a replay leaves only by finishing (it counts against the concurrent replays quota in them). */
export const ACTIVE_REPLAY_STATES: readonly ReplayState[] = ["STARTING", "RUNNING", "CANCELLING"];

export const isActiveReplay = (state: ReplayState): boolean => ACTIVE_REPLAY_STATES.includes(state);

export interface ReplayRecord {
  readonly ReplayName: string;
  readonly ReplayArn: string;
  readonly Description?: string;
  /** The archive's ARN. */
  readonly EventSourceArn: string;
  readonly Destination: { readonly Arn: string; readonly FilterArns?: readonly string[] };
  readonly EventStartTime: number;
  readonly EventEndTime: number;
  readonly State: ReplayState;
  readonly StateReason?: string;
  readonly EventLastReplayedTime?: number;
  readonly ReplayStartTime: number;
  readonly ReplayEndTime?: number;
  /** The node running it: only that node fails it as interrupted when it starts again. */
  readonly Owner: string;
}
