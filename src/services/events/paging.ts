/** EventBridge's List* paging: the NextToken is the offset of the next page. */
import { UnkaiError } from "../../core/errors.js";

export function page<T>(items: readonly T[], nextToken: string | undefined, limit: number | undefined): { items: T[]; next?: string } {
  const start = nextToken ? Number(nextToken) : 0;
  if (!Number.isInteger(start) || start < 0) throw new UnkaiError("ValidationException", "The NextToken is not valid.");
  const size = limit ?? 100;
  const items2 = items.slice(start, start + size);
  return start + size < items.length ? { items: items2, next: String(start + size) } : { items: items2 };
}
