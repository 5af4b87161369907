/** Where an S3 request points: path-style `/<bucket>/<key>` or virtual-hosted `<bucket>.s3[.<region>].localhost`. */
import type { UnkaiRequest } from "../../protocol/http.js";
import { S3Error } from "./errors.js";

export interface S3Target {
  readonly bucket: string | undefined;
  readonly key: string | undefined;
}

/** `<bucket>.s3.localhost` or `<bucket>.s3.<region>.localhost`, any port. */
const VIRTUAL_HOST = /^(.+)\.s3(?:\.[a-z0-9-]+)?\.localhost(?::\d+)?$/i;

/** The bucket a virtual-hosted Host header names, if it is one. */
export function virtualHostBucket(host: string | undefined): string | undefined {
  return host ? VIRTUAL_HOST.exec(host)?.[1]?.toLowerCase() : undefined;
}

/** Percent-decodes a bucket or key; bytes that are not UTF-8 (`%FF%FE`) are S3's InvalidURI. */
function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3Error("InvalidURI", "Couldn't parse the specified URI.", `/${text}`);
  }
}

export function targetOf(request: UnkaiRequest): S3Target {
  const hosted = virtualHostBucket(request.headers.host);
  const path = request.path.startsWith("/") ? request.path.slice(1) : request.path;
  if (hosted !== undefined) return { bucket: hosted, key: path === "" ? undefined : decode(path) };
  if (path === "") return { bucket: undefined, key: undefined };
  const slash = path.indexOf("/");
  if (slash < 0) return { bucket: decode(path), key: undefined };
  const key = path.slice(slash + 1);
  return { bucket: decode(path.slice(0, slash)), key: key === "" ? undefined : decode(key) };
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** S3's naming rules for new buckets (3–63 chars, lower-case letters, digits, dots, hyphens). */
export function validateBucketName(name: string): void {
  if (!BUCKET_NAME.test(name) || name.includes("..") || /^\d+\.\d+\.\d+\.\d+$/.test(name) || name.startsWith("xn--") || name.endsWith("-s3alias")) {
    throw new S3Error(
      "InvalidBucketName",
      "The specified bucket is not valid: use 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit.",
      undefined,
      { BucketName: name },
    );
  }
}

/** Keys are at most 1,024 bytes of UTF-8. */
export function validateKey(key: string): void {
  if (Buffer.byteLength(key) > 1024) throw new S3Error("KeyTooLongError", "Your key is too long: keys are at most 1024 bytes.");
}
