/** Serves Function URLs: CORS from the URL's config, the payload 2.0 event, the function's answer mapped as Function URLs map it. */
import type { FunctionUrlConfig } from "../../core/api-definitions.js";
import { preflight, withCors } from "../../api-mapping/cors.js";
import { payloadV2 } from "../../api-mapping/events.js";
import { failureResponse } from "../../api-mapping/failures.js";
import { headerValue } from "../../api-mapping/request-parts.js";
import { responseV2, type HttpResult } from "../../api-mapping/responses.js";
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { invokeBuffered, invokeStreamed } from "./integration.js";
import type { Located } from "./locate.js";
import { fits, servedRequest, send, type ServingDeps } from "./serving.js";

const EMPTY = Buffer.alloc(0);

export async function serveFunctionUrl(deps: ServingDeps, config: FunctionUrlConfig, request: UnkaiRequest, located: Located, timeoutMs: number): Promise<UnkaiResponse> {
  const gw = servedRequest(request, located, located.path);
  const finish = (result: HttpResult) => send(config.cors ? withCors(config.cors, gw.rawHeaders, result) : result);
  if (config.cors) {
    const answer = preflight(config.cors, gw.method, gw.rawHeaders);
    if (answer) return send(answer);
  }
  const event = Buffer.from(JSON.stringify(payloadV2(gw, {
    accountId: deps.account.accountId,
    apiId: config.urlId,
    stage: "$default",
    routeKey: "$default",
    pathParameters: undefined,
    stageVariables: undefined,
  }, { functionUrl: true })));
  if (!fits(event)) return finish(failureResponse("function-url", "too-large"));
  const target = {
    function: config.functionName,
    qualifier: config.qualifier === "$LATEST" ? undefined : config.qualifier,
    timeoutMs,
    traceId: headerValue(gw.rawHeaders, "x-amzn-trace-id"),
  };
  if (config.invokeMode === "RESPONSE_STREAM") {
    const streamed = await invokeStreamed(deps, target, event);
    if (streamed.kind !== "response") return finish(failureResponse("function-url", streamed.kind));
    // CORS headers go on the streamed response just as on a buffered one.
    const { headers } = config.cors ? withCors(config.cors, gw.rawHeaders, { status: 200, headers: {}, body: EMPTY }) : { headers: {} };
    return { ...streamed.response, headers: { ...streamed.response.headers, ...headers } };
  }
  const outcome = await invokeBuffered(deps, target, event);
  if (outcome.kind !== "response") return finish(failureResponse("function-url", outcome.kind));
  return finish(responseV2(outcome.payload) ?? failureResponse("function-url", "malformed"));
}
