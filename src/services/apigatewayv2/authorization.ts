/**
 * API Gateway v2's management API authorizes by HTTP method on the resource path, as AWS does:
 * `apigateway:<METHOD>` on `arn:aws:apigateway:<region>::/apis/<id>…` (the `/v2` of the request path is
 * not part of the ARN; Service Authorization Reference, "Amazon API Gateway Management V2").
 * test/iam-actions.test.ts.
 */
import type { ActionRequest } from "../../core/iam-policy/index.js";
import type { UnkaiRequest } from "../../protocol/http.js";

export function apiGatewayV2Actions(request: UnkaiRequest): readonly ActionRequest[] {
  let path = request.path.replace(/^\/v2/, "").replace(/\/+$/, "");
  try {
    path = decodeURIComponent(path);
  } catch {
    // A malformed escape: the path as sent (the router refuses it).
  }
  return [{ action: `apigateway:${request.method.toUpperCase()}`, resource: `arn:aws:apigateway:${request.caller.region}::${path}` }];
}
