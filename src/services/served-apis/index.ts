/** Served APIs: requests for an API's or a Function URL's address become invocations through the engine. */
import type { Account } from "../../core/arn.js";
import { deployedPolicy, type FunctionUrlConfig, type RestApi } from "../../core/api-definitions.js";
import type { IamDenialRecorder } from "../../auth/iam-decision-log.js";
import type { ActionRequest } from "../../core/iam-policy/index.js";
import type { UnkaiRequest, UnkaiResponse, Service } from "../../protocol/http.js";
import { corsAllowsOrigin } from "../../api-mapping/cors.js";
import { failureResponse } from "../../api-mapping/failures.js";
import { serveFunctionUrl } from "./function-url.js";
import { serveHttpApi } from "./http-api.js";
import { locate, type Located } from "./locate.js";
import { apiGatewayDenial, apiGatewayRefusal, apiOf, iamMethodArn, invokeApi, invokeArn, wrongSigningService, type ServedApi } from "./method-auth.js";
import { selectRestMethod, serveRestApi, type RestPolicyOutcome } from "./rest-api.js";
import { RestApiPolicies } from "./rest-api-policy.js";
import { send, type ServingDeps } from "./serving.js";
import { ApiKeyGate } from "./api-key-gate.js";
import { StageThrottles } from "./stage-throttles.js";
import { LambdaAuthorizers } from "./lambda-authorizer.js";
import { JwtAuthorizers } from "./jwt-authorizer.js";
import type { ServiceModule } from "../module.js";

export interface ServedApisServiceDeps extends ServingDeps {
  /** Function URLs have no integration setting: they wait this long (config `gatewayTimeoutMs`) before a 504. */
  readonly functionUrlTimeoutMs: number;
  /** The IAM decision log, told of each call a REST API's resource policy refuses (NONE and CUSTOM methods; absent with `--iam off`). */
  readonly denials?: IamDenialRecorder | undefined;
}

const forbidden = (message: string): UnkaiResponse => ({ status: 403, headers: { "content-type": "application/json" }, body: JSON.stringify({ Message: message }) });
const FORBIDDEN = forbidden("Forbidden");
const NO_POLICY: RestPolicyOutcome = { allows: false };

