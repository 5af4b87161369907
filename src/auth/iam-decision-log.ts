/**
 * The record of IAM denials ("why was this denied"): every request `--iam enforce` refuses, and every one
 * `--iam audit` would have refused, becomes one JSON event in the CloudWatch Logs group
 * `/unkai/iam/decisions`, so `aws logs filter-log-events`, metric filters and the console read it like any
 * other log (docs/iam.md, "Decision log").
 *
 * Cheap by construction: allowed requests record nothing; a denial is one event handed to the log store's
 * write-behind (off the request's path); at most `maxPerSecond` events a second per node are written, the
 * rest counted and summed up in one event, so a flood of denials costs bounded writes; and the group is an
 * ordinary log group, bounded by the default retention and the per-group byte cap like every other one.
 */
import type { LogStore } from "../store/ports.js";

export const DECISION_LOG_GROUP = "/unkai/iam/decisions";

/** What enforcement did with the denied request: refused it, or (audit) let it through. */
export type IamMode = "enforce" | "audit";

export interface IamDenialRecord {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly decision: "explicitDeny" | "implicitDeny";
  readonly mode: IamMode;
  /** Why, in the evaluator's words (`no-identity`, `identity-deny`, `unmapped`, …). */
  readonly reason: string;
  /** The statement that decided (an explicit Deny's), when one did. */
  readonly statement?: { readonly policy: string; readonly sid: string | undefined } | undefined;
  /** AWS's sentence, as the caller got it (enforce) or would have (audit). */
  readonly message?: string | undefined;
  readonly requestId?: string | undefined;
  readonly sourceIp?: string | undefined;
  /** For a service acting on a resource (S3 notifications, SNS deliveries): the source it acted for. */
  readonly sourceArn?: string | undefined;
}

/** Hears denials; the enforcer does not care where they go. */
export interface IamDenialRecorder {
  record(denial: IamDenialRecord): void;
}

export interface IamDecisionLogOptions {
  readonly logs: Pick<LogStore, "append">;
  /** This node's name: each node writes its own stream per day (`YYYY/MM/DD/<node>`), as Lambda's environments do. */
  readonly nodeName: string;
  readonly maxPerSecond?: number;
  readonly now?: () => number;
  readonly onError?: (error: unknown) => void;
}

const WINDOW_MS = 1_000;

export class IamDecisionLog implements IamDenialRecorder {
  private readonly maxPerSecond: number;
  private windowStart = 0;
  private written = 0;
  private suppressed = 0;
  private summaryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: IamDecisionLogOptions) {
    this.maxPerSecond = options.maxPerSecond ?? 100;
  }

  record(denial: IamDenialRecord): void {
    // A subscription filter on this very group whose function refuses Logs would record a denial per
    // delivery of the denials it records: a loop. Such refusals stay in Unkai's own log.
    if (denial.sourceArn?.includes(`:log-group:${DECISION_LOG_GROUP}:`)) return;
    const now = this.now();
    if (now - this.windowStart >= WINDOW_MS) this.openWindow(now);
    if (this.written >= this.maxPerSecond) {
      this.suppressed += 1;
      // The summary is written when this window ends, even if no denial follows.
      this.summaryTimer ??= setTimeout(() => this.flushSummary(), Math.max(0, this.windowStart + WINDOW_MS - now)).unref();
      return;
    }
    this.written += 1;
    const { statement, ...rest } = denial;
    this.append(now, { time: new Date(now).toISOString(), ...rest, ...(statement ? { statement: { policy: statement.policy, sid: statement.sid ?? null } } : {}) });
  }

  /** Stops the pending summary timer, writing the summary now (server shutdown). */
  close(): void {
    this.flushSummary();
  }

  private openWindow(now: number): void {
    this.flushSummary();
    this.windowStart = now;
    this.written = 0;
  }

  private flushSummary(): void {
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    if (this.suppressed === 0) return;
    const count = this.suppressed;
    this.suppressed = 0;
    const now = this.now();
    this.append(now, {
      time: new Date(now).toISOString(), suppressed: count,
      message: `${count} further IAM denial(s) were not recorded: at most ${this.maxPerSecond} a second are, per node.`,
    });
  }

  private append(now: number, event: Record<string, unknown>): void {
    // Stream names may not hold ':' or '*' (CloudWatch Logs' rule).
    const stream = `${new Date(now).toISOString().slice(0, 10).replaceAll("-", "/")}/${this.options.nodeName.replace(/[:*]/g, "-")}`;
    this.options.logs.append(DECISION_LOG_GROUP, stream, [{ timestamp: now, message: JSON.stringify(event) }])
      .catch((error: unknown) => this.options.onError?.(error));
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}
