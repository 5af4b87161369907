/**
 * AssumeRole's session tags (IAM User Guide, "Passing session tags in AWS STS"): the `Tags` a request passes,
 * plus the transitive tags of the session making the call (role chaining), which the new session inherits
 * and passes on again. Keys compare ignoring case, as AWS's do; the count, length and character limits are
 * the model's (models/sts.json) and are checked before this runs.
 */
import { UnkaiError } from "../../core/errors.js";
import type { Principal } from "../../protocol/http.js";

export interface SessionTags {
  readonly tags: Readonly<Record<string, string>>;
  readonly transitiveTagKeys: readonly string[];
}

/** The caller's transitive tags, when it is an AssumeRole session that has any. */
export function inheritedTags(caller: Principal): Record<string, string> {
  if (caller.kind !== "role-session") return {};
  const transitive = new Set((caller.transitiveTagKeys ?? []).map((k) => k.toLowerCase()));
  return Object.fromEntries(Object.entries(caller.sessionTags ?? {}).filter(([k]) => transitive.has(k.toLowerCase())));
}

/**
 * The new session's tags and transitive keys; undefined when it has none. A request that repeats a key
 * (in any case), names a transitive key it does not pass, or passes again a tag it inherits is refused.
 */
export function sessionTagsOf(
  given: readonly { readonly Key: string; readonly Value: string }[] | undefined, transitive: readonly string[] | undefined, caller: Principal,
): SessionTags | undefined {
  const inherited = inheritedTags(caller);
  const inheritedKeys = new Set(Object.keys(inherited).map((k) => k.toLowerCase()));
  const passed = new Map<string, string>();
  for (const { Key } of given ?? []) {
    const key = Key.toLowerCase();
    if (passed.has(key)) throw new UnkaiError("ValidationError", "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
    if (inheritedKeys.has(key)) throw new UnkaiError("InvalidParameterValue", `The session tag ${Key} is inherited from the calling session as a transitive tag and cannot be passed again.`);
    passed.set(key, Key);
  }
  const transitiveKeys = (transitive ?? []).map((key) => {
    const name = passed.get(key.toLowerCase());
    if (name === undefined) throw new UnkaiError("InvalidParameterValue", `The transitive tag key ${key} is not one of the session tags passed in Tags.`);
    return name;
  });
  const tags = { ...inherited, ...Object.fromEntries((given ?? []).map((t) => [t.Key, t.Value])) };
  if (Object.keys(tags).length === 0) return undefined;
  return { tags, transitiveTagKeys: [...new Set([...Object.keys(inherited), ...transitiveKeys])] };
}
