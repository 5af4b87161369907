/**
 * PostgreSQL DynamoDbStore: tables as rows, items keyed by the service's order-preserving key bytes
 * (`bytea` compares as unsigned bytes, like SQLite's BLOBs). A DynamoDB key may be longer than a B-tree
 * row allows (about 2.7 KB: a 2,048-byte partition key beside a 1,024-byte sort key), so the unique
 * indexes hold partition keys, and an index entry's item key, as `unkai_key_token` (migration 36):
 * the key itself up to 256 bytes, else its first 256 bytes and its SHA-256. Every statement compares
 * those columns through it (PG_KEYS), so it walks the index; sort keys stay bytes, in order.
 * `transact` locks the rows it reads, in key order so two transactions over the same items cannot
 * deadlock, and inserts of absent items are serialized by a transaction-scoped advisory lock per key.
 */
import type { DynamoDbStore, DynamoIndexRange, DynamoItemKey, DynamoItemRow, DynamoItemWrite } from "../ports.js";
import { indexedItemFrom, indexReadSql, keyRangeClause, itemFrom, NOT_RETIRED, type KeySql, retiredStreamFrom, streamRecordFrom, tableFrom, type IndexedItemRow, type ItemRow, type RetiredStreamRow, type StreamRecordRow, type TableRow } from "../rows/dynamodb-rows.js";
import type { PgDb, PgTx } from "./database.js";

/**
 * An entry's item is read in a LATERAL subquery, which names the entry and so cannot become a hash join:
 * an index page looks each of its entries' items up by key, and its LIMIT stops the walk of entries. As
 * a plain join, a page the planner expected to reach about the range's end was a hash join over every
 * item of the table (a Scan resumed late in the index; docs/cluster.md). LIMIT 1 (the key is unique)
 * keeps the subquery from being pulled up into a plain join.
 */
const PG_KEYS: KeySql = {
  placeholder: (n) => `$${n}`,
  key: (expression) => `unkai_key_token(${expression})`,
  itemOfEntry: (on) => `CROSS JOIN LATERAL (SELECT * FROM dynamodb_items i WHERE ${on} LIMIT 1) i`,
};

/** The statement indexItems runs for `range` and its parameters: indexReadSql's, under the range's LIMIT. */
export function indexPageSql(range: DynamoIndexRange): { sql: string; params: unknown[] } {
  const { sql, params } = indexReadSql(range, PG_KEYS);
  return range.limit === undefined ? { sql, params } : { sql: `${sql} LIMIT $${params.length + 1}`, params: [...params, range.limit] };
}

/** Where an item's row is: table, partition key (as its index holds it), sort key. */
const ITEM_KEY = "table_name = $1 AND unkai_key_token(partition_key) = unkai_key_token($2) AND sort_key = $3";
const ITEM_AT = `SELECT * FROM dynamodb_items WHERE ${ITEM_KEY}`;

const DELETE_ENTRIES = "DELETE FROM dynamodb_index_entries WHERE table_name = $1 AND unkai_key_token(item_partition_key) = unkai_key_token($2) AND unkai_key_token(item_sort_key) = unkai_key_token($3)";

const keyId = (key: DynamoItemKey) => `${key.table}:${key.partitionKey.toString("hex")}:${key.sortKey.toString("hex")}`;

async function readLocked(tx: PgTx, keys: readonly DynamoItemKey[]): Promise<(DynamoItemRow | undefined)[]> {
  const found = new Map<string, DynamoItemRow | undefined>();
  for (const id of [...new Set(keys.map(keyId))].sort()) {
    const key = keys.find((k) => keyId(k) === id) as DynamoItemKey;
    await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [id]);
    const row = (await tx.query<ItemRow>(`${ITEM_AT} FOR UPDATE`, [key.table, key.partitionKey, key.sortKey])).rows[0];
    found.set(id, row ? itemFrom(row) : undefined);
  }
  return keys.map((key) => found.get(keyId(key)));
}

