/** What the three serving paths share: their dependencies, the request they build, and the answer they send. */
import type { Account } from "../../core/arn.js";
import { LIMITS } from "../../core/limits.js";
import type { ServedRequest } from "../../api-mapping/request-parts.js";
import type { HttpResult } from "../../api-mapping/responses.js";
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import type { DocumentStore, FunctionUrlStore, LogStore } from "../../store/ports.js";
import type { HttpApi, RestApi } from "../../core/api-definitions.js";
import type { IntegrationDeps } from "./integration.js";
import type { Located } from "./locate.js";
import type { LambdaAuthorizers } from "./lambda-authorizer.js";
import type { JwtAuthorizers } from "./jwt-authorizer.js";
import type { ApiKeyGate } from "./api-key-gate.js";
import type { StageThrottles } from "./stage-throttles.js";

export interface ServingDeps extends IntegrationDeps {
  readonly account: Account;
  readonly httpApis: DocumentStore<HttpApi>;
  readonly restApis: DocumentStore<RestApi>;
  readonly functionUrls: FunctionUrlStore;
  readonly logs: LogStore;
  /** Lambda authorizers (HTTP and REST APIs), with their answers' cache; HTTP APIs' JWT authorizers, with their issuers' keys. */
  readonly authorizers: LambdaAuthorizers;
  readonly jwtAuthorizers: JwtAuthorizers;
  /** REST API methods that require an API key: the key and its usage plan's limits. */
  readonly apiKeyGate: ApiKeyGate;
  /** HTTP API route settings' and REST method settings' throttles. */
  readonly stageThrottles: StageThrottles;
}

/** The request's headers plus the X-Forwarded-For/-Port/-Proto that API Gateway adds (the client's own X-Forwarded-For is kept in front). */
function forwardedHeaders(request: UnkaiRequest, sourceIp: string): string[] {
  const kept: string[] = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] as string;
    if (!/^x-forwarded-(for|port|proto)$/i.test(name)) kept.push(name, request.rawHeaders[i + 1] as string);
  }
  const before = request.headers["x-forwarded-for"];
  const port = /:(\d+)$/.exec(request.headers.host ?? "")?.[1] ?? "80";
  return [...kept, "X-Forwarded-For", before ? `${before}, ${sourceIp}` : sourceIp, "X-Forwarded-Port", port, "X-Forwarded-Proto", "http"];
}

export function servedRequest(request: UnkaiRequest, located: Located, path: string): ServedRequest {
  const sourceIp = request.remoteAddress.replace(/^::ffff:/, "");
  return {
    method: request.method,
    path,
    rawQuery: request.rawQuery,
    rawHeaders: forwardedHeaders(request, sourceIp),
    body: request.body,
    sourceIp,
    requestId: request.requestId,
    domainName: located.domainName,
    receivedAt: Date.now(),
  };
}

/** Whether the serialised event fits Lambda's synchronous payload limit. */
export function fits(event: Buffer): boolean {
  return event.length <= LIMITS.syncPayloadBytes;
}

export function send(result: HttpResult, extra: Record<string, string> = {}): UnkaiResponse {
  return { status: result.status, headers: { ...result.headers, ...extra }, body: result.body };
}
