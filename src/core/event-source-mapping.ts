/** An event source mapping: a poller that reads a queue (SQS for now) and invokes a function with batches. */
import type { FilterCriteria } from "./event-pattern/event-source-filter.js";

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
  /** ScalingConfig.MaximumConcurrency, when set. */
  readonly maximumConcurrency: number | undefined;
  readonly lastModified: number;
  /** What the last batch came to (`OK`, `No records processed`, or why it failed). */
  readonly lastProcessingResult: string;
}
