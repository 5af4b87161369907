/** Kinesis's tag limit, the same for streams and consumers: "You can assign up to 50 tags to a Kinesis resource" (TagResource). */
import { invalid } from "./context.js";

export type Tags = Readonly<Record<string, string>>;

const MAX_TAGS = 50;

/** Refuses `added` when, with the resource's `current` tags, it would have more than MAX_TAGS keys. */
export function checkTags(added: Tags, current: Tags, noun: "stream" | "consumer"): void {
  const keys = new Set([...Object.keys(current), ...Object.keys(added)]);
  if (keys.size > MAX_TAGS) throw invalid(`Failed to add tags to ${noun}: a ${noun} may have at most ${MAX_TAGS} tags.`);
}