export function servedApisService(deps: ServedApisServiceDeps): Service {
  const region = deps.account.region;
  /**
   * The API an execute-api request names, asked by `public`, then `authorize`, then `handle`: read once
   * per request (by its id) rather than three times. Dropped when the request is handled; a refused
   * request's entry goes when the map fills.
   */
  const apis = new Map<string, Promise<ServedApi>>();
  const restApiPolicies = new RestApiPolicies();
  const apiFor = (request: UnkaiRequest, apiId: string): Promise<ServedApi> => {
    let api = apis.get(request.requestId);
    if (!api) {
      if (apis.size >= 10_000) apis.clear();
      api = apiOf(deps, apiId);
      apis.set(request.requestId, api);
    }
    return api;
  };
  /** The execute-api:Invoke resource of the request's AWS_IAM method, undefined for a NONE one. */
  const iamMethodOf = async (request: UnkaiRequest, located: Located): Promise<string | undefined> =>
    iamMethodArn(deps.account, await apiFor(request, located.id), request, located);
  return {
    name: "served-apis",
    matches: (request) => locate(request, region) !== undefined,
    // An API's NONE methods and a NONE Function URL are anyone's; AWS_IAM ones need a valid signature (for `execute-api`, or `lambda`).
    public: async (request) => !(await requiresSignature(request)),
    signingNames: ["lambda", "execute-api"],
    // Only AWS_IAM addresses' signed requests reach IAM (the rest are public): lambda:InvokeFunctionUrl on a
    // URL's function, execute-api:Invoke on an API method's ARN.
    authorize: async (request) => {
      const located = locate(request, region);
      if (!located) return [];
      if (located.kind === "execute-api") {
        const arn = await iamMethodOf(request, located);
        return arn ? [invokeApi(arn)] : [];
      }
      const config = await deps.functionUrls.byUrlId(located.id);
      return config ? [invokeFunctionUrl(deps.account, config)] : [];
    },
    allowsOrigin: (request, origin) => allowsOrigin(request, origin),
    // A Function URL's refusals are a bare Forbidden (the front door's say why); an API's are API Gateway's, by cause.
    rejectUnauthenticated: (error, request) => {
      if (error.reason === "foreign-host" || error.reason === "foreign-origin") return forbidden(error.message);
      if (locate(request, region)?.kind !== "execute-api") return FORBIDDEN;
      if (error.reason === "not-authorized") return apiGatewayDenial(error.message);
      return apiGatewayRefusal(error.code, error.message);
    },
    async handle(request) {
      const located = locate(request, region);
      const api = located?.kind === "execute-api" ? apiFor(request, located.id) : undefined;
      apis.delete(request.requestId);
      if (!located) return send(failureResponse("http-api", "no-route"));
      const misSigned = wrongSigningService(located, request);
      if (misSigned) return located.kind === "execute-api" ? apiGatewayRefusal("InvalidSignatureException", misSigned) : FORBIDDEN;
      if (located.kind === "lambda-url") {
        const config = await deps.functionUrls.byUrlId(located.id);
        if (!config) return FORBIDDEN;
        // AWS_IAM URLs were verified before they got here (not public) and, under --iam enforce, authorized (`authorize`).
        return serveFunctionUrl(deps, config, request, located, deps.functionUrlTimeoutMs);
      }
      const { httpApi, restApi } = await (api ?? apiOf(deps, located.id));
      if (httpApi) return serveHttpApi(deps, httpApi, request, located);
      if (restApi) {
        const policy = resourcePolicyCheck(restApi, request, located);
        return policy.refusal !== undefined ? apiGatewayRefusal("AccessDeniedException", policy.refusal, "Message") : serveRestApi(deps, restApi, request, located, policy);
      }
      return send(failureResponse("http-api", "no-route"));
    },
  };

  /**
   * A page of the API's (or URL's) own address calling it, or an origin its CORS configuration allows.
   * REST APIs have no CORS configuration of their own (their OPTIONS methods are user code): only the
   * operator's --allow-origin lets other sites call them.
   */
  async function allowsOrigin(request: UnkaiRequest, origin: string): Promise<boolean> {
    const located = locate(request, region);
    if (!located) return false;
    const host = (request.headers.host ?? "").toLowerCase();
    if (origin.toLowerCase() === `http://${host}` || origin.toLowerCase() === `https://${host}`) return true;
    const cors = located.kind === "lambda-url" ? (await deps.functionUrls.byUrlId(located.id))?.cors : (await deps.httpApis.get(located.id))?.cors;
    return cors !== undefined && corsAllowsOrigin(cors, origin);
  }

  /**
   * A REST API's deployed resource policy, evaluated for the anonymous caller before the method's own
   * authorization, as API Gateway does ("How API Gateway resource policies affect authorization workflow"):
   * a NONE method is refused unless it explicitly allows the call; a CUSTOM one only by its explicit Deny,
   * before its Lambda authorizer is called, and otherwise its Allow joins the authorizer's policy
   * (rest-api.ts: either may allow, a Deny in either refuses). AWS_IAM methods were decided by IAM (`authorize`).
   */
  function resourcePolicyCheck(restApi: RestApi, request: UnkaiRequest, located: Located): RestPolicyOutcome & { readonly refusal?: string } {
    // Most APIs never had a policy: skip the second route match for them.
    if (!restApi.deployments.some((d) => d.policy !== undefined)) return NO_POLICY;
    const selected = selectRestMethod(restApi, request.method, located.path);
    const type = selected?.route?.value.method.authorizationType;
    if (!selected || (type !== "NONE" && type !== "CUSTOM")) return NO_POLICY;
    const policy = deployedPolicy(restApi, selected.stage.stageName);
    if (policy === undefined) return NO_POLICY;
    const arn = invokeArn(deps.account, restApi.id, selected.stage.stageName, request.method.toUpperCase(), selected.path);
    const refusal = restApiPolicies.refusal(request, policy, restApi.id, arn);
    if (!refusal) return { allows: true };
    // A policy silent on a CUSTOM method leaves the decision to its authorizer.
    if (type === "CUSTOM" && refusal.decision === "implicitDeny") return NO_POLICY;
    deps.denials?.record({
      principal: "anonymous", action: "execute-api:Invoke", resource: arn, mode: "enforce", ...refusal,
      requestId: request.requestId, sourceIp: request.remoteAddress,
    });
    return { allows: false, refusal: refusal.message };
  }

  async function requiresSignature(request: UnkaiRequest): Promise<boolean> {
    const located = locate(request, region);
    if (located?.kind === "execute-api") return (await iamMethodOf(request, located)) !== undefined;
    return located?.kind === "lambda-url" && (await deps.functionUrls.byUrlId(located.id))?.authType === "AWS_IAM";
  }
}

/**
 * What calling a Function URL needs, as AWS authorizes it: lambda:InvokeFunctionUrl on the function
 * (`function:f:alias` for an alias's URL, whose own policy then applies) with `lambda:FunctionUrlAuthType`.
 */
function invokeFunctionUrl(account: Account, config: FunctionUrlConfig): ActionRequest {
  const qualified = config.qualifier === "$LATEST" ? "" : `:${config.qualifier}`;
  return {
    action: "lambda:InvokeFunctionUrl",
    resource: `arn:aws:lambda:${account.region}:${account.accountId}:function:${config.functionName}${qualified}`,
    keys: { "lambda:FunctionUrlAuthType": config.authType },
  };
}

/** Serving APIs and Function URLs: its failure answers are API Gateway's (docs/gateway.md), not an API's error codes. */
export const servedApisModule: ServiceModule = {
  name: "served-apis",
  errors: { kind: "answers", doc: "docs/gateway.md#how-a-request-is-served" },
  compatibility: "docs/compatibility/apigateway.md",
  create: (p) => servedApisService({
    authorizers: new LambdaAuthorizers({ functions: p.functions, invoker: p.invoker, logger: p.logger("served-apis") }), jwtAuthorizers: new JwtAuthorizers(),
    apiKeyGate: new ApiKeyGate({ apiKeys: p.store.apiKeys, apiKeyValues: p.store.apiKeyValues, usagePlans: p.store.usagePlans }), stageThrottles: new StageThrottles(),
    functions: p.functions, invoker: p.invoker, account: p.account, httpApis: p.store.httpApis, restApis: p.store.restApis, functionUrls: p.store.functionUrls, logs: p.store.logs,
    functionUrlTimeoutMs: p.gatewayTimeoutMs, logger: p.logger("served-apis"), denials: p.iamDenials,
  }),
};
