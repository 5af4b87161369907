/**
 * PostgreSQL ClusterStore: the node registry (one heartbeat row per node) and the change log a
 * trigger fills (migration 4) so every node can drop what it cached of a function another changed.
 * Polled, not LISTEN/NOTIFY: a NOTIFY takes a database-wide lock at commit (docs/cluster.md).
 */
import { randomUUID } from "node:crypto";
import type { ClusterNodeRow, ClusterStore } from "../ports.js";
import type { PgDb } from "./database.js";

/** Rows of nodes dead this long are removed from the registry (their leases were freed long before). */
const FORGET_AFTER_MS = 300_000;
/** Changes kept this long: a node that fell further behind than this drops its whole cache. */
const KEEP_CHANGES_MS = 600_000;
/**
 * Slot takes of this node in flight at once. A take may wait on its name's lock (every unreserved
 * invoke of the cluster shares one); waiting here instead of in the database keeps the rest of the
 * pool's connections free for everything else (acknowledging events, API reads).
 */
const SLOT_TAKERS = 2;

/** Runs at most `limit` of the given tasks at once, the others in arrival order. */
function atMost(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

interface NodeRow {
  id: string;
  address: string;
  started_at: number;
  heartbeat_at: number;
  leases: number;
}

export function pgClusterStore(db: PgDb, nodeId: string, deadAfterMs: number): ClusterStore {
  const takers = atMost(SLOT_TAKERS);
  return {
    nodeId,
    deadAfterMs,
    async heartbeat(address, startedAt, now) {
      await db.query(
        `INSERT INTO unkai_nodes (id, address, started_at, heartbeat_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET address = excluded.address, heartbeat_at = excluded.heartbeat_at`,
        [nodeId, address, startedAt, now],
      );
    },
    async leave() {
      await db.query("DELETE FROM unkai_slots WHERE node_id = $1", [nodeId]);
      await db.query("DELETE FROM unkai_nodes WHERE id = $1", [nodeId]);
    },
    async takeSlot(functionName, limit, now) {
      // One statement (migration 10): the advisory lock on the name, then the count of live slots
      // and the insert, committed at once; one round trip per invoke.
      const id = randomUUID();
      const { rows } = await takers(() => db.query<{ taken: boolean }>("SELECT unkai_take_slot($1, $2, $3, $4, $5, $6) AS taken", [
        id, functionName, nodeId, now, now - deadAfterMs, limit,
      ]));
      return rows[0]?.taken === true ? id : undefined;
    },
    async releaseSlot(id) {
      await db.query("DELETE FROM unkai_slots WHERE id = $1", [id]);
    },
    async signingKey(name, candidate, now) {
      await db.query(
        "INSERT INTO unkai_signing_keys (name, access_key_id, secret_access_key, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING",
        [name, candidate.accessKeyId, candidate.secretAccessKey, now],
      );
      const { rows } = await db.query<{ access_key_id: string; secret_access_key: string }>(
        "SELECT access_key_id, secret_access_key FROM unkai_signing_keys WHERE name = $1",
        [name],
      );
      const row = rows[0];
      if (!row) throw new Error(`signing key ${name} vanished after it was written`);
      return { accessKeyId: row.access_key_id, secretAccessKey: row.secret_access_key };
    },
    async sharedSecret(name, candidate, now) {
      const stored = async () => (await db.query<{ value: string }>("SELECT value FROM unkai_shared_secrets WHERE name = $1", [name])).rows[0]?.value;
      const existing = await stored();
      if (existing !== undefined) return existing;
      await db.query("INSERT INTO unkai_shared_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING", [name, await candidate(), now]);
      const value = await stored();
      if (value === undefined) throw new Error(`shared secret ${name} vanished after it was written`);
      return value;
    },
    async nodes(now) {
      await db.query("DELETE FROM unkai_slots WHERE node_id IN (SELECT id FROM unkai_nodes WHERE heartbeat_at < $1)", [now - FORGET_AFTER_MS]);
      await db.query("DELETE FROM unkai_nodes WHERE heartbeat_at < $1", [now - FORGET_AFTER_MS]);
      await db.query("DELETE FROM unkai_changes WHERE changed_at < $1", [now - KEEP_CHANGES_MS]);
      const { rows } = await db.query<NodeRow>(
        `SELECT n.id, n.address, n.started_at, n.heartbeat_at,
                (SELECT COUNT(*) FROM async_events e WHERE e.lease_owner = n.id AND e.lease_until > $1)::int
              + (SELECT COUNT(*) FROM schedule_timers t WHERE t.lease_owner = n.id AND t.lease_until > $1)::int
              + (SELECT COUNT(*) FROM shard_leases s WHERE s.owner = n.id AND s.lease_until > $1)::int AS leases
         FROM unkai_nodes n ORDER BY n.started_at, n.id`,
        [now],
      );
      return rows.map((row): ClusterNodeRow => ({ id: row.id, address: row.address, startedAt: row.started_at, heartbeatAt: row.heartbeat_at, leasesHeld: row.leases }));
    },
    async changePosition() {
      return (await db.query<{ n: number }>("SELECT n FROM unkai_change_counter WHERE id = 1")).rows[0]?.n ?? 0;
    },
    async changesSince(position) {
      const { rows } = await db.query<{ n: number; function_name: string; version: string | null }>(
        "SELECT n, function_name, version FROM unkai_changes WHERE n > $1 ORDER BY n LIMIT 1000",
        [position],
      );
      const last = rows.at(-1)?.n ?? position;
      // n is gap-free (the counter's update rolls back with its transaction): a gap means pruned rows.
      const missed = rows[0] !== undefined && rows[0].n !== position + 1;
      return { position: last, missed, changes: rows.map((row) => ({ functionName: row.function_name, version: row.version ?? undefined })) };
    },
  };
}
