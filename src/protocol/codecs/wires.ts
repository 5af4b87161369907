/**
 * The awsJson and CBOR wires: body parsing and writing, and how each carries timestamps and blobs
 * (awsJson: epoch seconds and base64; rpcv2Cbor: tag 1 epoch seconds and byte strings; AWS's older
 * CBOR 1.1, which the Java SDKs send to Kinesis: tag 1 epoch *milliseconds*, as integers, and byte
 * strings). CBOR itself is @smithy/core's, the same code the SDK clients use.
 */
import { cbor, dateToTag, tag } from "@smithy/core/cbor";
import { decodeUtf8 } from "../utf8.js";
import { MalformedInput } from "./input-errors.js";
import type { Protocol } from "./model.js";
import type { Wire } from "./structured.js";

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function epochSeconds(raw: unknown): Date | undefined {
  if (typeof raw === "number" && Number.isFinite(raw)) return new Date(raw * 1000);
  if (typeof raw === "string" && /^\d{4}-\d\d-\d\dT/.test(raw) && !Number.isNaN(Date.parse(raw))) return new Date(raw);
  return undefined;
}

export const JSON_WIRE: Wire = {
  readTimestamp: epochSeconds,
  readBlob: (raw) => (typeof raw === "string" && BASE64.test(raw) ? new Uint8Array(Buffer.from(raw, "base64")) : undefined),
  writeTimestamp: (date) => date.getTime() / 1000,
  writeBlob: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"),
};

interface Tagged {
  readonly tag: number | bigint;
  readonly value: unknown;
}

export const CBOR_WIRE: Wire = {
  readTimestamp(raw) {
    const tagged = raw as Partial<Tagged> | undefined;
    if (typeof raw === "object" && raw !== null && Number(tagged?.tag) === 1) return epochSeconds(Number(tagged?.value));
    return typeof raw === "number" ? epochSeconds(raw) : undefined;
  },
  readBlob: (raw) => (raw instanceof Uint8Array ? new Uint8Array(raw) : undefined),
  writeTimestamp: (date) => dateToTag(date),
  writeBlob: (bytes) => bytes,
};

/** AWS CBOR 1.1 (`application/x-amz-cbor-1.1`): as rpcv2Cbor, but timestamps count milliseconds (aws-sdk-java-v2 #4661). */
export const AWS_CBOR_WIRE: Wire = {
  readTimestamp(raw) {
    const tagged = raw as Partial<Tagged> | undefined;
    const millis = typeof raw === "object" && raw !== null && Number(tagged?.tag) === 1 ? Number(tagged?.value) : typeof raw === "number" ? raw : NaN;
    return Number.isFinite(millis) ? new Date(millis) : undefined;
  },
  readBlob: (raw) => CBOR_WIRE.readBlob(raw),
  writeTimestamp: (date) => tag({ tag: 1, value: date.getTime() }),
  writeBlob: (bytes) => bytes,
};

/** The body's content type on each CBOR protocol (the JSON ones name their version: render.ts). */
export const CBOR_CONTENT_TYPE = { rpcv2Cbor: "application/cbor", awsCbor1_1: "application/x-amz-cbor-1.1" } as const;

/** The CBOR protocol's content type, or undefined for a JSON-shaped one. */
export const cborContentType = (protocol: Protocol): string | undefined =>
  protocol === "rpcv2Cbor" || protocol === "awsCbor1_1" ? CBOR_CONTENT_TYPE[protocol] : undefined;

/** How a JSON-shaped protocol carries timestamps and blobs. */
export function wireOf(protocol: Protocol): Wire {
  return protocol === "rpcv2Cbor" ? CBOR_WIRE : protocol === "awsCbor1_1" ? AWS_CBOR_WIRE : JSON_WIRE;
}

/** An awsJson body: `{}` when empty (the SDKs send nothing for an input with no members). */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(decodeUtf8(body)) as unknown;
  } catch {
    throw new MalformedInput("The request body is not valid JSON.");
  }
}

export function parseCborBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return cbor.deserialize(new Uint8Array(body.buffer, body.byteOffset, body.byteLength)) as unknown;
  } catch {
    throw new MalformedInput("The request body is not valid CBOR.");
  }
}

export function writeCbor(value: unknown): Buffer {
  const bytes = cbor.serialize(value);
  // serialize() returns a view of a shared encoding buffer: copy it before the next call reuses it.
  return Buffer.from(bytes);
}
