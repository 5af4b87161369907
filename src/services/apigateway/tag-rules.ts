/**
 * API Gateway's tag rules, TagResource body and tag routes, shared by both management APIs (REST APIs in
 * tags.ts, HTTP APIs in ../apigatewayv2/tags.ts): one implementation, so the two can never disagree.
 */
import { z } from "zod/v3";
import { UnkaiError } from "../../core/errors.js";
import { empty, json } from "../../protocol/http.js";
import { stringMap } from "../../protocol/input.js";
import type { Router } from "../../protocol/router.js";

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

/** An API document as the tag routes see it: its own tags, and stages that each keep theirs. */
interface TaggableApi<Stage extends { readonly tags?: Tags | undefined }> {
  readonly tags: Tags;
  readonly stages: readonly Stage[];
}

/** How one management API exposes TagResource, UntagResource and GetTags. */
export interface TagRoutesSpec<Api extends TaggableApi<Stage>, Stage extends { readonly stageName: string; readonly tags?: Tags | undefined }> {
  /** `/tags` (REST APIs) or `/v2/tags` (HTTP APIs). */
  readonly prefix: string;
  /** TagResource's method and answer: REST APIs PUT and answer 204, HTTP APIs POST and answer 201 `{}`. */
  readonly tagMethod: "PUT" | "POST";
  /** The taggable ARNs, capturing the API id and, for a stage, its name. */
  readonly arn: RegExp;
  /** The ARN forms named when another is given. */
  readonly arnForms: string;
  /** The service's lookups, whose NotFoundException messages the routes share. */
  readonly load: (apiId: string) => Promise<Api>;
  readonly findStage: (api: Api, stageName: string) => Stage;
  readonly save: (api: Api) => Promise<unknown>;
  readonly parseTags: (body: Buffer) => z.infer<typeof tagResourceInput>;
}

/**
 * The tag routes on an API document: the API's tags in its `tags`, each stage's in the stage's own (deleting a
 * stage drops them; API Gateway's GetTags answers no inherited tags either way).
 */
export function apiTagRoutes<Api extends TaggableApi<Stage>, Stage extends { readonly stageName: string; readonly tags?: Tags | undefined }>(
  router: Router,
  spec: TagRoutesSpec<Api, Stage>,
): void {
  /** The API document holding the ARN's resource, that resource's stage (if one), and its tags. */
  const resolve = async (arn: string) => {
    const match = spec.arn.exec(arn);
    if (!match) throw badRequest(`Invalid resource ARN ${arn}: Unkai tags ${spec.arnForms}.`);
    const api = await spec.load(match[1] ?? "");
    const stageName = match[2];
    const current = stageName === undefined ? api.tags : (spec.findStage(api, stageName).tags ?? {});
    const withTags = (tags: Tags): Api =>
      stageName === undefined ? { ...api, tags } : { ...api, stages: api.stages.map((s) => (s.stageName === stageName ? { ...s, tags } : s)) };
    return { current, withTags };
  };

  router
    .on(spec.tagMethod, `${spec.prefix}/{resourceArn}`, async (request, [arn = ""]) => {
      const { tags: added = {} } = spec.parseTags(request.body);
      const { current, withTags } = await resolve(arn);
      const tags = { ...current, ...added };
      validateTags(tags);
      await spec.save(withTags(tags));
      return spec.tagMethod === "PUT" ? empty(204) : json(201, {});
    })
    .on("DELETE", `${spec.prefix}/{resourceArn}`, async (request, [arn = ""]) => {
      const keys = request.query.getAll("tagKeys");
      if (keys.length === 0) throw badRequest("tagKeys is required: name at least one tag key to remove.");
      const { current, withTags } = await resolve(arn);
      await spec.save(withTags(withoutKeys(current, keys)));
      return empty(204);
    })
    .on("GET", `${spec.prefix}/{resourceArn}`, async (_request, [arn = ""]) => json(200, { tags: (await resolve(arn)).current }));
}
