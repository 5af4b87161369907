/**
 * Answers in the protocol the client spoke: an operation's output, or an error with the status the
 * service's table gives it (awsJson `__type`, rpcv2Cbor `__type` in CBOR, awsQuery `<ErrorResponse>`
 * with the model's awsQueryError code, plus `x-amzn-query-error: Code;Sender` from awsQueryCompatible
 * services on the JSON wires, which the SDKs use to restore the Query code).
 */
import type { ErrorSpec, ErrorTable } from "../../core/errors.js";
import type { UnkaiResponse } from "../http.js";
import { encodeValue } from "./structured.js";
import { queryErrorCode, type OperationModel, type Protocol, type ServiceModel } from "./model.js";
import { queryErrorXml, queryResponseXml } from "./query.js";
import { CBOR_CONTENT_TYPE, wireOf, writeCbor } from "./wires.js";
import { jsonText } from "./raw-json.js";

/** A service's error table: the JSON form (status and message key) or the XML protocols' code → status. */
export type AnyErrorTable = ErrorTable | Readonly<Record<string, number>>;

export function specOf(table: AnyErrorTable, code: string): ErrorSpec | undefined {
  const entry = table[code];
  if (entry === undefined) return undefined;
  return typeof entry === "number" ? { status: entry, messageKey: "message", userType: false } : entry;
}

const CBOR_HEADERS = { "Content-Type": CBOR_CONTENT_TYPE.rpcv2Cbor, "smithy-protocol": "rpc-v2-cbor" };
const AWS_CBOR_HEADERS = { "Content-Type": CBOR_CONTENT_TYPE.awsCbor1_1 };

function jsonContentType(protocol: Protocol): string {
  return protocol === "awsJson1_1" ? "application/x-amz-json-1.1" : "application/x-amz-json-1.0";
}

export function outputResponse(protocol: Protocol, model: ServiceModel, operation: OperationModel, output: object | undefined, requestId: string): UnkaiResponse {
  if (protocol === "awsQuery") {
    return { status: 200, headers: { "Content-Type": "text/xml" }, body: queryResponseXml(model, operation, output as Record<string, unknown> | undefined, requestId) };
  }
  const value = operation.output ? encodeValue(model, operation.output, output ?? {}, wireOf(protocol)) : {};
  if (protocol === "rpcv2Cbor") return { status: 200, headers: CBOR_HEADERS, body: writeCbor(value) };
  if (protocol === "awsCbor1_1") return { status: 200, headers: AWS_CBOR_HEADERS, body: writeCbor(value) };
  return { status: 200, headers: { "Content-Type": jsonContentType(protocol) }, body: jsonText(value) };
}

export interface RenderedError {
  readonly code: string;
  readonly message: string;
  readonly spec: ErrorSpec;
  readonly extra?: Readonly<Record<string, string>>;
  /** The body member for the message, when not the spec's. */
  readonly messageKey?: string | undefined;
}

export function errorResponse(protocol: Protocol, model: ServiceModel, error: RenderedError, requestId: string): UnkaiResponse {
  const { code, message, spec } = error;
  const sender = spec.status < 500;
  if (protocol === "awsQuery") {
    return { status: spec.status, headers: { "Content-Type": "text/xml" }, body: queryErrorXml(model, queryErrorCode(model, code), message, sender, requestId) };
  }
  const headers: Record<string, string> = { "x-amzn-ErrorType": code };
  if (model.metadata.awsQueryCompatible) headers["x-amzn-query-error"] = `${queryErrorCode(model, code)};${sender ? "Sender" : "Receiver"}`;
  const body: Record<string, string> = { __type: code, ...error.extra, [error.messageKey ?? spec.messageKey]: message };
  if (protocol === "rpcv2Cbor") return { status: spec.status, headers: { ...headers, ...CBOR_HEADERS }, body: writeCbor(body) };
  if (protocol === "awsCbor1_1") return { status: spec.status, headers: { ...headers, ...AWS_CBOR_HEADERS }, body: writeCbor(body) };
  return { status: spec.status, headers: { ...headers, "Content-Type": jsonContentType(protocol) }, body: JSON.stringify(body) };
}
