/**
 * Alarms' tags: `Tags` on PutMetricAlarm and PutCompositeAlarm (kept only when the alarm is created: "If you are
 * using this operation to update an existing alarm, any tags you specify in this parameter are ignored", the API
 * reference says), TagResource, UntagResource and ListTagsForResource on an alarm's ARN. Kept in the alarm's
 * document, so they go with it on DeleteAlarms; read by IAM enforcement as the alarm's `aws:ResourceTag/<key>`
 * (src/auth/resource-tags.ts). Contributor Insights rules, CloudWatch's other taggable resource, are not kept here.
 */
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import { setOwn } from "../../core/own-keys.js";
import type { AlarmStore } from "../../store/ports.js";
import type { StoredAlarm } from "./alarm-model.js";
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

export function alarmTagOperations(deps: { readonly alarms: AlarmStore; readonly account: Account }) {
  /** The stored alarm a ResourceARN names; ResourceNotFoundException for an ARN that names none here. */
  async function alarmOf(arn: string): Promise<StoredAlarm> {
    if (!/^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:\d*:.+$/s.test(arn)) throw invalidValue(`The value ${arn} for parameter ResourceARN is not a valid ARN.`);
    const name = alarmNameOf(deps.account, arn);
    const found = name === undefined ? undefined : await deps.alarms.get(name);
    if (!found) throw new UnkaiError("ResourceNotFoundException", `The resource ${arn} does not exist (Unkai keeps tags on alarms only).`);
    return JSON.parse(found.document) as StoredAlarm;
  }
  // Read and written back in one step each; two tag writes racing on one alarm may lose one, as two PutMetricAlarm calls may.
  const retag = async (arn: string, change: (tags: AlarmTags) => AlarmTags) => {
    const alarm = await alarmOf(arn);
    const next: StoredAlarm = { ...alarm, tags: checkTagCount(change(alarm.tags ?? {})) };
    await deps.alarms.put({ name: alarm.AlarmName, document: JSON.stringify(next) });
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
      return { Tags: asList((await alarmOf(input.ResourceARN)).tags) };
    },
  };
}
