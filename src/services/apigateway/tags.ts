/**
 * TagResource (PUT), UntagResource (DELETE) and GetTags (GET) on `/tags/<ARN>` for REST APIs and their stages
 * (`arn:aws:apigateway:<region>::/restapis/<id>[/stages/<stageName>]`). The tags live in the API's document:
 * the API's in `tags`, each stage's in its own `tags`, kept apart as GetTags answers them (API Gateway returns no
 * inherited tags: "Tag inheritance in the Amazon API Gateway V1 API", developer guide). The routes and limits: tag-rules.ts.
 */
import type { RestApi, RestStage } from "../../core/api-definitions.js";
import type { UnkaiRequest } from "../../protocol/http.js";
import type { Router } from "../../protocol/router.js";
import { findStage } from "./lookups.js";
import { apiTagRoutes, type TagRoutesSpec } from "./tag-rules.js";

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

const REST_API_ARN = /^arn:aws[a-z-]*:apigateway:[a-z0-9-]+::\/restapis\/([^/]+)(?:\/stages\/([^/]+))?$/;

/** What the tag routes need of the service: its lookup (whose NotFoundException it shares), store and parser. */
export type TagRouteDeps = Pick<TagRoutesSpec<RestApi, RestStage>, "load" | "save" | "parseTags">;

export function tagRoutes(router: Router, { load, save, parseTags }: TagRouteDeps): void {
  apiTagRoutes(router, {
    prefix: "/tags", tagMethod: "PUT", arn: REST_API_ARN, load, findStage, save, parseTags,
    arnForms: "REST APIs and their stages, arn:aws:apigateway:<region>::/restapis/<id> or arn:aws:apigateway:<region>::/restapis/<id>/stages/<stageName>",
  });
}
