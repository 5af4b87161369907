/**
 * TagResource, UntagResource and GetTags for HTTP APIs and their stages, named by their ARNs
 * (`arn:aws:apigateway:<region>::/apis/<apiId>[/stages/<stageName>]`). Both kinds of tags live in the
 * API's stored document: the API's in `tags`, each stage's in its own `tags`, so deleting a stage drops
 * its tags and never touches the API's. The tag rules are API Gateway's, shared with REST APIs (../apigateway/tag-rules.ts).
 */
import type { z } from "zod/v3";
import { UnkaiError } from "../../core/errors.js";
import type { HttpApi, HttpStage } from "../../core/api-definitions.js";
import { empty, json } from "../../protocol/http.js";
import type { Router } from "../../protocol/router.js";
import { validateTags, withoutKeys, type tagResourceInput } from "../apigateway/tag-rules.js";

type Tags = Readonly<Record<string, string>>;

const badRequest = (message: string) => new UnkaiError("BadRequestException", message);

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
      await save(withTags(api, resource, withoutKeys(current, keys)));
      return empty(204);
    })
    .on("GET", "/v2/tags/{resourceArn}", async (_request, [arn = ""]) => json(200, { tags: (await resolve(arn)).current }));
}
