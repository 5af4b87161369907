/** TagResource, UntagResource, ListTagsForResource: tags on rules and event buses, found by ARN. */
import { UnkaiError } from "../../core/errors.js";
import { ruleKey, type EventBusRecord, type RuleRecord, type Tag } from "../../core/events/resources.js";
import type { DocumentStore } from "../../store/ports.js";
import { DEFAULT_BUS, type Names } from "./names.js";

export interface TagDeps {
  readonly rules: DocumentStore<RuleRecord>;
  readonly buses: DocumentStore<EventBusRecord>;
  readonly names: Names;
  readonly startedAt: number;
}

/** Applies `change` to the tags of the rule or bus with this ARN. */
type Retag = (tags: readonly Tag[]) => readonly Tag[];

export function tagOperations({ rules, buses, names, startedAt }: TagDeps) {
  async function find(arn: string): Promise<{ tags: readonly Tag[]; save: (tags: readonly Tag[]) => Promise<void> }> {
    const rule = (await rules.list()).find((r) => r.Arn === arn);
    if (rule) return { tags: rule.Tags ?? [], save: (Tags) => rules.put(ruleKey(rule.EventBusName, rule.Name), { ...rule, Tags }) };
    const busName = /:event-bus\/(.+)$/.exec(arn)?.[1];
    const bus = busName === DEFAULT_BUS
      ? ((await buses.get(DEFAULT_BUS)) ?? { Name: DEFAULT_BUS, Arn: names.busArn(DEFAULT_BUS), CreationTime: startedAt, LastModifiedTime: startedAt })
      : busName !== undefined ? await buses.get(busName) : undefined;
    if (bus && bus.Arn === arn) return { tags: bus.Tags ?? [], save: (Tags) => buses.put(bus.Name, { ...bus, Tags }) };
    throw new UnkaiError("ResourceNotFoundException", `Resource ${arn} does not exist.`);
  }
  const retag = async (arn: string, change: Retag) => {
    const found = await find(arn);
    await found.save(change(found.tags));
  };

  return {
    async TagResource(input: { ResourceARN: string; Tags: Tag[] }) {
      await retag(input.ResourceARN, (tags) => [...tags.filter((t) => !input.Tags.some((n) => n.Key === t.Key)), ...input.Tags]);
    },
    async UntagResource(input: { ResourceARN: string; TagKeys: string[] }) {
      await retag(input.ResourceARN, (tags) => tags.filter((t) => !input.TagKeys.includes(t.Key)));
    },
    async ListTagsForResource(input: { ResourceARN: string }) {
      return { Tags: [...(await find(input.ResourceARN)).tags] };
    },
  };
}
