/**
 * Kinesis Data Streams for DynamoDB, the capture half: an item write to a table with an ACTIVE Kinesis
 * destination appends the Kinesis record AWS would put to the table's capture stream, a store stream of
 * DynamoDB's own (DynamoDbStore's stream records, as DynamoDB Streams' records are), in the same store
 * transaction as the write (stream-records.ts `streamWrites`). So no acknowledged write loses its change,
 * and the write never waits on Kinesis: kinesis-forwarder.ts moves captured records to the Kinesis stream
 * afterwards.
 *
 * The record is AWS's JSON (as captured from AWS in the field; the developer guide shows none): `awsRegion`,
 * `eventID` (a UUID), `eventName`, `userIdentity` (null, or the TTL service's identity), `recordFormat:
 * "application/json"`, `tableName`, `dynamodb` {`ApproximateCreationDateTime` in the destination's precision,
 * `Keys`, `NewImage`, `OldImage`, `SizeBytes`, and `ApproximateCreationDateTimePrecision` when MICROSECOND:
 * records of millisecond destinations were seen without it}, `eventSource: "aws:dynamodb"`. Images are always
 * new-and-old. Its partition key is 32 upper-case hex digits, as AWS's are; AWS does not say what it hashes:
 * here the MD5 of the item's key, so every change of one item goes to one shard, in order.
 */
import { createHash, randomUUID } from "node:crypto";
import type { DynamoItemWrite } from "../../store/ports.js";
import type { AttributeMap } from "./expressions/index.js";
import { itemSize } from "./expressions/index.js";
import type { LoadedTable } from "./context.js";
import { storedItem } from "./keys.js";
import type { KinesisDestination } from "./table-definition.js";

/** Who made a change that no request made (TTL deletions). */
type ServiceIdentity = { readonly type: string; readonly principalId: string };

/** The store stream a destination's changes are captured in: one per table and enabling, so a table made again or a destination enabled again starts afresh. */
export function kinesisCaptureStream(table: Pick<LoadedTable, "arn" | "createdAt">, destination: Pick<KinesisDestination, "EnabledAt">): string {
  return `${table.arn}/kinesis-destination/${table.createdAt}-${destination.EnabledAt}`;
}

/** A captured change as the store keeps it: the Kinesis record's partition key and data (the record's JSON text). */
export interface CapturedRecord {
  readonly partitionKey: string;
  readonly data: string;
}

/** The capture appends for a change the caller has found to be one (not a no-op), keyed by `keys`. */
export function kinesisCaptureWrites(table: LoadedTable, keys: AttributeMap, old: AttributeMap | undefined, next: AttributeMap | undefined, nowMs: number, identity?: ServiceIdentity): DynamoItemWrite[] {
  const active = (table.definition.KinesisDestinations ?? []).filter((destination) => destination.Status === "ACTIVE");
  if (active.length === 0) return [];
  const keysJson = storedItem(keys);
  const partitionKey = createHash("md5").update(keysJson).digest("hex").toUpperCase();
  const sizeBytes = itemSize(keys) + (next ? itemSize(next) : 0) + (old ? itemSize(old) : 0);
  return active.map((destination) => {
    const micro = destination.Precision === "MICROSECOND";
    const record = {
      awsRegion: table.arn.split(":")[3],
      eventID: randomUUID(),
      eventName: old === undefined ? "INSERT" : next === undefined ? "REMOVE" : "MODIFY",
      userIdentity: identity ?? null,
      recordFormat: "application/json",
      tableName: table.name,
      dynamodb: {
        ApproximateCreationDateTime: micro ? nowMs * 1000 : nowMs,
        Keys: keys,
        ...(next ? { NewImage: next } : {}),
        ...(old ? { OldImage: old } : {}),
        SizeBytes: sizeBytes,
        ...(micro ? { ApproximateCreationDateTimePrecision: "MICROSECOND" } : {}),
      },
      eventSource: "aws:dynamodb",
    };
    const captured = `{"partitionKey":${JSON.stringify(partitionKey)},"data":${storedItem(record as never)}}`;
    return { append: { stream: kinesisCaptureStream(table, destination), table: table.name, createdAt: nowMs, record: captured } };
  });
}

/** A captured record back from the store's text. */
export function capturedRecord(text: string): CapturedRecord {
  const parsed = JSON.parse(text) as { partitionKey: string; data: unknown };
  return { partitionKey: parsed.partitionKey, data: JSON.stringify(parsed.data) };
}
