/**
 * SQLite ShardLeaseStore: one node owns the file, so one poller runs; a claim always hands the
 * lease to the claimer (a restarted process, under a new name, does not wait for its old lease).
 */
import type { ShardLeaseStore } from "../ports.js";
import { shardLeaseFrom, type ShardLeaseRow as Row } from "../rows/shard-lease-row.js";
import type { SyncPort } from "./promised.js";
import type { Db } from "./database.js";

export function sqliteShardLeaseStore(db: Db): SyncPort<ShardLeaseStore> {
  const claim = db.prepare<{ key: string; owner: string; leaseUntil: number }, Row>(
    `INSERT INTO shard_leases (key, owner, lease_until, token) VALUES (@key, @owner, @leaseUntil, 1)
     ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until,
       token = CASE WHEN shard_leases.owner = excluded.owner THEN shard_leases.token ELSE shard_leases.token + 1 END
     RETURNING *`,
  );
  const save = db.prepare("UPDATE shard_leases SET position = ? WHERE key = ? AND token = ?");
  const remove = db.prepare("DELETE FROM shard_leases WHERE substr(key, 1, ?) = ?");
  return {
    claim: (key, owner, _now, leaseUntil) => shardLeaseFrom(claim.get({ key, owner, leaseUntil }) as Row),
    savePosition: (key, token, position) => save.run(position, key, token).changes === 1,
    removePrefix: (prefix) => void remove.run(prefix.length, prefix),
  };
}
