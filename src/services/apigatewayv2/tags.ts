/**
 * TagResource, UntagResource and GetTags for HTTP APIs and their stages, named by their ARNs
 * (`arn:aws:apigateway:<region>::/apis/<apiId>[/stages/<stageName>]`). Both kinds of tags live in the
 * API's stored document: the API's in `tags`, each stage's in its own `tags`, so deleting a stage drops
 * its tags and never touches the API's.
 */
import { z } from "zod/v3";
import { UnkaiError } from "../../core/errors.js";
import type { HttpApi, HttpStage } from "../../core/api-definitions.js";
import { empty, json } from "../../protocol/http.js";
import { stringMap } from "../../protocol/input.js";
import type { Router } from "../../protocol/router.js";

type Tags = Readonly<Record<string, string>>;

const badRequest = (message: string) => new UnkaiError("BadRequestException", message);

/** TagResource's body: `tags` is optional in the model (none adds nothing); kept as sent, `__proto__` too (stringMap). */
export const tagResourceInput = z.object({ tags: stringMap.optional() });

/**
 * API Gateway's tag rules ("Tag restrictions and usage conventions", API Gateway developer guide): at most
 * 50 per resource, keys 1–128 characters, values up to 256, no key starting with `aws:` (any case).
 * The same rules apply to CreateApi's and CreateStage's `Tags` and to TagResource.
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

/** What a tag ARN names: an HTTP API, or one of its stages. */
interface TaggedResource {
  readonly apiId: string;
  readonly stageName: string | undefined;
}

const TAGGABLE_ARN = /^arn:aws[a-z-]*:apigateway:[a-z0-9-]+::\/apis\/([^/]+)(?:\/stages\/([^/]+))?$/;

function taggedResource(arn: string): TaggedResource {
  const match = TAGGABLE_ARN.exec(arn);
  if (!match) {
    throw badRequest(`Invalid resource ARN ${arn}: Unkai tags HTTP APIs and their stages, arn:aws:apigateway:<region>::/apis/<apiId> or arn:aws:apigateway:<region>::/apis/<apiId>/stages/<stageName>.`);
  }
  return { apiId: match[1] ?? "", stageName: match[2] };
}

/** What the tag routes need of the service: its lookups (whose NotFoundException messages they share) and parser. */
export interface TagRouteDeps {
  readonly load: (apiId: string) => Promise<HttpApi>;
  readonly findStage: (api: HttpApi, stageName: string) => HttpStage;
  readonly save: (api: HttpApi) => Promise<unknown>;
  readonly parseTags: (body: Buffer) => z.infer<typeof tagResourceInput>;
}

/** The API with the ARN's resource's tags replaced by `tags`. */
function withTags(api: HttpApi, { stageName }: TaggedResource, tags: Tags): HttpApi {
  if (stageName === undefined) return { ...api, tags };
  return { ...api, stages: api.stages.map((s) => (s.stageName === stageName ? { ...s, tags } : s)) };
}

export function tagRoutes(router: Router, { load, findStage, save, parseTags }: TagRouteDeps): void {
  /** The API document holding the ARN's resource, and that resource's tags; a missing API or stage is NotFoundException, as on AWS. */
  const resolve = async (arn: string) => {
    const resource = taggedResource(arn);
    const api = await load(resource.apiId);
    const current = resource.stageName === undefined ? api.tags : findStage(api, resource.stageName).tags ?? {};
    return { api, resource, current };
  };

  router
    .on("POST", "/v2/tags/{resourceArn}", async (request, [arn = ""]) => {
      const { tags: added = {} } = parseTags(request.body);
      const { api, resource, current } = await resolve(arn);
      const tags = { ...current, ...added };
      validateTags(tags);
      await save(withTags(api, resource, tags));
      return json(201, {});
    })
    .on("DELETE", "/v2/tags/{resourceArn}", async (request, [arn = ""]) => {
      const keys = request.query.getAll("tagKeys");
      if (keys.length === 0) throw badRequest("tagKeys is required: name at least one tag key to remove.");
      const { api, resource, current } = await resolve(arn);
      await save(withTags(api, resource, Object.fromEntries(Object.entries(current).filter(([key]) => !keys.includes(key)))));
      return empty(204);
    })
    .on("GET", "/v2/tags/{resourceArn}", async (_request, [arn = ""]) => json(200, { tags: (await resolve(arn)).current }));
}
