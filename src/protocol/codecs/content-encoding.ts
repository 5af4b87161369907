/**
 * Request bodies sent with `Content-Encoding: gzip`: SDK v3 and botocore ≥ 1.31 compress the bodies of
 * operations the model marks `requestcompression` (CloudWatch's PutMetricData) once they pass 10 KiB.
 * The signature covers the compressed bytes (verified before a service runs); the codec decodes the
 * plain ones. Decompression stops at a bound, so a small bomb cannot take memory. A body that is not
 * gzip is `MalformedInput`, which the codec words as the service's serialization (or validation) error.
 */
import { gunzipSync } from "node:zlib";
import { UnkaiError } from "../../core/errors.js";
import type { UnkaiRequest } from "../http.js";
import { MalformedInput } from "./input-errors.js";

/** What a decompressed body may grow to: AWS's 1 MB PutMetricData limit, with room. */
export const MAX_INFLATED_BYTES = 2 * 1024 * 1024;

const plain = new WeakMap<UnkaiRequest, UnkaiRequest>();

/** The request with its body decompressed (the same request when it is not compressed); memoized per request. */
export function decodedRequest(request: UnkaiRequest): UnkaiRequest {
  const encoding = request.headers["content-encoding"]?.trim().toLowerCase();
  if (encoding === undefined || encoding === "" || encoding === "identity") return request;
  const known = plain.get(request);
  if (known) return known;
  if (encoding !== "gzip") throw new MalformedInput(`Content-Encoding ${encoding} is not supported; send gzip or no encoding.`);
  let body: Buffer;
  try {
    body = gunzipSync(request.body, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (error) {
    const tooLarge = (error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE";
    throw tooLarge
      ? new UnkaiError("RequestEntityTooLargeException", `The request body inflates to more than ${MAX_INFLATED_BYTES} bytes.`)
      : new MalformedInput("The request body is not valid gzip.");
  }
  const decoded = { ...request, body };
  plain.set(request, decoded);
  return decoded;
}
