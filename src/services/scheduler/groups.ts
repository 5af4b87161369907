/**
 * Schedule groups (the implicit `default` one and created ones) and their tags. Deleting a group
 * deletes its schedules, as Scheduler does (there asynchronously, through a DELETING state; here at
 * once, so the group is gone when the call answers).
 */
import { UnkaiError } from "../../core/errors.js";
import type { ScheduleGroupRecord, SchedulerTag } from "../../core/scheduler.js";
import { DEFAULT_GROUP, findGroup, page, requireGroup, scheduleKey, validation, type SchedulerContext } from "./context.js";

const date = (ms: number) => new Date(ms);

function groupOut(g: ScheduleGroupRecord) {
  return { Arn: g.Arn, Name: g.Name, State: "ACTIVE", CreationDate: date(g.CreationDate), LastModificationDate: date(g.LastModificationDate) };
}

/** Tags set by key: a new value for a key replaces the old one. */
function merged(current: readonly SchedulerTag[], added: readonly SchedulerTag[]): SchedulerTag[] {
  const byKey = new Map(current.map((t) => [t.Key, t.Value]));
  for (const tag of added) byKey.set(tag.Key, tag.Value);
  return [...byKey].map(([Key, Value]) => ({ Key, Value }));
}

export function groupOperations(ctx: SchedulerContext) {
  /** A tag operation's group, by ARN (schedules themselves carry no tags in Scheduler). */
  const groupOfArn = async (arn: string): Promise<ScheduleGroupRecord> => {
    const name = /^arn:aws[a-z-]*:scheduler:[a-z0-9-]+:\d{12}:schedule-group\/([0-9a-zA-Z-_.]+)$/.exec(arn)?.[1];
    const group = name === undefined ? undefined : await findGroup(ctx, name);
    if (!group || group.Arn !== arn) throw new UnkaiError("ResourceNotFoundException", `Resource ${arn} does not exist.`);
    return group;
  };
  const save = (group: ScheduleGroupRecord) => ctx.groups.put(group.Name, group);
  return {
    async CreateScheduleGroup(input: { Name: string; Tags?: SchedulerTag[] }) {
      if (await findGroup(ctx, input.Name)) throw new UnkaiError("ConflictException", `Schedule group ${input.Name} already exists.`);
      const now = ctx.now();
      const group: ScheduleGroupRecord = { Name: input.Name, Arn: ctx.arns.group(input.Name), CreationDate: now, LastModificationDate: now, Tags: merged([], input.Tags ?? []) };
      await save(group);
      return { ScheduleGroupArn: group.Arn };
    },
    async GetScheduleGroup(input: { Name: string }) {
      return groupOut(await requireGroup(ctx, input.Name));
    },
    async DeleteScheduleGroup(input: { Name: string }) {
      if (input.Name === DEFAULT_GROUP) throw validation("The default schedule group cannot be deleted.");
      await requireGroup(ctx, input.Name);
      for (const schedule of (await ctx.schedules.list()).filter((s) => s.GroupName === input.Name)) {
        const key = scheduleKey(schedule.GroupName, schedule.Name);
        await ctx.schedules.delete(key);
        await ctx.changed(key, undefined);
      }
      await ctx.groups.delete(input.Name);
      return {};
    },
    async ListScheduleGroups(input: { NamePrefix?: string; MaxResults?: number; NextToken?: string }) {
      const stored = await ctx.groups.list();
      const all = stored.some((g) => g.Name === DEFAULT_GROUP) ? stored : [await requireGroup(ctx, DEFAULT_GROUP), ...stored];
      const matching = all.filter((g) => input.NamePrefix === undefined || g.Name.startsWith(input.NamePrefix)).sort((a, b) => (a.Name < b.Name ? -1 : 1));
      const { items, next } = page(matching, (g) => g.Name, input.MaxResults, input.NextToken);
      return { ScheduleGroups: items.map(groupOut), NextToken: next };
    },
    async TagResource(input: { ResourceArn: string; Tags: SchedulerTag[] }) {
      const group = await groupOfArn(input.ResourceArn);
      await save({ ...group, Tags: merged(group.Tags, input.Tags), LastModificationDate: ctx.now() });
      return {};
    },
    async UntagResource(input: { ResourceArn: string; TagKeys: string[] }) {
      const group = await groupOfArn(input.ResourceArn);
      await save({ ...group, Tags: group.Tags.filter((t) => !input.TagKeys.includes(t.Key)), LastModificationDate: ctx.now() });
      return {};
    },
    async ListTagsForResource(input: { ResourceArn: string }) {
      return { Tags: (await groupOfArn(input.ResourceArn)).Tags };
    },
  };
}
