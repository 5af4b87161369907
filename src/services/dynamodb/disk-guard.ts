/**
 * Writes that grow storage (PutItem, UpdateItem, BatchWriteItem, TransactWriteItems, CreateTable,
 * UpdateTable) are refused while the data directory is below its free-space threshold, with
 * DynamoDB's ProvisionedThroughputExceededException: the throttling error every SDK backs off from and
 * retries, so the writes wait in the client instead of failing for good. Reads and deletes go on.
 * (PartiQL statements are not guarded: a statement may be a read.)
 */
import { UnkaiError } from "../../core/errors.js";
import type { Operations } from "../../protocol/codecs/model-service.js";
import type { FreeSpace } from "../../store/disk-space.js";

const GROWING = new Set(["PutItem", "UpdateItem", "BatchWriteItem", "TransactWriteItems", "CreateTable", "UpdateTable"]);

export function guardedOperations(operations: Operations, space: FreeSpace | undefined): Operations {
  if (!space) return operations;
  return Object.fromEntries(Object.entries(operations).map(([name, operation]) => [
    name,
    GROWING.has(name)
      ? (input: object, ctx: Parameters<typeof operation>[1]) => {
        const shortfall = space.shortfall();
        if (shortfall) throw new UnkaiError("ProvisionedThroughputExceededException", `The level of configured provisioned throughput for the table was exceeded: ${shortfall}`);
        return operation(input, ctx);
      }
      : operation,
  ]));
}
