/** The gateway's serving side: requests for an API's or a Function URL's address become invocations through the engine. */
import type { KumoResponse, Service } from "../../protocol/http.js";
import { failureResponse } from "../../gateway/failures.js";
import { serveFunctionUrl } from "./function-url.js";
import { serveHttpApi } from "./http-api.js";
import { locate } from "./locate.js";
import { serveRestApi } from "./rest-api.js";
import { send, type ServingDeps } from "./serving.js";

export interface GatewayServiceDeps extends ServingDeps {
  /** Function URLs have no integration setting: they wait this long (config `gatewayTimeoutMs`) before a 504. */
  readonly functionUrlTimeoutMs: number;
}

const FORBIDDEN: KumoResponse = { status: 403, headers: { "content-type": "application/json" }, body: JSON.stringify({ Message: "Forbidden" }) };

export function gatewayService(deps: GatewayServiceDeps): Service {
  const region = deps.account.region;
  return {
    name: "gateway",
    matches: (request) => locate(request, region) !== undefined,
    async handle(request) {
      const located = locate(request, region);
      if (!located) return send(failureResponse("http-api", "no-route"));
      if (located.kind === "lambda-url") {
        const config = deps.functionUrls.byUrlId(located.id);
        if (!config) return FORBIDDEN;
        // AWS_IAM URLs need a SigV4-signed request; the signature itself is checked once the IAM issue lands.
        if (config.authType === "AWS_IAM" && request.caller.accessKeyId === undefined) return FORBIDDEN;
        return serveFunctionUrl(deps, config, request, located, deps.functionUrlTimeoutMs);
      }
      const httpApi = deps.httpApis.get(located.id);
      if (httpApi) return serveHttpApi(deps, httpApi, request, located);
      const restApi = deps.restApis.get(located.id);
      if (restApi) return serveRestApi(deps, restApi, request, located);
      return send(failureResponse("http-api", "no-route"));
    },
  };
}
