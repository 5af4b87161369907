/**
 * The pure parts of a stream mapping's batch (shard-poller.ts): which records its FilterCriteria keep,
 * whether a failing batch has run out of retries or age, and the on-failure record AWS sends for a batch
 * given up (where the batch was, not its records).
 */
import { randomUUID } from "node:crypto";
import { EventSourceFilter } from "../core/event-pattern/event-source-filter.js";
import type { EventSourceMapping } from "../core/event-source-mapping.js";
import type { JsonValue } from "../core/event-pattern/types.js";
import type { ShardRecord } from "./shard-source.js";

/** How one synchronous invocation of a batch ended. */
export interface Outcome {
  readonly ok: boolean;
  /** ReportBatchItemFailures: the index of the first record to retry from. */
  readonly retryFrom?: number;
  readonly statusCode: number;
  readonly functionError?: string;
}

/** The records the mapping's FilterCriteria keep (all of them without criteria), each seen as `view` shows it (the whole event by default). */
export function filterBatch(mapping: EventSourceMapping, batch: readonly ShardRecord[], view?: (event: ShardRecord["event"]) => JsonValue): ShardRecord[] {
  if (!mapping.filterCriteria) return [...batch];
  const filter = EventSourceFilter.compile(mapping.filterCriteria);
  return batch.filter((record) => filter.matches(view ? view(record.event) : { ...record.event, eventSourceARN: mapping.eventSourceArn }));
}

/** Why a failing batch is given up (`RecordAgeExceeded`, `RetryAttemptsExhausted`), or undefined to retry it. */
export function exhaustedCondition(mapping: EventSourceMapping, pending: readonly ShardRecord[], retries: number, retentionMs: number): string | undefined {
  const maxRetries = mapping.maximumRetryAttempts ?? -1;
  const maxAgeSeconds = mapping.maximumRecordAgeInSeconds ?? -1;
  const ageMs = Date.now() - (pending[0] as ShardRecord).createdAtMs;
  if ((maxAgeSeconds !== -1 && ageMs > maxAgeSeconds * 1000) || ageMs > retentionMs) return "RecordAgeExceeded";
  if (maxRetries !== -1 && retries >= maxRetries) return "RetryAttemptsExhausted";
  return undefined;
}

export interface GivenUp {
  readonly mapping: EventSourceMapping;
  readonly functionArn: string;
  readonly shardId: string;
  readonly records: readonly ShardRecord[];
  readonly condition: string;
  readonly invokeCount: number;
  readonly outcome: Outcome;
  /** The source's name for the batch description (`DDBStreamBatchInfo`, `KinesisBatchInfo`). */
  readonly batchInfoKey: string;
}

/** AWS's on-failure invocation record for a stream batch. */
export function failureRecord(given: GivenUp): Record<string, unknown> {
  const { mapping, records, outcome } = given;
  const first = records[0] as ShardRecord;
  const last = records[records.length - 1] as ShardRecord;
  return {
    requestContext: { requestId: randomUUID(), functionArn: given.functionArn, condition: given.condition, approximateInvokeCount: given.invokeCount },
    responseContext: { statusCode: outcome.statusCode, executedVersion: mapping.qualifier ?? "$LATEST", ...(outcome.functionError ? { functionError: outcome.functionError } : {}) },
    version: "1.0",
    timestamp: new Date().toISOString(),
    [given.batchInfoKey]: {
      shardId: given.shardId, startSequenceNumber: first.sequenceNumber, endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.createdAtMs).toISOString(), approximateArrivalOfLastRecord: new Date(last.createdAtMs).toISOString(),
      batchSize: records.length, streamArn: mapping.eventSourceArn,
    },
  };
}
