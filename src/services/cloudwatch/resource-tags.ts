/**
 * CloudWatch's tags on alarms and dashboards: `Tags` on PutMetricAlarm, PutCompositeAlarm and PutDashboard (kept only
 * when the resource is created: "If you are using this operation to update an existing alarm, any tags you specify in
 * this parameter are ignored", the API reference says, and likewise of dashboards), TagResource, UntagResource and
 * ListTagsForResource on an alarm's or a dashboard's ARN. Kept in the resource's document, so they go with it on
 * DeleteAlarms / DeleteDashboards; read by IAM enforcement as its `aws:ResourceTag/<key>` (src/auth/resource-tags.ts).
 * Metric streams and Contributor Insights rules, CloudWatch's other taggable resources, are not kept here.
 */
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import { setOwn } from "../../core/own-keys.js";
import type { AlarmStore, DashboardRecord, DocumentStore } from "../../store/ports.js";
import type { StoredAlarm } from "./alarm-model.js";
import { dashboardArn } from "./authorization.js";
import { invalidValue } from "./parameters.js";

export type AlarmTags = Readonly<Record<string, string>>;

interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** "You can associate as many as 50 tags with a CloudWatch resource" (TagResource). */
const MAX_TAGS = 50;

/** A tag list as a record; a key given twice is refused rather than one of its values kept at random. */
export function tagRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (Object.hasOwn(out, tag.Key)) throw invalidValue(`The tag key ${tag.Key} is given more than once.`);
    setOwn(out, tag.Key, tag.Value);
  }
  return out;
}

/** Refuses a tag set over CloudWatch's limit (key and value lengths are the model's, checked by the codec). */
export function checkTagCount(tags: AlarmTags): AlarmTags {
  if (Object.keys(tags).length > MAX_TAGS) throw invalidValue(`A CloudWatch resource may have at most ${MAX_TAGS} tags.`);
  return tags;
}

const asList = (tags: AlarmTags | undefined): Tag[] => Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));

/** The alarm name an alarm ARN of this account and region names, or undefined for any other ARN. */
export function alarmNameOf(account: Account, arn: string): string | undefined {
  const prefix = `arn:aws:cloudwatch:${account.region}:${account.accountId}:alarm:`;
  return arn.startsWith(prefix) && arn.length > prefix.length ? arn.slice(prefix.length) : undefined;
}

/** The dashboard name a dashboard ARN of this account names, or undefined for any other ARN. */
export function dashboardNameOf(account: Account, arn: string): string | undefined {
  const prefix = dashboardArn(account, "");
  return arn.startsWith(prefix) && arn.length > prefix.length ? arn.slice(prefix.length) : undefined;
}

/** A taggable resource found by its ARN: its tags, and how to store new ones. */
interface Tagged {
  readonly tags: AlarmTags;
  save(tags: AlarmTags): Promise<void>;
}

export interface TagDeps {
  readonly alarms: AlarmStore;
  readonly dashboards: DocumentStore<DashboardRecord>;
  readonly account: Account;
}

export function tagOperations(deps: TagDeps) {
  async function alarmOf(name: string): Promise<Tagged | undefined> {
    const found = await deps.alarms.get(name);
    if (!found) return undefined;
    const alarm = JSON.parse(found.document) as StoredAlarm;
    return { tags: alarm.tags ?? {}, save: (tags) => deps.alarms.put({ name: alarm.AlarmName, document: JSON.stringify({ ...alarm, tags }) }) };
  }
  async function dashboardOf(name: string): Promise<Tagged | undefined> {
    const found = await deps.dashboards.get(name);
    return found && { tags: found.tags, save: (tags) => deps.dashboards.put(found.name, { ...found, tags }) };
  }
  /** The resource a ResourceARN names; ResourceNotFoundException for an ARN that names none here. */
  async function resourceOf(arn: string): Promise<Tagged> {
    if (!/^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:\d*:.+$/s.test(arn)) throw invalidValue(`The value ${arn} for parameter ResourceARN is not a valid ARN.`);
    const alarm = alarmNameOf(deps.account, arn);
    const dashboard = dashboardNameOf(deps.account, arn);
    const found = alarm !== undefined ? await alarmOf(alarm) : dashboard !== undefined ? await dashboardOf(dashboard) : undefined;
    if (!found) throw new UnkaiError("ResourceNotFoundException", `The resource ${arn} does not exist (Unkai keeps tags on alarms and dashboards only).`);
    return found;
  }
  // Read and written back in one step each; two tag writes racing on one resource may lose one, as two PutMetricAlarm calls may.
  const retag = async (arn: string, change: (tags: AlarmTags) => AlarmTags) => {
    const resource = await resourceOf(arn);
    await resource.save(checkTagCount(change(resource.tags)));
  };
  return {
    async TagResource(input: { ResourceARN: string; Tags: Tag[] }) {
      const added = tagRecord(input.Tags);
      await retag(input.ResourceARN, (tags) => ({ ...tags, ...added }));
    },
    async UntagResource(input: { ResourceARN: string; TagKeys: string[] }) {
      await retag(input.ResourceARN, (tags) => Object.fromEntries(Object.entries(tags).filter(([key]) => !input.TagKeys.includes(key))));
    },
    async ListTagsForResource(input: { ResourceARN: string }) {
      return { Tags: asList((await resourceOf(input.ResourceARN)).tags) };
    },
  };
}
