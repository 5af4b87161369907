/** The shard_leases row, as both backends read it. */
import type { ShardLease } from "../ports.js";

export interface ShardLeaseRow {
  owner: string;
  lease_until: number;
  token: number;
  position: number | null;
}

export function shardLeaseFrom(row: ShardLeaseRow): ShardLease {
  return { owner: row.owner, leaseUntil: row.lease_until, token: row.token, position: row.position ?? undefined };
}
