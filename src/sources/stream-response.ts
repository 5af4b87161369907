/** What a stream mapping's function answered: its JSON, and ReportBatchItemFailures read from it. */
import type { ShardRecord } from "./shard-source.js";

/** A function's JSON response (null for an empty one), or MALFORMED when it is not JSON. */
const MALFORMED = Symbol("malformed");
export function parseResponse(payload: Buffer): unknown {
  try {
    return payload.length === 0 ? null : JSON.parse(payload.toString("utf8"));
  } catch {
    return MALFORMED;
  }
}

/**
 * ReportBatchItemFailures for streams: `{"batchItemFailures":[{"itemIdentifier": <SequenceNumber>}]}`.
 * The lowest failed record is where the retry starts; an empty list or a null body is success; an
 * unknown identifier or a malformed response fails the whole batch (retry from 0).
 */
export function firstReportedFailure(response: unknown, records: readonly ShardRecord[]): number | undefined {
  if (response === MALFORMED) return 0;
  if (response === null || typeof response !== "object") return undefined;
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return undefined;
  if (!Array.isArray(failures)) return 0;
  let lowest: number | undefined;
  for (const failure of failures as { itemIdentifier?: unknown }[]) {
    const index = records.findIndex((r) => r.sequenceNumber === failure?.itemIdentifier);
    if (index === -1) return 0;
    lowest = lowest === undefined ? index : Math.min(lowest, index);
  }
  return lowest;
}
