/**
 * Which protocol a request speaks and which operation it names, and its input decoded from that
 * protocol's body: awsJson by `X-Amz-Target: <prefix>.<Op>`, rpcv2Cbor by
 * `POST /service/<Service>/operation/<Op>`, awsQuery by `Action=` (POST form body, then query string).
 */
import type { UnkaiRequest } from "../http.js";
import { MalformedInput } from "./input-errors.js";
import { protocolsOf, type OperationModel, type Protocol, type ServiceModel } from "./model.js";
import { decodeQuery, QueryParameters } from "./query.js";
import { decodeValue } from "./structured.js";
import { CBOR_CONTENT_TYPE, parseCborBody, parseJsonBody, wireOf } from "./wires.js";

/** What a request names, before its body is read. */
export type Addressed =
  | { readonly protocol: "awsJson1_0" | "awsJson1_1" | "awsCbor1_1" | "rpcv2Cbor"; readonly operation: string }
  | { readonly protocol: "awsQuery"; readonly params: QueryParameters };

export function cborPathPrefix(model: ServiceModel): string | undefined {
  return model.metadata.targetPrefix ? `/service/${model.metadata.targetPrefix}/operation/` : undefined;
}

/** The protocol (and, for the RPC wires, operation) of a request this model's service claimed; undefined: none it speaks. */
export function addressOf(model: ServiceModel, request: UnkaiRequest): Addressed | undefined {
  const protocols = protocolsOf(model);
  const target = request.headers["x-amz-target"];
  const prefix = model.metadata.targetPrefix;
  const json = protocols.find((p) => p === "awsJson1_0" || p === "awsJson1_1");
  if (target !== undefined) {
    if (!json || !prefix || !target.startsWith(`${prefix}.`)) return undefined;
    const awsCbor = json === "awsJson1_1" && (request.headers["content-type"] ?? "").startsWith(CBOR_CONTENT_TYPE.awsCbor1_1);
    return { protocol: awsCbor ? "awsCbor1_1" : json, operation: target.slice(prefix.length + 1) };
  }
  const cborPath = cborPathPrefix(model);
  if (protocols.includes("rpcv2Cbor") && cborPath && request.path.startsWith(cborPath)) {
    // Operation names are plain identifiers: a percent-escape in one names no operation (and must not throw).
    return { protocol: "rpcv2Cbor", operation: request.path.slice(cborPath.length) };
  }
  if (!protocols.includes("awsQuery")) return undefined;
  const form = request.method === "POST" && !(request.headers["content-type"] ?? "").includes("json");
  const body = form ? new URLSearchParams(request.body.toString("utf8")) : [];
  return { protocol: "awsQuery", params: new QueryParameters([...body, ...request.query]) };
}

/** The operation's input from an RPC body (awsJson, AWS CBOR or rpcv2Cbor); MalformedInput when it is not one. */
export function decodeRpcInput(model: ServiceModel, protocol: Protocol, operation: OperationModel, body: Buffer): Record<string, unknown> {
  const cbor = protocol === "rpcv2Cbor" || protocol === "awsCbor1_1";
  const raw = cbor ? parseCborBody(body) : parseJsonBody(body);
  if (!operation.input) return {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new MalformedInput(`The request body must be a ${cbor ? "CBOR map" : "JSON object"}.`);
  return decodeValue(model, operation.input, raw, "", wireOf(protocol)) as Record<string, unknown>;
}

export function decodeQueryInput(model: ServiceModel, operation: OperationModel, params: QueryParameters): Record<string, unknown> {
  return decodeQuery(model, operation, params);
}
