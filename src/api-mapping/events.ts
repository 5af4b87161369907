/** Builds the events API Gateway and Function URLs send: payload 2.0 (HTTP API, Function URL) and 1.0 (REST API proxy, HTTP API 1.0). */
import { ownValue, setOwn } from "../core/own-keys.js";
import { clfTime, eventBody, headerPairs, headerValue, isTextContentType, queryPairs, type ServedRequest } from "./request-parts.js";

export interface EventContext {
  readonly accountId: string;
  readonly apiId: string;
  readonly stage: string;
  readonly routeKey: string;
  readonly pathParameters: Readonly<Record<string, string>> | undefined;
  readonly stageVariables: Readonly<Record<string, string>> | undefined;
  /** What a Lambda authorizer let through (requestContext.authorizer). */
  readonly authorizer?: Readonly<Record<string, unknown>> | undefined;
}

/** Payload format 2.0; Function URLs use it with routeKey and stage `$default`. */
export function payloadV2(request: ServedRequest, context: EventContext, options: { readonly functionUrl: boolean }): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of headerPairs(request.rawHeaders)) {
    const lower = name.toLowerCase();
    if (lower === "cookie") {
      cookies.push(...value.split(";").map((c) => c.trim()).filter((c) => c !== ""));
      continue;
    }
    appendJoined(headers, lower, value);
  }
  const query: Record<string, string> = {};
  for (const [name, value] of queryPairs(request.rawQuery)) appendJoined(query, name, value);
  const { body, isBase64Encoded } = eventBody(request.body, isTextContentType(headers["content-type"]));
  const event: Record<string, unknown> = {
    version: "2.0",
    routeKey: context.routeKey,
    rawPath: request.path,
    rawQueryString: request.rawQuery,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: options.functionUrl ? "anonymous" : context.accountId,
      apiId: context.apiId,
      domainName: request.domainName,
      domainPrefix: request.domainName.split(".")[0],
      http: { method: request.method, path: request.path, protocol: "HTTP/1.1", sourceIp: request.sourceIp, userAgent: headers["user-agent"] ?? "" },
      requestId: request.requestId,
      routeKey: context.routeKey,
      stage: context.stage,
      time: clfTime(request.receivedAt),
      timeEpoch: request.receivedAt,
      ...(context.authorizer ? { authorizer: context.authorizer } : {}),
    },
    ...(body !== undefined ? { body } : {}),
    // HTTP APIs leave out what is empty; Function URL events carry pathParameters and stageVariables as null.
    ...(context.pathParameters ? { pathParameters: context.pathParameters } : options.functionUrl ? { pathParameters: null } : {}),
    isBase64Encoded,
    ...(context.stageVariables ? { stageVariables: context.stageVariables } : options.functionUrl ? { stageVariables: null } : {}),
  };
  return event;
}

/** Payload format 1.0 (REST API Lambda proxy). `binary` says whether the body goes base64. */
export function payloadV1(
  request: ServedRequest,
  context: EventContext & { readonly resourcePath: string; readonly resourceId: string; readonly requestContextPath: string; readonly apiKey?: { readonly id: string; readonly value: string } },
  binary: boolean,
): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of headerPairs(request.rawHeaders)) {
    setOwn(headers, name, value);
    appendListed(multiValueHeaders, name, value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of queryPairs(request.rawQuery)) {
    setOwn(query, name, value);
    appendListed(multiQuery, name, value);
  }
  const hasQuery = Object.keys(query).length > 0;
  const hasHeaders = Object.keys(headers).length > 0;
  const { body, isBase64Encoded } = eventBody(request.body, !binary);
  return {
    resource: context.resourcePath,
    path: decodePath(request.path),
    httpMethod: request.method,
    headers: hasHeaders ? headers : null,
    multiValueHeaders: hasHeaders ? multiValueHeaders : null,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: context.pathParameters ?? null,
    stageVariables: context.stageVariables ?? null,
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      resourceId: context.resourceId,
      resourcePath: context.resourcePath,
      httpMethod: request.method,
      path: context.requestContextPath,
      stage: context.stage,
      protocol: "HTTP/1.1",
      requestId: request.requestId,
      extendedRequestId: request.requestId,
      domainName: request.domainName,
      domainPrefix: request.domainName.split(".")[0],
      requestTime: clfTime(request.receivedAt),
      requestTimeEpoch: request.receivedAt,
      ...(context.authorizer ? { authorizer: context.authorizer } : {}),
      identity: {
        sourceIp: request.sourceIp,
        userAgent: headerValue(request.rawHeaders, "user-agent") ?? null,
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        user: null,
        userArn: null,
        // The API key a method that requires one was called with, as API Gateway adds it.
        ...(context.apiKey ? { apiKey: context.apiKey.value, apiKeyId: context.apiKey.id } : {}),
      },
    },
    body: body ?? null,
    isBase64Encoded,
  };
}

// Header and parameter names are the caller's (`constructor`, `__proto__` included): the maps are read and written by own members only.

/** Payload 2.0's repeated values: joined with ','. */
function appendJoined(map: Record<string, string>, name: string, value: string): void {
  const seen = ownValue(map, name);
  setOwn(map, name, seen === undefined ? value : `${seen},${value}`);
}

/** Payload 1.0's multi-value maps: every value, in order. */
function appendListed(map: Record<string, string[]>, name: string, value: string): void {
  const seen = ownValue(map, name);
  if (seen) seen.push(value);
  else setOwn(map, name, [value]);
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
