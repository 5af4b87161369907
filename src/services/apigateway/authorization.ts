/**
 * API Gateway's management API authorizes by HTTP method on the resource path, as AWS does:
 * `apigateway:<METHOD>` on `arn:aws:apigateway:<region>::<path>` (Service Authorization Reference,
 * "Amazon API Gateway Management"). test/iam-actions.test.ts.
 */
import type { ActionRequest } from "../../core/iam-policy/index.js";
import type { UnkaiRequest } from "../../protocol/http.js";

export function apiGatewayActions(request: UnkaiRequest): readonly ActionRequest[] {
  const path = request.path.replace(/\/+$/, "");
  return [{ action: `apigateway:${request.method.toUpperCase()}`, resource: `arn:aws:apigateway:${request.caller.region}::${safeDecode(path)}` }];
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
