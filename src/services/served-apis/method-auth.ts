/**
 * Which API calls IAM guards: a REST API method or an HTTP API route whose authorization type is
 * AWS_IAM. Such a call must be SigV4-signed for `execute-api` and, under `--iam enforce`, allowed
 * execute-api:Invoke on `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`, as on AWS.
 */
import type { Account } from "../../core/arn.js";
import type { HttpApi, RestApi } from "../../core/api-definitions.js";
import type { ActionRequest } from "../../core/iam-policy/index.js";
import { preflight } from "../../api-mapping/cors.js";
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { scopeMessage } from "../../protocol/sigv4-scope.js";
import { selectHttpRoute, stageOf } from "./http-api.js";
import type { Located } from "./locate.js";
import { selectRestMethod } from "./rest-api.js";
import type { ServingDeps } from "./serving.js";

/** The API an execute-api address names: an HTTP API, else a REST API (read from the store). */
export async function apiOf(deps: Pick<ServingDeps, "httpApis" | "restApis">, apiId: string): Promise<ServedApi> {
  const httpApi = await deps.httpApis.get(apiId);
  return httpApi ? { httpApi } : { restApi: await deps.restApis.get(apiId) };
}

export type ServedApi = { readonly httpApi: HttpApi; readonly restApi?: undefined } | { readonly httpApi?: undefined; readonly restApi: RestApi | undefined };

/** The execute-api:Invoke resource of an AWS_IAM method or route the request reaches; undefined for NONE ones and unmatched paths. */
export function iamMethodArn(account: Account, api: ServedApi, request: UnkaiRequest, located: Located): string | undefined {
  if (located.kind !== "execute-api") return undefined;
  const method = request.method.toUpperCase();
  const httpApi = api.httpApi;
  if (httpApi) {
    const staged = stageOf(httpApi, located.path);
    if (!staged) return undefined;
    // A CORS preflight the API's configuration answers is never authorized, as on AWS.
    if (httpApi.cors && preflight(httpApi.cors, method, request.rawHeaders)) return undefined;
    const route = selectHttpRoute(httpApi, staged.path, method);
    return route?.value.authorizationType === "AWS_IAM" ? invokeArn(account, located.id, staged.stage.stageName, method, staged.path) : undefined;
  }
  const restApi = api.restApi;
  const selected = restApi ? selectRestMethod(restApi, method, located.path) : undefined;
  if (selected?.route?.value.method.authorizationType !== "AWS_IAM") return undefined;
  return invokeArn(account, located.id, selected.stage.stageName, method, selected.path);
}

export function invokeArn(account: Account, apiId: string, stage: string, method: string, path: string): string {
  return `arn:aws:execute-api:${account.region}:${account.accountId}:${apiId}/${stage}/${method}${path}`;
}

/** What calling an AWS_IAM method needs (a REST API's deployed resource policy is evaluated beside the caller's: src/auth/resource-policies.ts). */
export const invokeApi = (resource: string): ActionRequest => ({ action: "execute-api:Invoke", resource });

/** API Gateway's 403s carry the error type in a header and the message in the body (`message`, or `Message` for IAM's denial). */
export function apiGatewayRefusal(type: string, message: string, key: "message" | "Message" = "message"): UnkaiResponse {
  return { status: 403, headers: { "content-type": "application/json", "x-amzn-errortype": type }, body: JSON.stringify({ [key]: message }) };
}

/**
 * IAM's denial as API Gateway words it: "User: … is not authorized to perform: execute-api:Invoke on
 * resource: …", with " with an explicit deny" when a Deny decided (it gives no further reason).
 */
export function apiGatewayDenial(denial: string): UnkaiResponse {
  const head = /^(User: .+ on resource: \S+)/.exec(denial)?.[1] ?? denial;
  return apiGatewayRefusal("AccessDeniedException", /with an explicit deny/.test(denial) ? `${head} with an explicit deny` : head, "Message");
}

/** A call signed for the other kind of served address (a URL's `lambda`, an API's `execute-api`) is refused as a wrong credential scope. */
export function wrongSigningService(located: Located, request: UnkaiRequest): string | undefined {
  if (request.caller.principal.kind === "anonymous") return undefined;
  const expected = located.kind === "execute-api" ? "execute-api" : "lambda";
  const got = request.caller.service ?? "";
  return got === expected ? undefined : scopeMessage({ part: "service", got, expected });
}
