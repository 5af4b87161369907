/** Queue tags: TagQueue, UntagQueue, ListQueueTags (at most 50 per queue; keys 1–128, values up to 256 characters). */
import { UnkaiError } from "../../core/errors.js";
import { doesNotExist } from "./addresses.js";
import { type SqsContext, queueByUrl } from "./context.js";

const MAX_TAGS = 50;

export function checkTags(tags: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(tags)) {
    if (key.length < 1 || key.length > 128 || value.length > 256 || /^aws:/i.test(key)) {
      throw new UnkaiError("InvalidParameterValue", `Tag '${key.slice(0, 140)}' is invalid: keys are 1 to 128 characters not starting with aws:, values up to 256.`);
    }
  }
  if (Object.keys(tags).length > MAX_TAGS) throw new UnkaiError("InvalidParameterValue", `Too many tags: a queue may have at most ${MAX_TAGS}.`);
}

export async function tagQueue(context: SqsContext, input: { QueueUrl: string; Tags: Readonly<Record<string, string>> }): Promise<Record<string, never>> {
  const queue = await queueByUrl(context, input.QueueUrl);
  const tags = { ...queue.tags, ...input.Tags };
  checkTags(tags);
  if (!(await context.queues.setTags(queue.name, tags))) throw doesNotExist();
  return {};
}

export async function untagQueue(context: SqsContext, input: { QueueUrl: string; TagKeys: readonly string[] }): Promise<Record<string, never>> {
  const queue = await queueByUrl(context, input.QueueUrl);
  const tags = { ...queue.tags };
  for (const key of input.TagKeys) delete tags[key];
  if (!(await context.queues.setTags(queue.name, tags))) throw doesNotExist();
  return {};
}

export async function listQueueTags(context: SqsContext, input: { QueueUrl: string }): Promise<{ Tags?: Record<string, string> }> {
  const queue = await queueByUrl(context, input.QueueUrl);
  return Object.keys(queue.tags).length > 0 ? { Tags: { ...queue.tags } } : {};
}
