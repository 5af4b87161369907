/**
 * ParallelizationFactor: a shard's records split into up to N lanes delivered concurrently. A record's
 * lane comes from its partition key, so one key's records always share a lane and keep their order.
 */
import type { EventSourceMapping } from "../core/event-source-mapping.js";
import type { ShardRecord } from "./shard-source.js";

/** The records in lanes by partition key (FNV-1a of the key), each lane in shard order; empty lanes dropped. */
export function splitIntoLanes(records: readonly ShardRecord[], factor: number): ShardRecord[][] {
  const lanes: ShardRecord[][] = Array.from({ length: factor }, () => []);
  for (const record of records) lanes[laneOf(record.partitionKey, factor)]?.push(record);
  return lanes.filter((lane) => lane.length > 0);
}

function laneOf(key: string, factor: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % factor;
}

/** A mapping's lanes: its ParallelizationFactor, or one with a tumbling window (the window's state is the shard's). */
export function laneCount(mapping: EventSourceMapping): number {
  return (mapping.tumblingWindowInSeconds ?? 0) > 0 ? 1 : (mapping.parallelizationFactor ?? 1);
}
