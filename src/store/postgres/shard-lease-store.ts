/**
 * PostgreSQL ShardLeaseStore: one row per (mapping, shard). A claim is one upsert whose row lock
 * serializes claimers; it takes the row over when its lease ended (by `now`) or its owner's heartbeat
 * stopped (judged by the clock, as the other leases' dead-node sweeps judge it).
 */
import type { ShardLeaseStore } from "../ports.js";
import { shardLeaseFrom, type ShardLeaseRow as Row } from "../rows/shard-lease-row.js";
import type { PgDb } from "./database.js";

export function pgShardLeaseStore(db: PgDb, deadAfterMs: number): ShardLeaseStore {
  return {
    async claim(key, owner, now, leaseUntil) {
      const { rows } = await db.query<Row>(
        `INSERT INTO shard_leases (key, owner, lease_until, token) VALUES ($1, $2, $4, 1)
         ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until,
           token = CASE WHEN shard_leases.owner = excluded.owner THEN shard_leases.token ELSE shard_leases.token + 1 END
         WHERE shard_leases.owner = excluded.owner OR shard_leases.lease_until <= $3
           OR shard_leases.owner NOT IN (SELECT id FROM unkai_nodes WHERE heartbeat_at > $5)
         RETURNING *`,
        [key, owner, now, leaseUntil, Date.now() - deadAfterMs],
      );
      return rows[0] ? shardLeaseFrom(rows[0]) : undefined;
    },
    savePosition: async (key, token, position) =>
      (await db.query("UPDATE shard_leases SET position = $1 WHERE key = $2 AND token = $3", [position, key, token])).rowCount === 1,
    async removePrefix(prefix) {
      await db.query("DELETE FROM shard_leases WHERE left(key, $1) = $2", [prefix.length, prefix]);
    },
  };
}
