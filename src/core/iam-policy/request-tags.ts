/**
 * `aws:RequestTag/<key>` and `aws:TagKeys` for a request that carries tags (TagResource, TagQueue, and the
 * creates that take `Tags`/`tags`: CreateFunction, CreateQueue, CreateTopic, CreateTable, PutRule …), and
 * `aws:TagKeys` alone for an untag request (its `TagKeys`), as the Service Authorization Reference lists them.
 * Read from the decoded input's members, whichever shape the API uses: a map (`{"team": "a"}`) or a list
 * of `{Key, Value}`.
 */
import type { ContextValue } from "./types.js";

/** The tags a member holds, or undefined when it holds none in either shape. */
function tagsIn(value: unknown): Record<string, string> | undefined {
  if (Array.isArray(value)) {
    const pairs = value.filter((t): t is { Key: string; Value?: unknown } => typeof t === "object" && t !== null && typeof (t as { Key?: unknown }).Key === "string");
    return Object.fromEntries(pairs.map((t) => [t.Key, typeof t.Value === "string" ? t.Value : ""]));
  }
  if (typeof value !== "object" || value === null) return undefined;
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** The condition keys a request's tags give; undefined when it carries no tags and names no tag keys. */
export function requestTagKeys(input: Readonly<Record<string, unknown>>): Record<string, ContextValue> | undefined {
  const tags = tagsIn(input.Tags ?? input.tags);
  if (tags !== undefined) {
    const keys: Record<string, ContextValue> = { "aws:TagKeys": Object.keys(tags) };
    for (const [key, value] of Object.entries(tags)) keys[`aws:RequestTag/${key}`] = value;
    return keys;
  }
  const removed = input.TagKeys ?? input.tagKeys;
  return Array.isArray(removed) ? { "aws:TagKeys": removed.filter((k): k is string => typeof k === "string") } : undefined;
}
