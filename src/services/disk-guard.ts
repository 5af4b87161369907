/**
 * Model operations that grow storage, refused while the data directory is below its free-space
 * threshold (docs/security.md, "Disk"), each service with the error its clients back off from and
 * retry: DynamoDB's and Kinesis's ProvisionedThroughputExceededException, SQS's RequestThrottled.
 * The check is statfs, cached for a second (store/disk-space.ts); reads and deletes go on.
 */
import type { UnkaiError } from "../core/errors.js";
import type { Operations } from "../protocol/codecs/model-service.js";
import type { FreeSpace } from "../store/disk-space.js";

export function guardedOperations(operations: Operations, growing: ReadonlySet<string>, space: FreeSpace | undefined, refusal: (shortfall: string) => UnkaiError): Operations {
  if (!space) return operations;
  return Object.fromEntries(Object.entries(operations).map(([name, operation]) => [
    name,
    growing.has(name)
      ? (input: object, ctx: Parameters<typeof operation>[1]) => {
        const shortfall = space.shortfall();
        if (shortfall) throw refusal(shortfall);
        return operation(input, ctx);
      }
      : operation,
  ]));
}
