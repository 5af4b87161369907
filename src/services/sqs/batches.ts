/** The rules every *Batch operation shares: 1–10 entries with distinct, well-formed ids; per-entry failures answered with 200. */
import { UnkaiError } from "../../core/errors.js";

export const MAX_BATCH_ENTRIES = 10;
const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

export interface BatchFailure {
  readonly Id: string;
  readonly SenderFault: boolean;
  readonly Code: string;
  readonly Message: string;
}

/** `entryName` is how SQS names the entry shape in its message (`SendMessageBatchRequestEntry` …). */
export function checkBatch(entries: readonly { Id: string }[] | undefined, entryName: string): void {
  if (!entries || entries.length === 0) throw new UnkaiError("EmptyBatchRequest", `There should be at least one ${entryName} in the request.`);
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new UnkaiError("TooManyEntriesInBatchRequest", `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`);
  }
  const seen = new Set<string>();
  for (const { Id } of entries) {
    if (!ENTRY_ID.test(Id)) {
      throw new UnkaiError("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.");
    }
    if (seen.has(Id)) throw new UnkaiError("BatchEntryIdsNotDistinct", `Id ${Id} repeated.`);
    seen.add(Id);
  }
}

/** An entry's failure: an SQS error keeps its code; anything else is Unkai's fault. */
export function entryFailure(id: string, error: unknown): BatchFailure {
  if (error instanceof UnkaiError) return { Id: id, SenderFault: true, Code: error.code, Message: error.message };
  return { Id: id, SenderFault: false, Code: "InternalError", Message: "The request processing has failed because of an unknown error." };
}
