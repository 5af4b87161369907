/** What the three serving paths share: their dependencies, the request they build, and the answer they send. */
import type { Account } from "../../core/arn.js";
import { LIMITS } from "../../core/limits.js";
import type { GatewayRequest } from "../../gateway/request-parts.js";
import type { HttpResult } from "../../gateway/responses.js";
import type { KumoRequest, KumoResponse } from "../../protocol/http.js";
import type { DocumentStore, FunctionUrlStore, LogStore } from "../../store/ports.js";
import type { HttpApi, RestApi } from "../../core/gateway.js";
import type { IntegrationDeps } from "./integration.js";
import type { Located } from "./locate.js";

export interface ServingDeps extends IntegrationDeps {
  readonly account: Account;
  readonly httpApis: DocumentStore<HttpApi>;
  readonly restApis: DocumentStore<RestApi>;
  readonly functionUrls: FunctionUrlStore;
  readonly logs: LogStore;
}

export function gatewayRequest(request: KumoRequest, located: Located, path: string): GatewayRequest {
  return {
    method: request.method,
    path,
    rawQuery: request.rawQuery,
    rawHeaders: request.rawHeaders,
    body: request.body,
    sourceIp: request.remoteAddress.replace(/^::ffff:/, ""),
    requestId: request.requestId,
    domainName: located.domainName,
    receivedAt: Date.now(),
  };
}

/** Whether the serialised event fits Lambda's synchronous payload limit. */
export function fits(event: Buffer): boolean {
  return event.length <= LIMITS.syncPayloadBytes;
}

export function send(result: HttpResult, extra: Record<string, string> = {}): KumoResponse {
  return { status: result.status, headers: { ...result.headers, ...extra }, body: result.body };
}
