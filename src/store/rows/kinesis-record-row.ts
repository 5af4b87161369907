/** The kinesis_records row, as both backends read it, and the data as both bind it. */
import type { KinesisRecordRow } from "../ports.js";

export interface KinesisRecordDbRow {
  sequence: number;
  shard: number;
  partition_key: string;
  data: Buffer;
  arrived_at: number;
}

export function kinesisRecordFrom(row: KinesisRecordDbRow): KinesisRecordRow {
  return { sequence: row.sequence, shard: row.shard, partitionKey: row.partition_key, data: row.data, arrivedAt: row.arrived_at };
}

/** `data` as a Buffer over the same bytes (both drivers bind Buffers as blobs). */
export function dataBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
