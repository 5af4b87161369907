/** An event source mapping: a poller that reads a queue (SQS) or a stream's shards (DynamoDB Streams) and invokes a function with batches. */
import type { FilterCriteria } from "./event-pattern/event-source-filter.js";
import type { ServiceMetrics } from "./service-metrics.js";

export interface EventSourceMapping {
  readonly uuid: string;
  /** The function's name and the qualifier the mapping invokes (undefined: $LATEST). */
  readonly functionName: string;
  readonly qualifier: string | undefined;
  readonly eventSourceArn: string;
  readonly batchSize: number;
  readonly maximumBatchingWindowInSeconds: number;
  readonly enabled: boolean;
  /** `ReportBatchItemFailures` when the function reports failed items itself. */
  readonly functionResponseTypes: readonly string[];
  /** Lambda's FilterCriteria: records none of its patterns match are discarded (deleted) without an invocation. */
  readonly filterCriteria?: FilterCriteria | undefined;
  /** MetricsConfig.Metrics: with `EventCount` the pollers publish the mapping's event counts (see countMappingEvents). */
  readonly metrics?: readonly string[];
  /** ScalingConfig.MaximumConcurrency, when set. */
  readonly maximumConcurrency: number | undefined;
  readonly lastModified: number;
  /** What the last batch came to (`OK`, `No records processed`, or why it failed). */
  readonly lastProcessingResult: string;
  /** Stream sources: where a shard without a checkpoint starts. */
  readonly startingPosition?: "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP";
  /** AT_TIMESTAMP's time, epoch ms. */
  readonly startingPositionTimestamp?: number;
  /** Stream sources: retries of a failing batch (-1: until its records expire). */
  readonly maximumRetryAttempts?: number;
  /** Stream sources: the age past which a failing batch is given up (-1: until its records expire). */
  readonly maximumRecordAgeInSeconds?: number;
  readonly bisectBatchOnFunctionError?: boolean;
  /** Stream sources: ParallelizationFactor, the concurrent batches per shard (undefined: 1). */
  readonly parallelizationFactor?: number;
  /** Stream sources: TumblingWindowInSeconds (undefined or 0: no windows, no state). */
  readonly tumblingWindowInSeconds?: number;
  /** Stream sources: DestinationConfig.OnFailure.Destination, which gets a record of each batch given up. */
  readonly onFailure?: string;
  /**
   * Stream sources, per shard: the position of the last record done with, as mappings saved it before
   * checkpoints moved to ShardLeaseStore; read once, as the starting point of a shard without a saved lease position.
   */
  readonly checkpoints?: Readonly<Record<string, number>>;
}

/**
 * The event counts AWS publishes for a mapping whose MetricsConfig asks for `EventCount`: PolledEventCount,
 * FilteredOutEventCount, InvokedEventCount, FailedInvokeEventCount, DeletedEventCount (SQS),
 * DroppedEventCount and OnFailureDestinationDeliveredEventCount (streams), in AWS/Lambda per
 * `EventSourceMappingUUID`. One call per batch, into the per-minute accumulators: no write per record.
 */
export function countMappingEvents(metrics: ServiceMetrics | undefined, mapping: EventSourceMapping, metricName: string, count: number): void {
  if (count <= 0 || !mapping.metrics?.includes("EventCount")) return;
  metrics?.add("AWS/Lambda", metricName, { EventSourceMappingUUID: mapping.uuid }, count);
}
