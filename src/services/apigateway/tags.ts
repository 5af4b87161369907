/**
 * TagResource (PUT), UntagResource (DELETE) and GetTags (GET) on `/tags/<ARN>` for REST APIs and their stages
 * (`arn:aws:apigateway:<region>::/restapis/<id>[/stages/<stageName>]`). The tags live in the API's document:
 * the API's in `tags`, each stage's in its own `tags`, kept apart as GetTags answers them (API Gateway returns no
 * inherited tags: "Tag inheritance in the Amazon API Gateway V1 API", developer guide). Limits: tag-rules.ts.
 */
import type { z } from "zod/v3";
import { UnkaiError } from "../../core/errors.js";
import type { RestApi } from "../../core/api-definitions.js";
import { empty, json, type UnkaiRequest } from "../../protocol/http.js";
import type { Router } from "../../protocol/router.js";
import { findStage } from "./stages.js";
import { validateTags, withoutKeys, type tagResourceInput } from "./tag-rules.js";

type Tags = Readonly<Record<string, string>>;

const badRequest = (message: string) => new UnkaiError("BadRequestException", message);

const TAG_PATH = /^\/tags\/([^/]+)\/?$/;

/**
 * A request for these routes: `/tags/<one segment>`, signed for `apigateway` — or unsigned with an ARN there, so it
 * is refused in API Gateway's words. A request signed for another service (S3's path-style bucket `tags`) is not.
 */
export function isTagRequest(request: UnkaiRequest): boolean {
  const match = TAG_PATH.exec(request.path);
  if (!match) return false;
  if (request.caller.service === "apigateway") return true;
  return request.caller.service === undefined && /^arn(:|%3A)/i.test(match[1] ?? "");
}

/** What a tag ARN names: a REST API, or one of its stages. */
interface TaggedResource {
  readonly apiId: string;
  readonly stageName: string | undefined;
}

const TAGGABLE_ARN = /^arn:aws[a-z-]*:apigateway:[a-z0-9-]+::\/restapis\/([^/]+)(?:\/stages\/([^/]+))?$/;

function taggedResource(arn: string): TaggedResource {
  const match = TAGGABLE_ARN.exec(arn);
  if (!match) {
    throw badRequest(`Invalid resource ARN ${arn}: Unkai tags REST APIs and their stages, arn:aws:apigateway:<region>::/restapis/<id> or arn:aws:apigateway:<region>::/restapis/<id>/stages/<stageName>.`);
  }
  return { apiId: match[1] ?? "", stageName: match[2] };
}

/** What the tag routes need of the service: its lookup (whose NotFoundException it shares), store and parser. */
export interface TagRouteDeps {
  readonly load: (id: string) => Promise<RestApi>;
  readonly save: (api: RestApi) => Promise<unknown>;
  readonly parseTags: (body: Buffer) => z.infer<typeof tagResourceInput>;
}

/** The API with the ARN's resource's tags replaced by `tags`. */
function withTags(api: RestApi, { stageName }: TaggedResource, tags: Tags): RestApi {
  if (stageName === undefined) return { ...api, tags };
  return { ...api, stages: api.stages.map((s) => (s.stageName === stageName ? { ...s, tags } : s)) };
}

export function tagRoutes(router: Router, { load, save, parseTags }: TagRouteDeps): void {
  /** The API document holding the ARN's resource, and that resource's tags; a missing API or stage is NotFoundException. */
  const resolve = async (arn: string) => {
    const resource = taggedResource(arn);
    const api = await load(resource.apiId);
    const current = resource.stageName === undefined ? api.tags : findStage(api, resource.stageName).tags ?? {};
    return { api, resource, current };
  };

  router
    .on("PUT", "/tags/{resourceArn}", async (request, [arn = ""]) => {
      const { tags: added = {} } = parseTags(request.body);
      const { api, resource, current } = await resolve(arn);
      const tags = { ...current, ...added };
      validateTags(tags);
      await save(withTags(api, resource, tags));
      return empty(204);
    })
    .on("DELETE", "/tags/{resourceArn}", async (request, [arn = ""]) => {
      const keys = request.query.getAll("tagKeys");
      if (keys.length === 0) throw badRequest("tagKeys is required: name at least one tag key to remove.");
      const { api, resource, current } = await resolve(arn);
      await save(withTags(api, resource, withoutKeys(current, keys)));
      return empty(204);
    })
    .on("GET", "/tags/{resourceArn}", async (_request, [arn = ""]) => json(200, { tags: (await resolve(arn)).current }));
}
