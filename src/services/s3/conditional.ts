/** GetObject's and HeadObject's conditional headers (If-Match and friends) and byte ranges. */
import type { UnkaiRequest } from "../../protocol/http.js";
import type { ObjectRecord } from "../../store/ports.js";
import { S3Error } from "./errors.js";

const unquote = (tag: string): string => tag.trim().replace(/^W\//, "").replace(/^"|"$/g, "");
const tagsOf = (header: string): string[] => header.split(",").map(unquote);
const seconds = (ms: number): number => Math.floor(ms / 1000);

function parseDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** "not-modified" for a 304, or throws PreconditionFailed (412); undefined when the request goes ahead. */
export function checkConditions(request: UnkaiRequest, object: ObjectRecord): "not-modified" | undefined {
  const { headers } = request;
  const ifMatch = headers["if-match"];
  const ifNoneMatch = headers["if-none-match"];
  const modified = seconds(object.lastModified);
  const failed = (condition: string) => new S3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", undefined, { Condition: condition });
  if (ifMatch !== undefined) {
    const tags = tagsOf(ifMatch);
    if (!tags.includes("*") && !tags.includes(object.etag)) throw failed("If-Match");
  } else {
    const since = parseDate(headers["if-unmodified-since"]);
    if (since !== undefined && modified > seconds(since)) throw failed("If-Unmodified-Since");
  }
  if (ifNoneMatch !== undefined) {
    const tags = tagsOf(ifNoneMatch);
    if (tags.includes("*") || tags.includes(object.etag)) return "not-modified";
  } else {
    const since = parseDate(headers["if-modified-since"]);
    if (since !== undefined && modified <= seconds(since)) return "not-modified";
  }
  return undefined;
}

/** The one byte range a `Range: bytes=…` header asks for; undefined for the whole object. */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // S3 ignores a Range it cannot parse (or several ranges) and answers with the whole object.
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  const invalid = () => new S3Error("InvalidRange", "The requested range is not satisfiable", undefined, { RangeRequested: header, ActualObjectSize: String(size) });
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) throw invalid();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) throw invalid();
  return { start, end };
}

/** A part of the object to read (`?partNumber=`): its bytes and, for a multipart object, how many parts it has. */
export interface PartRead {
  readonly start: number;
  readonly end: number;
  /** 1-based, as asked for. */
  readonly number: number;
  readonly partsCount?: number;
}

const MAX_PART_NUMBER = 10_000;

/**
 * The part `?partNumber=` names; undefined when it names none. A single-part object is one part
 * (partNumber=1 reads all of it); parts are counted in the order the completed upload listed them.
 */
export function partToRead(request: UnkaiRequest, object: ObjectRecord): PartRead | undefined {
  const text = request.query.get("partNumber");
  if (text === null) return undefined;
  const number = Number(text);
  if (!/^\d+$/.test(text) || number < 1 || number > MAX_PART_NUMBER) {
    throw new S3Error("InvalidArgument", `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, undefined, { ArgumentName: "partNumber", ArgumentValue: text });
  }
  if (request.headers.range !== undefined) throw new S3Error("InvalidRequest", "Cannot specify both Range header and partNumber query parameter");
  const sizes = object.partSizes ?? [object.size];
  const size = sizes[number - 1];
  if (size === undefined) {
    throw new S3Error("InvalidPartNumber", "The requested partnumber is not satisfiable", undefined, { PartNumberRequested: text, ActualPartCount: String(sizes.length) });
  }
  const start = sizes.slice(0, number - 1).reduce((sum, part) => sum + part, 0);
  return { start, end: start + size - 1, number, partsCount: object.partSizes?.length };
}
