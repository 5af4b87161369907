/**
 * TagResource, UntagResource and GetTags for HTTP APIs and their stages, named by their ARNs
 * (`arn:aws:apigateway:<region>::/apis/<apiId>[/stages/<stageName>]`). Both kinds of tags live in the
 * API's stored document: the API's in `tags`, each stage's in its own `tags`, so deleting a stage drops
 * its tags and never touches the API's. The tag rules are API Gateway's, shared with REST APIs (../apigateway/tag-rules.ts).
 */
import type { HttpApi, HttpStage } from "../../core/api-definitions.js";
import type { Router } from "../../protocol/router.js";
import { apiTagRoutes, type TagRoutesSpec } from "../apigateway/tag-rules.js";

const HTTP_API_ARN = /^arn:aws[a-z-]*:apigateway:[a-z0-9-]+::\/apis\/([^/]+)(?:\/stages\/([^/]+))?$/;

/** What the tag routes need of the service: its lookups (whose NotFoundException messages they share) and parser. */
export type TagRouteDeps = Pick<TagRoutesSpec<HttpApi, HttpStage>, "load" | "findStage" | "save" | "parseTags">;

export function tagRoutes(router: Router, { load, findStage, save, parseTags }: TagRouteDeps): void {
  apiTagRoutes(router, {
    prefix: "/v2/tags", tagMethod: "POST", arn: HTTP_API_ARN, load, findStage, save, parseTags,
    arnForms: "HTTP APIs and their stages, arn:aws:apigateway:<region>::/apis/<apiId> or arn:aws:apigateway:<region>::/apis/<apiId>/stages/<stageName>",
  });
}
