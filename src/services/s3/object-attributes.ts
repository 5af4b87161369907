/**
 * GetObjectAttributes: what `x-amz-object-attributes` asks for of an object (or a version): ETag,
 * StorageClass, ObjectSize, and for an object a multipart upload made its parts (paged by
 * `x-amz-max-parts` / `x-amz-part-number-marker`), and its checksum (kept since checksums were; older
 * objects have none), each part's with ObjectParts.
 */
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import type { ObjectRecord } from "../../store/ports.js";
import { checksumXml, storedChecksum } from "./checksums.js";
import { requireBucket, requireObject, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { requestedVersion, versionHeader } from "./versions.js";
import { xmlResponse } from "./xml.js";

const ATTRIBUTES = new Set(["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"]);
const MAX_PARTS = 1000;

function requestedAttributes(request: UnkaiRequest): Set<string> {
  const names = (request.headers["x-amz-object-attributes"] ?? "").split(",").map((name) => name.trim()).filter((name) => name !== "");
  if (names.length === 0) throw new S3Error("InvalidArgument", "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty", undefined, { ArgumentName: "x-amz-object-attributes" });
  const unknown = names.find((name) => !ATTRIBUTES.has(name));
  if (unknown !== undefined) throw new S3Error("InvalidArgument", "Invalid attribute name specified.", undefined, { ArgumentName: "x-amz-object-attributes", ArgumentValue: unknown });
  return new Set(names);
}

function wholeHeader(request: UnkaiRequest, name: string, fallback: number): number {
  const value = request.headers[name];
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim())) throw new S3Error("InvalidArgument", `${name} must be a whole number.`, undefined, { ArgumentName: name, ArgumentValue: value });
  return Number(value);
}

/** The `ObjectParts` of a multipart object: parts after the marker, up to max-parts, each with its checksum when kept. */
function objectParts(request: UnkaiRequest, object: ObjectRecord): Record<string, unknown> | undefined {
  const sizes = object.partSizes;
  if (sizes === undefined) return undefined;
  const checksumName = `Checksum${storedChecksum(object.headers)?.algorithm.toUpperCase() ?? ""}`;
  const sums = object.partChecksums;
  const maxParts = Math.min(wholeHeader(request, "x-amz-max-parts", MAX_PARTS), MAX_PARTS);
  const marker = wholeHeader(request, "x-amz-part-number-marker", 0);
  const page = sizes.map((size, index) => ({ PartNumber: index + 1, Size: size, ...(sums?.[index] === undefined ? {} : { [checksumName]: sums[index] }) })).filter((part) => part.PartNumber > marker).slice(0, maxParts);
  const last = page.at(-1)?.PartNumber ?? marker;
  return { PartsCount: sizes.length, PartNumberMarker: marker, NextPartNumberMarker: last, MaxParts: maxParts, IsTruncated: last < sizes.length, Part: page };
}

export async function getObjectAttributes(context: S3Context, request: UnkaiRequest, bucketName: string, key: string): Promise<UnkaiResponse> {
  const bucket = await requireBucket(context, bucketName);
  const version = requestedVersion(request.query);
  const object = await requireObject(context, bucketName, key, version);
  const wanted = requestedAttributes(request);
  const parts = wanted.has("ObjectParts") ? objectParts(request, object) : undefined;
  const checksum = wanted.has("Checksum") ? storedChecksum(object.headers) : undefined;
  const body = {
    // Unquoted, unlike every other answer's ETag: as S3 answers it here.
    ...(wanted.has("ETag") ? { ETag: object.etag } : {}),
    ...(checksum ? { Checksum: checksumXml(checksum) } : {}),
    ...(parts ? { ObjectParts: parts } : {}),
    ...(wanted.has("StorageClass") ? { StorageClass: "STANDARD" } : {}),
    ...(wanted.has("ObjectSize") ? { ObjectSize: object.size } : {}),
  };
  const headers = { "Last-Modified": new Date(object.lastModified).toUTCString(), ...versionHeader(bucket, object, version !== undefined) };
  return xmlResponse("GetObjectAttributesResponse", body, headers);
}
