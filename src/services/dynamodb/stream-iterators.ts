/** DynamoDB Streams' shard iterators (src/core/shard-iterators.ts), valid for 15 minutes as on AWS. */
import { UnkaiError } from "../../core/errors.js";
import { ShardIterators, type IteratorKey } from "../../core/shard-iterators.js";

/** AWS's iterators are valid for 15 minutes. */
export const ITERATOR_LIFETIME_MS = 15 * 60 * 1000;

export function dynamoShardIterators(key?: IteratorKey): ShardIterators {
  return new ShardIterators({
    lifetimeMs: ITERATOR_LIFETIME_MS,
    invalid: () => new UnkaiError("ValidationException", "Invalid ShardIterator"),
    expired: (message) => new UnkaiError("ExpiredIteratorException", message),
  }, key);
}
