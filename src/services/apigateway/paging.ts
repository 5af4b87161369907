/**
 * API Gateway's list paging (`limit`, `position`) for the collections Unkai keeps as documents ordered by
 * id (API keys, usage plans): `position` is the id the next page starts at, opaque to clients as AWS's is.
 */
import { UnkaiError } from "../../core/errors.js";

/** AWS's default page and its largest. */
const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 500;

export interface Page<T> {
  readonly item: readonly T[];
  readonly position: string | undefined;
}

/** One page of `items` (ordered by `idOf`), from the query's `limit` and `position`. */
export function pageOf<T>(items: readonly T[], idOf: (item: T) => string, query: URLSearchParams): Page<T> {
  const rawLimit = query.get("limit");
  const limit = rawLimit === null ? DEFAULT_LIMIT : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new UnkaiError("BadRequestException", `Invalid limit '${rawLimit}': a whole number from 1 to ${MAX_LIMIT}.`);
  }
  const position = query.get("position");
  const start = position === null ? 0 : items.findIndex((item) => idOf(item) >= position);
  const from = start === -1 ? items.length : start;
  const page = items.slice(from, from + limit);
  const next = items[from + limit];
  return { item: page, position: next === undefined ? undefined : idOf(next) };
}
