/**
 * API Gateway's management API authorizes by HTTP method on the resource path, as AWS does:
 * `apigateway:<METHOD>` on `arn:aws:apigateway:<region>::<path>` (Service Authorization Reference,
 * "Amazon API Gateway Management"; the tag operations on `/tags/<URL-encoded ARN>`). A request that sets a
 * REST API's resource policy (CreateRestApi with `policy`, UpdateRestApi touching `/policy`) also needs
 * `apigateway:UpdateRestApiPolicy`, as AWS documents.
 * test/iam-actions.test.ts, test/apigateway-resource-policy.test.ts.
 */
import type { ActionRequest } from "../../core/iam-policy/index.js";
import type { UnkaiRequest } from "../../protocol/http.js";

export function apiGatewayActions(request: UnkaiRequest): readonly ActionRequest[] {
  const path = request.path.replace(/\/+$/, "");
  const resource = `arn:aws:apigateway:${request.caller.region}::${resourcePath(path)}`;
  const method = request.method.toUpperCase();
  const byMethod = { action: `apigateway:${method}`, resource };
  return setsPolicy(method, path, request.body) ? [byMethod, { action: "apigateway:UpdateRestApiPolicy", resource }] : [byMethod];
}

/** CreateRestApi with a `policy`, or UpdateRestApi with an operation on `/policy` (a body that does not parse sets nothing). */
function setsPolicy(method: string, path: string, body: Buffer): boolean {
  const create = method === "POST" && path === "/restapis";
  const update = method === "PATCH" && /^\/restapis\/[^/]+$/.test(path);
  if (!create && !update) return false;
  let input: unknown;
  try {
    input = JSON.parse(body.toString("utf8"));
  } catch {
    return false;
  }
  if (typeof input !== "object" || input === null) return false;
  const fields = input as { policy?: unknown; patchOperations?: unknown };
  if (create) return fields.policy !== undefined;
  return Array.isArray(fields.patchOperations) && fields.patchOperations.some((op: unknown) => typeof op === "object" && op !== null && (op as { path?: unknown }).path === "/policy");
}

/**
 * The path as the resource ARN names it: decoded, except a tag request's ARN, which stays URL-encoded as AWS's
 * resource type `Tags` has it (`arn:aws:apigateway:<region>::/tags/<UrlEncodedResourceARN>`), written the one way
 * encodeURIComponent writes it whatever escapes the client chose.
 */
function resourcePath(path: string): string {
  const tagged = /^\/tags\/([^/]+)$/.exec(path);
  return tagged ? `/tags/${encodeURIComponent(safeDecode(tagged[1] ?? ""))}` : safeDecode(path);
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
