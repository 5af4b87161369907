/**
 * `aws:ResourceTag/<key>` of API Gateway's management resources, read from the API's stored document
 * (src/core/api-definitions.ts), which keeps the API's tags and each stage's own apart.
 * - REST APIs (V1, `arn:aws:apigateway:<region>::/restapis/<id>…`): the API's tags, for the API and every
 *   resource under it; a stage's (`…/stages/<name>`, and what lies under it) are the API's merged with the
 *   stage's own, which win. AWS: "If a tag is set on a RestApi resource, that tag is inherited by the following
 *   child resources of that RestApi for Attribute-based access control: Authorizer, Deployment, Documentation,
 *   GatewayResponse, Integration, Method, Model, Resource, ResourcePolicy, Setting, Stage", and "if a stage
 *   receives tags in both ways, the tags that are set directly on the stage take precedence" (API Gateway
 *   developer guide, "API Gateway resources that can be tagged", "Tag inheritance in the Amazon API Gateway V1 API").
 * - HTTP APIs (V2, `…::/apis/<id>` and `…::/apis/<id>/stages/<name>`): the API's tags and a stage's own, nothing
 *   inherited: the same page lists Api and Stage as the V2 resources that take tags and documents inheritance for
 *   the V1 API only. Routes, integrations and the other children of an HTTP API have none (the key is missing).
 * Undefined for an API or a V2 stage that does not exist, for `/restapis` and `/apis` themselves (CreateRestApi,
 * CreateApi, GetRestApis name no resource yet) and for `/tags/<ARN>` (the tag operations' own resource type).
 * The region is not checked: API ids are not per region in Unkai's store, and the ARN names no account.
 */
import type { HttpApi, RestApi } from "../core/api-definitions.js";
import type { DocumentStore } from "../store/ports.js";

type Tags = Readonly<Record<string, string>>;

const REST = /^arn:aws:apigateway:[a-z0-9-]+::\/restapis\/([^/]+)(?:\/stages\/([^/]+))?(?:\/|$)/;
const HTTP = /^arn:aws:apigateway:[a-z0-9-]+::\/apis\/([^/]+)(?:\/stages\/([^/]+))?$/;

/** The ports API definitions are stored in. */
export interface ApiDefinitionStores {
  readonly restApis: Pick<DocumentStore<RestApi>, "get">;
  readonly httpApis: Pick<DocumentStore<HttpApi>, "get">;
}

/** The tags `arn` has for authorization, or undefined when it names no tagged API Gateway resource (or none at all). */
export async function apiGatewayResourceTags(store: ApiDefinitionStores, arn: string): Promise<Tags | undefined> {
  let match: RegExpExecArray | null;
  if ((match = REST.exec(arn))) {
    const api = await store.restApis.get(match[1]!);
    if (!api) return undefined;
    const stageName = match[2];
    const stage = stageName === undefined ? undefined : api.stages.find((s) => s.stageName === stageName);
    return { ...api.tags, ...stage?.tags };
  }
  if ((match = HTTP.exec(arn))) {
    const api = await store.httpApis.get(match[1]!);
    const stageName = match[2];
    if (!api || stageName === undefined) return api?.tags;
    const stage = api.stages.find((s) => s.stageName === stageName);
    return stage && (stage.tags ?? {});
  }
  return undefined;
}
