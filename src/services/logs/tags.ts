/**
 * Log groups' tags: `tags` on CreateLogGroup, TagResource / UntagResource / ListTagsForResource by the group's
 * ARN, and the deprecated TagLogGroup / UntagLogGroup / ListTagsLogGroup by its name, over the same tags (kept
 * in the log store with the group, so they go when it is deleted). Read by IAM enforcement as the group's
 * `aws:ResourceTag/<key>` (src/auth/resource-tags.ts). Destinations, CloudWatch Logs' other taggable resource,
 * are not emulated: their ARNs are answered as missing resources.
 */
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import { setOwn } from "../../core/own-keys.js";
import { validationMessage, type Violation } from "../../protocol/codecs/input-errors.js";
import type { Operations } from "../../protocol/codecs/model-service.js";
import type { LogStore } from "../../store/ports.js";

export type LogGroupTags = Readonly<Record<string, string>>;

/** "You can associate as many as 50 tags with a CloudWatch Logs resource" (TagResource). */
export const MAX_TAGS = 50;

const KEY_PATTERN = String.raw`^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`;
const KEY = new RegExp(KEY_PATTERN, "u");
const MAX_KEY_LENGTH = 128;

/**
 * The model's constraints on tag keys (1 to 128 characters of letters, spaces, digits and `_.:/=+-@`), which the
 * codec does not check on a map's keys, worded as AWS words a map's constraint ("Map value must satisfy constraint"
 * for values, answered by the codec, "Map keys …" here); and keys beginning `aws:`, AWS's own (message ours: AWS's
 * wording for that refusal is not published).
 */
export function checkTagKeys(tags: LogGroupTags | undefined): void {
  const keys = Object.keys(tags ?? {});
  const bad = keys.some((key) => [...key].length > MAX_KEY_LENGTH || !KEY.test(key));
  if (bad) {
    const shown = Object.entries(tags ?? {}).map(([key, value]) => `${key}=${value}`).join(", ");
    throw new UnkaiError("InvalidParameterException", `1 validation error detected: Value '{${shown}}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: `
      + `[Member must have length less than or equal to ${MAX_KEY_LENGTH}, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: ${KEY_PATTERN}]`);
  }
  const reserved = keys.find((key) => key.toLowerCase().startsWith("aws:"));
  if (reserved !== undefined) throw new UnkaiError("InvalidParameterException", `Tag keys beginning with 'aws:' are reserved for AWS use: ${reserved}.`);
}

/**
 * How CloudWatch Logs answers a model constraint failure: InvalidParameterException "1 validation error detected: …",
 * except a tagging operation's `resourceArn` outside the model's pattern (the `…:*` form DescribeLogGroups reports as
 * `arn`), which AWS answers ValidationException "Invalid resourceArn" (as reported by its users; AWS does not document it).
 */
export function logsValidationError(violations: readonly Violation[]): UnkaiError {
  if (violations.some((v) => v.path === "resourceArn" && v.kind === "pattern")) return new UnkaiError("ValidationException", "Invalid resourceArn");
  return new UnkaiError("InvalidParameterException", validationMessage(violations));
}

/** `tags` with `added` set over them and `removed` taken away (own members only, whatever the names). */
function changed(tags: LogGroupTags, added: LogGroupTags, removed: readonly string[]): Record<string, string> {
  const next: Record<string, string> = {};
  for (const [key, value] of [...Object.entries(tags), ...Object.entries(added)]) setOwn(next, key, value);
  for (const key of removed) delete next[key];
  return next;
}

const notFound = () => new UnkaiError("ResourceNotFoundException", "The specified log group does not exist.");

export interface TagDeps {
  readonly logs: LogStore;
  readonly account: Account;
}

export function tagOperations({ logs, account }: TagDeps): Operations {
  const arnPrefix = `arn:aws:logs:${account.region}:${account.accountId}:log-group:`;
  /**
   * The group a `resourceArn` names. AWS refuses the `:*` form DescribeLogGroups reports as `arn` (and any
   * string that is no ARN) with ValidationException "Invalid resourceArn"; an ARN of another account, region or
   * resource type (a destination) names nothing here.
   */
  const groupOfArn = (arn: string): string => {
    if (!/^arn:[^:]+:logs:[^:]*:\d*:[^:]+:.+$/s.test(arn) || arn.endsWith(":*")) throw new UnkaiError("ValidationException", "Invalid resourceArn");
    const name = arn.startsWith(arnPrefix) ? arn.slice(arnPrefix.length) : "";
    if (!/^[.\-_/#A-Za-z0-9]{1,512}$/.test(name)) throw notFound();
    return name;
  };
  const tagsOf = async (group: string): Promise<LogGroupTags> => {
    const tags = await logs.groupTags(group);
    if (!tags) throw notFound();
    return tags;
  };
  /**
   * Read, changed and written back; two tag writes racing on one group may lose one (as on the other services
   * here). `tooMany` is the error a set past the limit gets: TooManyTagsException for TagResource, and
   * InvalidParameterException for TagLogGroup, whose model lists no TooManyTagsException.
   */
  const retag = async (group: string, added: LogGroupTags, removed: readonly string[], tooMany: "TooManyTagsException" | "InvalidParameterException") => {
    checkTagKeys(added);
    const next = changed(await tagsOf(group), added, removed);
    if (Object.keys(next).length > MAX_TAGS) {
      throw new UnkaiError(tooMany, `A resource can have no more than ${MAX_TAGS} tags; this request would give ${group} ${Object.keys(next).length}.`,
        tooMany === "TooManyTagsException" ? { resourceName: `${arnPrefix}${group}` } : {});
    }
    if (!(await logs.setGroupTags(group, next))) throw notFound();
  };
  return {
    async TagResource(input: { readonly resourceArn: string; readonly tags: LogGroupTags }) {
      await retag(groupOfArn(input.resourceArn), input.tags, [], "TooManyTagsException");
    },
    async UntagResource(input: { readonly resourceArn: string; readonly tagKeys: readonly string[] }) {
      await retag(groupOfArn(input.resourceArn), {}, input.tagKeys, "TooManyTagsException");
    },
    async ListTagsForResource(input: { readonly resourceArn: string }) {
      return { tags: await tagsOf(groupOfArn(input.resourceArn)) };
    },
    async TagLogGroup(input: { readonly logGroupName: string; readonly tags: LogGroupTags }) {
      await retag(input.logGroupName, input.tags, [], "InvalidParameterException");
    },
    // Its `tags` member is the list of keys to remove.
    async UntagLogGroup(input: { readonly logGroupName: string; readonly tags: readonly string[] }) {
      await retag(input.logGroupName, {}, input.tags, "InvalidParameterException");
    },
    async ListTagsLogGroup(input: { readonly logGroupName: string }) {
      return { tags: await tagsOf(input.logGroupName) };
    },
  };
}
