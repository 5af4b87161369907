/** What Scheduler's operations share: the stores, ARNs, the clock and the timers they re-time. */
import { UnkaiError } from "../../core/errors.js";
import type { ScheduleGroupRecord, ScheduleRecord } from "../../core/scheduler.js";
import type { DocumentStore } from "../../store/ports.js";
import type { schedulerArns } from "./authorization.js";

export const DEFAULT_GROUP = "default";

export interface SchedulerContext {
  readonly schedules: DocumentStore<ScheduleRecord>;
  readonly groups: DocumentStore<ScheduleGroupRecord>;
  readonly arns: ReturnType<typeof schedulerArns>;
  readonly now: () => number;
  /** When this Unkai started: the implicit `default` group's creation date. */
  readonly startedAt: number;
  /** Whether a target ARN is one the destinations seam delivers to. */
  canSend(arn: string): boolean;
  /** Re-times a schedule after a change (`schedule` undefined: deleted). */
  changed(key: string, schedule: ScheduleRecord | undefined): Promise<void>;
}

export const scheduleKey = (group: string, name: string): string => `${group}/${name}`;

export const validation = (message: string) => new UnkaiError("ValidationException", message);

/** The group, the implicit `default` one included; undefined when there is none. */
export async function findGroup(ctx: SchedulerContext, name: string): Promise<ScheduleGroupRecord | undefined> {
  const stored = await ctx.groups.get(name);
  if (stored || name !== DEFAULT_GROUP) return stored;
  return { Name: DEFAULT_GROUP, Arn: ctx.arns.group(DEFAULT_GROUP), CreationDate: ctx.startedAt, LastModificationDate: ctx.startedAt, Tags: [] };
}

export async function requireGroup(ctx: SchedulerContext, name: string): Promise<ScheduleGroupRecord> {
  const group = await findGroup(ctx, name);
  if (!group) throw new UnkaiError("ResourceNotFoundException", `Schedule group ${name} does not exist.`);
  return group;
}

/** One page of `items` (sorted by key) after the NextToken's key; the token is the last key returned. */
export function page<T>(items: readonly T[], keyOf: (item: T) => string, maxResults: number | undefined, nextToken: string | undefined): { items: T[]; next?: string } {
  let after: string | undefined;
  if (nextToken !== undefined) {
    after = Buffer.from(nextToken, "base64url").toString("utf8");
    if (Buffer.from(after, "utf8").toString("base64url") !== nextToken) throw validation("The NextToken is not valid.");
  }
  const rest = after === undefined ? [...items] : items.filter((item) => keyOf(item) > after);
  const size = maxResults ?? 100;
  const taken = rest.slice(0, size);
  const last = taken[taken.length - 1];
  return rest.length > size && last !== undefined ? { items: taken, next: Buffer.from(keyOf(last), "utf8").toString("base64url") } : { items: taken };
}
