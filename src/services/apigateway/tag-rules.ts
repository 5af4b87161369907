/**
 * API Gateway's tag rules and TagResource body, shared by both management APIs (REST APIs here, HTTP APIs in
 * ../apigatewayv2/tags.ts): one implementation, so the two can never disagree on a limit.
 */
import { z } from "zod/v3";
import { UnkaiError } from "../../core/errors.js";
import { stringMap } from "../../protocol/input.js";

type Tags = Readonly<Record<string, string>>;

const badRequest = (message: string) => new UnkaiError("BadRequestException", message);

/** TagResource's body: `tags` is optional in the v2 model (none adds nothing); kept as sent, `__proto__` too (stringMap). */
export const tagResourceInput = z.object({ tags: stringMap.optional() });

/**
 * API Gateway's tag rules ("Tag restrictions and usage conventions", API Gateway developer guide): at most
 * 50 per resource, keys 1–128 characters, values up to 256, no key starting with `aws:` (any case).
 * The same rules apply to the create operations' tags (CreateRestApi, CreateApi, CreateStage) and to TagResource.
 */
export function validateTags(tags: Tags): void {
  const entries = Object.entries(tags);
  if (entries.length > 50) throw badRequest(`A resource can have at most 50 tags; this request would give it ${entries.length}.`);
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128) throw badRequest(`Tag key '${key}' must be 1 to 128 characters long.`);
    if (value.length > 256) throw badRequest(`The value of tag '${key}' is longer than 256 characters; the limit is 256.`);
    if (key.toLowerCase().startsWith("aws:")) throw badRequest(`Tag key '${key}' uses the prefix 'aws:', which AWS reserves for its own tags.`);
  }
}

/** A tag set without the keys named (UntagResource); a Map keeps a key `__proto__` a plain key. */
export function withoutKeys(tags: Tags, keys: readonly string[]): Tags {
  const kept = new Map(Object.entries(tags));
  for (const key of keys) kept.delete(key);
  return Object.fromEntries(kept);
}
