/**
 * DynamoDB Streams records: what one item write appends to its table's stream. The record is built
 * inside the write's store transaction (write-plans.ts `writesOf`), so a write and its record commit
 * together: no record without its write, no write without its record. The store numbers records.
 * `streamWrites` also appends the table's Kinesis destinations' records (kinesis-capture.ts) the same way.
 */
import { randomBytes } from "node:crypto";
import type { DynamoItemWrite, DynamoStreamRecordRow } from "../../store/ports.js";
import { attributeOf, itemSize, valuesEqual, type AttributeMap } from "./expressions/index.js";
import type { LoadedTable } from "./context.js";
import { itemOf, keyAttributes, storedItem } from "./keys.js";
import { invalid, type TableDefinition } from "./table-definition.js";
import { kinesisCaptureWrites } from "./kinesis-capture.js";

/** DynamoDB Streams keep records for 24 hours. */
export const STREAM_RETENTION_MS = 24 * 60 * 60 * 1000;

export const STREAM_VIEW_TYPES = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"] as const;
export type StreamViewType = (typeof STREAM_VIEW_TYPES)[number];

/** Who made the change, when it was not a request (TTL deletions). */
export const TTL_IDENTITY = { type: "Service", principalId: "dynamodb.amazonaws.com" } as const;

/** A stream record as the store keeps it (the SequenceNumber comes from the store's row). */
export interface StoredStreamRecord {
  readonly eventID: string;
  readonly eventName: "INSERT" | "MODIFY" | "REMOVE";
  readonly eventVersion: "1.1";
  readonly eventSource: "aws:dynamodb";
  readonly awsRegion: string;
  /** The images in the store's JSON form (binaries in base64). */
  readonly dynamodb: {
    readonly ApproximateCreationDateTime: number;
    readonly Keys: AttributeMap;
    readonly NewImage?: AttributeMap;
    readonly OldImage?: AttributeMap;
    readonly SizeBytes: number;
    readonly StreamViewType: StreamViewType;
  };
  readonly userIdentity?: typeof TTL_IDENTITY;
}

/** `arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>`. */
export function streamArn(table: LoadedTable, label: string): string {
  return `${table.arn}/stream/${label}`;
}

/** A stream label: the time it was enabled, as DynamoDB writes it (ISO 8601 without the zone). */
export function streamLabel(nowMs: number): string {
  return new Date(nowMs).toISOString().replace(/Z$/, "");
}

/** The StreamSpecification CreateTable and UpdateTable accept. */
export function checkStreamSpecification(spec: { StreamEnabled: boolean; StreamViewType?: string }): void {
  if (spec.StreamEnabled && spec.StreamViewType === undefined) throw invalid("One or more parameter values were invalid: StreamViewType is required when StreamEnabled is true");
  if (!spec.StreamEnabled && spec.StreamViewType !== undefined) throw invalid("One or more parameter values were invalid: StreamViewType cannot be specified when StreamEnabled is false");
}

function sameItem(a: AttributeMap, b: AttributeMap): boolean {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((name) => {
    const other = attributeOf(b, name);
    return other !== undefined && valuesEqual(a[name] as never, other);
  });
}

const eventId = () => randomBytes(16).toString("hex");

/**
 * The change records for a write taking an item from `old` to `next`: its table's stream record and its
 * Kinesis destinations' (kinesis-capture.ts), appended in the write's own transaction; none when the
 * write changed nothing (DynamoDB writes no record for a no-op Put or Update).
 */
export function streamWrites(table: LoadedTable, old: AttributeMap | undefined, next: AttributeMap | undefined, nowMs: number, identity?: typeof TTL_IDENTITY): DynamoItemWrite[] {
  // Most tables record no changes: their writes pay for no comparison of the two images.
  if (!recordsChanges(table.definition)) return [];
  if (old === undefined && next === undefined) return [];
  if (old !== undefined && next !== undefined && sameItem(old, next)) return [];
  const keys = keyAttributes(table.schema, (next ?? old) as AttributeMap);
  return [...dynamoStreamWrites(table, keys, old, next, nowMs, identity), ...kinesisCaptureWrites(table, keys, old, next, nowMs, identity)];
}

/** Whether the table has an enabled stream or an ACTIVE Kinesis destination. */
function recordsChanges(definition: TableDefinition): boolean {
  if (definition.StreamSpecification?.StreamEnabled === true && definition.LatestStreamLabel !== undefined) return true;
  return definition.KinesisDestinations?.some((destination) => destination.Status === "ACTIVE") === true;
}

/** The stream append for a change: none when the table has no enabled stream. */
function dynamoStreamWrites(table: LoadedTable, keys: AttributeMap, old: AttributeMap | undefined, next: AttributeMap | undefined, nowMs: number, identity?: typeof TTL_IDENTITY): DynamoItemWrite[] {
  const definition: TableDefinition = table.definition;
  const spec = definition.StreamSpecification;
  const label = definition.LatestStreamLabel;
  if (!spec?.StreamEnabled || label === undefined) return [];
  const view = spec.StreamViewType as StreamViewType;
  const newImage = next !== undefined && (view === "NEW_IMAGE" || view === "NEW_AND_OLD_IMAGES") ? next : undefined;
  const oldImage = old !== undefined && (view === "OLD_IMAGE" || view === "NEW_AND_OLD_IMAGES") ? old : undefined;
  const sizeBytes = itemSize(keys) + (newImage ? itemSize(newImage) : 0) + (oldImage ? itemSize(oldImage) : 0);
  const record = {
    eventID: eventId(),
    eventName: old === undefined ? "INSERT" : next === undefined ? "REMOVE" : "MODIFY",
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: table.arn.split(":")[3],
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(nowMs / 1000),
      Keys: keys,
      ...(newImage ? { NewImage: newImage } : {}),
      ...(oldImage ? { OldImage: oldImage } : {}),
      SizeBytes: sizeBytes,
      StreamViewType: view,
    },
    ...(identity ? { userIdentity: identity } : {}),
  };
  return [{ append: { stream: streamArn(table, label), table: table.name, createdAt: nowMs, record: storedItem(record as never) } }];
}

/** A sequence number as DynamoDB Streams writes it: a numeric string (zero-padded, so text order is number order). */
export function formatSequence(sequence: number): string {
  return String(sequence).padStart(21, "0");
}

/** A stored record with its sequence number, images with their binaries back as bytes. */
export function recordOf(row: DynamoStreamRecordRow): StoredStreamRecord & { dynamodb: { SequenceNumber: string } } {
  const record = itemOf({ table: "", partitionKey: Buffer.alloc(0), sortKey: Buffer.alloc(0), item: row.record, size: 0 }) as unknown as StoredStreamRecord;
  return { ...record, dynamodb: { ...record.dynamodb, SequenceNumber: formatSequence(row.sequence) } };
}
