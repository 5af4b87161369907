/**
 * IAM's paging (`Marker`, `MaxItems`, `IsTruncated`) for every listing: at most MaxItems (1–1,000, 100 by
 * default as on IAM) per answer and, when more follow, `IsTruncated: true` with a Marker for the next call.
 * The marker is opaque to clients; it holds the position and the key of the last item returned, so a page
 * resumes after that item even when items before it were added or removed in between (falling back to
 * the position when that item itself is gone).
 */
import { UnkaiError } from "../../core/errors.js";

export interface PageInput {
  readonly Marker?: string | undefined;
  readonly MaxItems?: number | undefined;
}

/** IAM's default page size when MaxItems is not given. */
const DEFAULT_MAX_ITEMS = 100;

/** The paging fields of an answer: `IsTruncated`, and `Marker` when it is true. */
export interface PageInfo {
  readonly IsTruncated: boolean;
  readonly Marker?: string;
}

function decodeMarker(marker: string): { offset: number; key: string } {
  try {
    const [offset, key] = JSON.parse(Buffer.from(marker, "base64url").toString("utf8")) as unknown[];
    if (typeof offset === "number" && Number.isInteger(offset) && offset >= 0 && typeof key === "string") return { offset, key };
  } catch {
    // answered below
  }
  throw new UnkaiError("InvalidInput", "Invalid Marker.");
}

const encodeMarker = (offset: number, key: string) => Buffer.from(JSON.stringify([offset, key])).toString("base64url");

/** The page of `items` that `input` asks for; `keyOf` names an item uniquely within the listing. */
export function page<T>(items: readonly T[], input: PageInput, keyOf: (item: T) => string): { items: T[]; info: PageInfo } {
  const max = input.MaxItems ?? DEFAULT_MAX_ITEMS;
  if (!Number.isInteger(max) || max < 1 || max > 1000) throw new UnkaiError("ValidationError", `1 validation error detected: Value '${max}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`);
  let start = 0;
  if (input.Marker !== undefined && input.Marker !== "") {
    const { offset, key } = decodeMarker(input.Marker);
    const last = items.findIndex((item) => keyOf(item) === key);
    start = last >= 0 ? last + 1 : Math.min(offset, items.length);
  }
  const slice = items.slice(start, start + max);
  const end = start + slice.length;
  if (end >= items.length || slice.length === 0) return { items: slice, info: { IsTruncated: false } };
  return { items: slice, info: { IsTruncated: true, Marker: encodeMarker(end, keyOf(slice[slice.length - 1] as T)) } };
}
