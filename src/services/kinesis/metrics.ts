/**
 * AWS/Kinesis's metrics, reported through the platform's ServiceMetrics by the data-plane operations:
 * per StreamName, IncomingBytes and IncomingRecords for every record written; PutRecord.{Bytes,
 * Latency, Success} and PutRecords.{Bytes, Latency, Success, TotalRecords, SuccessfulRecords,
 * FailedRecords, ThrottledRecords}; GetRecords.{Bytes, Records, Latency, Success,
 * IteratorAgeMilliseconds}. With EnableEnhancedMonitoring, the shard-level metrics asked for, per
 * StreamName and ShardId: IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords,
 * IteratorAgeMilliseconds. Nothing throttles, so the *ProvisionedThroughputExceeded metrics stay away.
 */
import type { KinesisStreamRecord } from "../../core/kinesis.js";
import type { ServiceMetrics } from "../../core/service-metrics.js";
import type { KinesisRecordAppend, KinesisRecordRow } from "../../store/ports.js";
import { shardIdOf } from "./shards.js";

const NAMESPACE = "AWS/Kinesis";

const sizeOf = (record: KinesisRecordAppend) => record.data.byteLength + Buffer.byteLength(record.partitionKey);

/** Reports one PutRecord (`batch` false) or PutRecords call that wrote `records`. */
export function reportPut(metrics: ServiceMetrics | undefined, stream: KinesisStreamRecord, records: readonly KinesisRecordAppend[], latencyMs: number, batch: boolean): void {
  if (!metrics) return;
  const dimensions = { StreamName: stream.name };
  const bytes = records.reduce((sum, r) => sum + sizeOf(r), 0);
  metrics.add(NAMESPACE, "IncomingBytes", dimensions, bytes, "Bytes");
  metrics.add(NAMESPACE, "IncomingRecords", dimensions, records.length);
  const prefix = batch ? "PutRecords" : "PutRecord";
  metrics.add(NAMESPACE, `${prefix}.Bytes`, dimensions, bytes, "Bytes");
  metrics.add(NAMESPACE, `${prefix}.Latency`, dimensions, latencyMs, "Milliseconds");
  metrics.add(NAMESPACE, `${prefix}.Success`, dimensions, 1);
  if (batch) {
    metrics.add(NAMESPACE, "PutRecords.TotalRecords", dimensions, records.length);
    metrics.add(NAMESPACE, "PutRecords.SuccessfulRecords", dimensions, records.length);
    metrics.add(NAMESPACE, "PutRecords.FailedRecords", dimensions, 0);
    metrics.add(NAMESPACE, "PutRecords.ThrottledRecords", dimensions, 0);
  }
  for (const shard of new Set(records.map((r) => r.shard))) {
    const inShard = records.filter((r) => r.shard === shard);
    shardMetric(metrics, stream, shard, "IncomingBytes", inShard.reduce((sum, r) => sum + sizeOf(r), 0), "Bytes");
    shardMetric(metrics, stream, shard, "IncomingRecords", inShard.length);
  }
}

/** Reports one GetRecords call on `shard` that answered `rows` at `now`. */
export function reportGet(metrics: ServiceMetrics | undefined, stream: KinesisStreamRecord, shard: number, rows: readonly KinesisRecordRow[], latencyMs: number, now: number): void {
  if (!metrics) return;
  const dimensions = { StreamName: stream.name };
  const bytes = rows.reduce((sum, r) => sum + r.data.byteLength + Buffer.byteLength(r.partitionKey), 0);
  // The age of the last record read: how far behind the tip this reader is (0 once caught up with nothing to read).
  const age = Math.max(0, now - (rows.at(-1)?.arrivedAt ?? now));
  metrics.add(NAMESPACE, "GetRecords.Bytes", dimensions, bytes, "Bytes");
  metrics.add(NAMESPACE, "GetRecords.Records", dimensions, rows.length);
  metrics.add(NAMESPACE, "GetRecords.Latency", dimensions, latencyMs, "Milliseconds");
  metrics.add(NAMESPACE, "GetRecords.Success", dimensions, 1);
  metrics.add(NAMESPACE, "GetRecords.IteratorAgeMilliseconds", dimensions, age, "Milliseconds");
  shardMetric(metrics, stream, shard, "OutgoingBytes", bytes, "Bytes");
  shardMetric(metrics, stream, shard, "OutgoingRecords", rows.length);
  shardMetric(metrics, stream, shard, "IteratorAgeMilliseconds", age, "Milliseconds");
}

function shardMetric(metrics: ServiceMetrics, stream: KinesisStreamRecord, shard: number, name: string, value: number, unit: "Count" | "Bytes" | "Milliseconds" = "Count"): void {
  if (stream.shardLevelMetrics.includes(name)) metrics.add(NAMESPACE, name, { StreamName: stream.name, ShardId: shardIdOf(shard) }, value, unit);
}