async function applyWrite(tx: PgTx, write: DynamoItemWrite): Promise<void> {
  if ("put" in write) {
    const { table, partitionKey, sortKey, item, size } = write.put;
    await tx.query(
      `INSERT INTO dynamodb_items (table_name, partition_key, sort_key, item, size) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (table_name, unkai_key_token(partition_key), sort_key) DO UPDATE SET item = excluded.item, size = excluded.size`,
      [table, partitionKey, sortKey, item, size],
    );
    if (write.indexes === undefined) return;
    await tx.query(DELETE_ENTRIES, [table, partitionKey, sortKey]);
    for (const entry of write.indexes) {
      await tx.query(
        `INSERT INTO dynamodb_index_entries VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [table, entry.index, entry.partitionKey, entry.sortKey, partitionKey, sortKey],
      );
    }
  } else if ("append" in write) {
    // The counter row stays locked until commit, so a stream's sequence numbers commit in order:
    // a reader never sees 5 before 4 is visible.
    const { stream, table, createdAt, record } = write.append;
    const next = await tx.query<{ last: number }>(
      `INSERT INTO dynamodb_stream_sequences (stream, table_name, last) VALUES ($1, $2, 1)
       ON CONFLICT (stream) DO UPDATE SET last = dynamodb_stream_sequences.last + 1 RETURNING last`,
      [stream, table],
    );
    await tx.query("INSERT INTO dynamodb_stream_records (stream, sequence, table_name, created_at, record) VALUES ($1, $2, $3, $4, $5)", [
      stream, next.rows[0]?.last, table, createdAt, record,
    ]);
  } else {
    await tx.query(`DELETE FROM dynamodb_items WHERE ${ITEM_KEY}`, [write.delete.table, write.delete.partitionKey, write.delete.sortKey]);
    await tx.query(DELETE_ENTRIES, [write.delete.table, write.delete.partitionKey, write.delete.sortKey]);
  }
}

async function apply<T>(tx: PgTx, keys: readonly DynamoItemKey[], decide: (current: (DynamoItemRow | undefined)[]) => { writes: readonly DynamoItemWrite[]; result: T }): Promise<T> {
  const { writes, result } = decide(await readLocked(tx, keys));
  for (const write of writes) await applyWrite(tx, write);
  return result;
}

/** A table's rows in scan order: from the first, or after an item's key ($2, $3); the caller adds the LIMIT. */
const SCAN_FIRST = "SELECT * FROM dynamodb_items WHERE table_name = $1 ORDER BY unkai_key_token(partition_key), sort_key";
const SCAN_AFTER = `SELECT * FROM dynamodb_items WHERE table_name = $1 AND (unkai_key_token(partition_key), sort_key) > (unkai_key_token($2), $3)
  ORDER BY unkai_key_token(partition_key), sort_key`;

/** A table's items, index entries and stream records (DeleteTable removes them; CreateTable removes any a write racing a DeleteTable left). */
const CLEAR_TABLE = [
  "DELETE FROM dynamodb_items WHERE table_name = $1",
  "DELETE FROM dynamodb_index_entries WHERE table_name = $1",
  `DELETE FROM dynamodb_stream_records WHERE table_name = $1 AND ${NOT_RETIRED}`,
  `DELETE FROM dynamodb_stream_sequences WHERE table_name = $1 AND ${NOT_RETIRED}`,
];

export function pgDynamoDbStore(db: PgDb): DynamoDbStore {
  return {
    createTable: (record) =>
      db.transaction(async (tx) => {
        const created = (await tx.query("INSERT INTO dynamodb_tables (name, created_at, definition) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING", [
          record.name, record.createdAt, record.definition,
        ])).rowCount === 1;
        if (created) for (const sql of CLEAR_TABLE) await tx.query(sql, [record.name]);
        return created;
      }),
    async table(name) {
      const row = (await db.query<TableRow>("SELECT * FROM dynamodb_tables WHERE name = $1", [name])).rows[0];
      return row ? tableFrom(row) : undefined;
    },
    tables: async (afterName, limit) =>
      (await db.query<TableRow>("SELECT * FROM dynamodb_tables WHERE name > $1 ORDER BY name LIMIT $2", [afterName ?? "", limit])).rows.map(tableFrom),
    updateTable: async (record, expected) =>
      (await db.query("UPDATE dynamodb_tables SET definition = $1 WHERE name = $2 AND created_at = $3 AND definition = $4", [record.definition, record.name, record.createdAt, expected])).rowCount === 1,
    deleteTable: (name, retired = []) =>
      db.transaction(async (tx) => {
        if ((await tx.query("DELETE FROM dynamodb_tables WHERE name = $1", [name])).rowCount !== 1) return false;
        for (const r of retired) {
          await tx.query(
            `INSERT INTO dynamodb_retired_streams (stream, table_name, table_created_at, definition, retired_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (stream) DO UPDATE SET table_name = excluded.table_name, table_created_at = excluded.table_created_at, definition = excluded.definition, retired_at = excluded.retired_at`,
            [r.stream, r.table.name, r.table.createdAt, r.table.definition, r.retiredAt],
          );
        }
        for (const sql of CLEAR_TABLE) await tx.query(sql, [name]);
        return true;
      }),
    retiredStreams: async () => (await db.query<RetiredStreamRow>("SELECT * FROM dynamodb_retired_streams ORDER BY stream")).rows.map(retiredStreamFrom),
    async items(keys) {
      const rows: (DynamoItemRow | undefined)[] = [];
      for (const key of keys) {
        const row = (await db.query<ItemRow>(ITEM_AT, [key.table, key.partitionKey, key.sortKey])).rows[0];
        rows.push(row ? itemFrom(row) : undefined);
      }
      return rows;
    },
    transact: (keys, decide) => db.transaction((tx) => apply(tx, keys, decide)),
    transactOnce: (token, keys, decide) =>
      db.transaction(async (tx) => {
        // Taken before any item lock (as every token-bearing transaction does), so it cannot deadlock
        // with them; a second request under the token waits here and then sees the first's row.
        await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`dynamodb-token:${token.token}`]);
        const seen = (await tx.query<{ digest: string }>("SELECT digest FROM dynamodb_client_tokens WHERE token = $1 AND expires_at > $2", [token.token, token.now])).rows[0];
        if (seen !== undefined) return { repeatOf: seen.digest };
        const result = await apply(tx, keys, decide);
        await tx.query(
          `INSERT INTO dynamodb_client_tokens (token, digest, expires_at) VALUES ($1, $2, $3)
           ON CONFLICT (token) DO UPDATE SET digest = excluded.digest, expires_at = excluded.expires_at`,
          [token.token, token.digest, token.expiresAt],
        );
        return { result };
      }),
    forgetTokens: async (now) => (await db.query("DELETE FROM dynamodb_client_tokens WHERE expires_at <= $1", [now])).rowCount ?? 0,
    async query(range) {
      const { sql, params } = keyRangeClause(range, PG_KEYS);
      const order = range.forward ? "ASC" : "DESC";
      return (await db.query<ItemRow>(`SELECT * FROM dynamodb_items WHERE ${sql} ORDER BY sort_key ${order} LIMIT $${params.length + 1}`, [...params, range.limit])).rows.map(itemFrom);
    },
    async indexItems(range: DynamoIndexRange) {
      const { sql, params } = indexPageSql(range);
      return (await db.query<IndexedItemRow>(sql, params)).rows.map(indexedItemFrom(range));
    },
    async dropIndex(table, index) {
      await db.query("DELETE FROM dynamodb_index_entries WHERE table_name = $1 AND index_name = $2", [table, index]);
    },
    async scan(table, after, limit) {
      if (after === undefined) return (await db.query<ItemRow>(`${SCAN_FIRST} LIMIT $2`, [table, limit])).rows.map(itemFrom);
      return (await db.query<ItemRow>(`${SCAN_AFTER} LIMIT $4`, [table, after.partitionKey, after.sortKey, limit])).rows.map(itemFrom);
    },
    async stats(table) {
      const row = (await db.query<{ n: number; bytes: number | null }>("SELECT COUNT(*)::bigint AS n, SUM(size)::bigint AS bytes FROM dynamodb_items WHERE table_name = $1", [table])).rows[0];
      return { itemCount: row?.n ?? 0, sizeBytes: row?.bytes ?? 0 };
    },
    // One REPEATABLE READ transaction: every page reads the snapshot its first statement saw.
    snapshot: (name, pageRows, page) =>
      db.transaction(async (tx) => {
        await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        const table = (await tx.query<TableRow>("SELECT * FROM dynamodb_tables WHERE name = $1", [name])).rows[0];
        if (table === undefined) return undefined;
        let rows = (await tx.query<ItemRow>(`${SCAN_FIRST} LIMIT $2`, [name, pageRows])).rows.map(itemFrom);
        while (rows.length > 0) {
          await page(rows);
          const last = rows[rows.length - 1] as DynamoItemRow;
          rows = rows.length < pageRows ? [] : (await tx.query<ItemRow>(`${SCAN_AFTER} LIMIT $4`, [name, last.partitionKey, last.sortKey, pageRows])).rows.map(itemFrom);
        }
        return tableFrom(table);
      }),
    async streamRecords(stream, afterSequence, limit) {
      return (await db.query<StreamRecordRow>(
        "SELECT sequence, created_at, record FROM dynamodb_stream_records WHERE stream = $1 AND sequence > $2 ORDER BY sequence LIMIT $3",
        [stream, afterSequence, limit],
      )).rows.map(streamRecordFrom);
    },
    async streamBounds(stream) {
      const latest = (await db.query<{ last: number }>("SELECT last FROM dynamodb_stream_sequences WHERE stream = $1", [stream])).rows[0]?.last ?? 0;
      const oldest = (await db.query<{ first: number | null }>("SELECT MIN(sequence) AS first FROM dynamodb_stream_records WHERE stream = $1", [stream])).rows[0]?.first;
      return { oldest: oldest ?? latest + 1, latest };
    },
    trimStreams: (before) =>
      db.transaction(async (tx) => {
        const gone = "stream IN (SELECT stream FROM dynamodb_retired_streams WHERE retired_at < $1)";
        // Two statements, so the age one keeps its index.
        let trimmed = (await tx.query("DELETE FROM dynamodb_stream_records WHERE created_at < $1", [before])).rowCount ?? 0;
        trimmed += (await tx.query(`DELETE FROM dynamodb_stream_records WHERE ${gone}`, [before])).rowCount ?? 0;
        await tx.query(`DELETE FROM dynamodb_stream_sequences WHERE ${gone}`, [before]);
        await tx.query(`DELETE FROM dynamodb_stream_shards WHERE ${gone}`, [before]);
        await tx.query("DELETE FROM dynamodb_retired_streams WHERE retired_at < $1", [before]);
        return trimmed;
      }),
  };
}
