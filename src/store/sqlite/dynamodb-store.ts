/** SQLite DynamoDbStore: tables as rows, items keyed by the service's order-preserving key bytes. */
import type { DynamoDbStore, DynamoIndexedItemRow, DynamoIndexRange, DynamoItemKey, DynamoItemRow, DynamoItemWrite, DynamoRetiredStream, DynamoStreamAppend, DynamoTableRecord } from "../ports.js";
import { indexedItemFrom, indexReadSql, keyRangeClause, itemFrom, NOT_RETIRED, SQLITE_KEYS, retiredStreamFrom, streamRecordFrom, tableFrom, type IndexedItemRow, type ItemRow, type RetiredStreamRow, type StreamRecordRow, type TableRow } from "../rows/dynamodb-rows.js";
import type { SyncPort } from "./promised.js";
import { durably, type Db } from "./database.js";
import { groupCommit } from "./group-commit.js";
import Database, { type Statement } from "better-sqlite3";

/**
 * A table and its items as of one moment: a read transaction on a connection of its own (WAL lets it read
 * the snapshot it began with while the store's connection goes on writing), paged, so the event loop
 * turns between pages. A database in memory has no second connection: it is read whole at once.
 */
async function snapshotOf(db: Db, name: string, pageRows: number, page: (rows: DynamoItemRow[]) => Promise<void>): Promise<DynamoTableRecord | undefined> {
  const reader = db.memory ? db : new Database(db.name, { readonly: true, fileMustExist: true });
  try {
    if (!db.memory) reader.exec("BEGIN");
    // The first read fixes the snapshot.
    const table = reader.prepare<[string], TableRow>("SELECT * FROM dynamodb_tables WHERE name = ?").get(name);
    if (table === undefined) return undefined;
    const first = reader.prepare<[string, number], ItemRow>("SELECT * FROM dynamodb_items WHERE table_name = ? ORDER BY partition_key, sort_key LIMIT ?");
    const next = reader.prepare<[string, Buffer, Buffer, Buffer, number], ItemRow>(
      `SELECT * FROM dynamodb_items WHERE table_name = ? AND (partition_key > ? OR (partition_key = ? AND sort_key > ?))
       ORDER BY partition_key, sort_key LIMIT ?`,
    );
    const limit = db.memory ? Number.MAX_SAFE_INTEGER : pageRows;
    let rows = first.all(name, limit).map(itemFrom);
    while (rows.length > 0) {
      await page(rows);
      const last = rows[rows.length - 1] as DynamoItemRow;
      rows = rows.length < limit ? [] : next.all(name, last.partitionKey, last.partitionKey, last.sortKey, limit).map(itemFrom);
    }
    return tableFrom(table);
  } finally {
    if (!db.memory) reader.close();
  }
}

export function sqliteDynamoDbStore(db: Db): SyncPort<DynamoDbStore> {
  // Only what the key does not say (as an array, no row object): the key columns equal the bound key byte for byte.
  const getItem = db.prepare<[string, Buffer, Buffer], [string, number]>("SELECT item, size FROM dynamodb_items WHERE table_name = ? AND partition_key = ? AND sort_key = ?").raw();
  const putItem = db.prepare(
    `INSERT INTO dynamodb_items (table_name, partition_key, sort_key, item, size) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (table_name, partition_key, sort_key) DO UPDATE SET item = excluded.item, size = excluded.size`,
  );
  const deleteItem = db.prepare("DELETE FROM dynamodb_items WHERE table_name = ? AND partition_key = ? AND sort_key = ?");
  const deleteEntries = db.prepare("DELETE FROM dynamodb_index_entries WHERE table_name = ? AND item_partition_key = ? AND item_sort_key = ?");
  const insertEntry = db.prepare("INSERT OR REPLACE INTO dynamodb_index_entries VALUES (?, ?, ?, ?, ?, ?)");
  const getTable = db.prepare<[string], TableRow>("SELECT * FROM dynamodb_tables WHERE name = ?");
  const nextSequence = db.prepare<[string, string], { last: number }>(
    `INSERT INTO dynamodb_stream_sequences (stream, table_name, last) VALUES (?, ?, 1)
     ON CONFLICT (stream) DO UPDATE SET last = last + 1 RETURNING last`,
  );
  const insertRecord = db.prepare("INSERT INTO dynamodb_stream_records (stream, sequence, table_name, created_at, record) VALUES (?, ?, ?, ?, ?)");
  const append = (write: DynamoStreamAppend) => {
    const { last } = nextSequence.get(write.stream, write.table) as { last: number };
    insertRecord.run(write.stream, last, write.table, write.createdAt, write.record);
  };
  // A Query's statement differs only by which bounds it has and its order: a few dozen shapes, each prepared once.
  const queries = new Map<string, Statement<unknown[], unknown>>();
  const queryStatement = <R>(sql: string) => {
    let statement = queries.get(sql);
    if (statement === undefined) queries.set(sql, (statement = db.prepare<unknown[], unknown>(sql)));
    return statement as Statement<unknown[], R>;
  };
  const scanFirst = db.prepare<[string, number], ItemRow>("SELECT * FROM dynamodb_items WHERE table_name = ? ORDER BY partition_key, sort_key LIMIT ?");
  const scanAfter = db.prepare<[string, Buffer, Buffer, Buffer, number], ItemRow>(
    `SELECT * FROM dynamodb_items WHERE table_name = ? AND (partition_key > ? OR (partition_key = ? AND sort_key > ?))
     ORDER BY partition_key, sort_key LIMIT ?`,
  );
  // A table's items, index entries and stream records (DeleteTable removes them; CreateTable removes any a write racing a DeleteTable left).
  const clearTable = (name: string) => {
    db.prepare("DELETE FROM dynamodb_items WHERE table_name = ?").run(name);
    db.prepare("DELETE FROM dynamodb_index_entries WHERE table_name = ?").run(name);
    db.prepare(`DELETE FROM dynamodb_stream_records WHERE table_name = ? AND ${NOT_RETIRED}`).run(name);
    db.prepare(`DELETE FROM dynamodb_stream_sequences WHERE table_name = ? AND ${NOT_RETIRED}`).run(name);
  };
  const retire = db.prepare("INSERT OR REPLACE INTO dynamodb_retired_streams (stream, table_name, table_created_at, definition, retired_at) VALUES (?, ?, ?, ?, ?)");
  const apply = <T>(keys: readonly DynamoItemKey[], decide: (current: (DynamoItemRow | undefined)[]) => { writes: readonly DynamoItemWrite[]; result: T }) => {
    const { writes, result } = decide(keys.map(read));
    for (const write of writes) {
      if ("put" in write) {
        const { table, partitionKey, sortKey } = write.put;
        putItem.run(table, partitionKey, sortKey, write.put.item, write.put.size);
        if (write.indexes === undefined) continue;
        deleteEntries.run(table, partitionKey, sortKey);
        for (const entry of write.indexes) insertEntry.run(table, entry.index, entry.partitionKey, entry.sortKey, partitionKey, sortKey);
      } else if ("append" in write) append(write.append);
      else {
        deleteItem.run(write.delete.table, write.delete.partitionKey, write.delete.sortKey);
        deleteEntries.run(write.delete.table, write.delete.partitionKey, write.delete.sortKey);
      }
    }
    return result;
  };
  const getToken = db.prepare<[string, number], { digest: string }>("SELECT digest FROM dynamodb_client_tokens WHERE token = ? AND expires_at > ?");
  const putToken = db.prepare(
    `INSERT INTO dynamodb_client_tokens (token, digest, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (token) DO UPDATE SET digest = excluded.digest, expires_at = excluded.expires_at`,
  );
  const soon = groupCommit(db);
  const read = (key: DynamoItemKey): DynamoItemRow | undefined => {
    const found = getItem.get(key.table, key.partitionKey, key.sortKey);
    return found ? { table: key.table, partitionKey: key.partitionKey, sortKey: key.sortKey, item: found[0], size: found[1] } : undefined;
  };

  return {
    createTable: durably(db, (record: DynamoTableRecord) => {
      const created = db.prepare("INSERT OR IGNORE INTO dynamodb_tables (name, created_at, definition) VALUES (?, ?, ?)").run(record.name, record.createdAt, record.definition).changes === 1;
      if (created) clearTable(record.name);
      return created;
    }),
    table(name) {
      const row = getTable.get(name);
      return row ? tableFrom(row) : undefined;
    },
    tables: (afterName, limit) =>
      db
        .prepare<[string, number], TableRow>("SELECT * FROM dynamodb_tables WHERE name > ? ORDER BY name LIMIT ?")
        .all(afterName ?? "", limit)
        .map(tableFrom),
    updateTable: durably(db, (record: DynamoTableRecord, expected: string) =>
      db.prepare("UPDATE dynamodb_tables SET definition = ? WHERE name = ? AND created_at = ? AND definition = ?").run(record.definition, record.name, record.createdAt, expected).changes === 1),
    deleteTable: durably(db, (name: string, retired: readonly DynamoRetiredStream[] = []) => {
      if (db.prepare("DELETE FROM dynamodb_tables WHERE name = ?").run(name).changes === 0) return false;
      for (const r of retired) retire.run(r.stream, r.table.name, r.table.createdAt, r.table.definition, r.retiredAt);
      clearTable(name);
      return true;
    }),
    retiredStreams: () => db.prepare<[], RetiredStreamRow>("SELECT * FROM dynamodb_retired_streams ORDER BY stream").all().map(retiredStreamFrom),
    items: (keys) => keys.map(read),
    transact: (keys, decide) => soon(() => apply(keys, decide)),
    // One writer at a time: the token is read and stored inside the transaction that writes the items.
    transactOnce: (token, keys, decide) =>
      soon(() => {
        const seen = getToken.get(token.token, token.now);
        if (seen !== undefined) return { repeatOf: seen.digest };
        const result = apply(keys, decide);
        putToken.run(token.token, token.digest, token.expiresAt);
        return { result };
      }),
    forgetTokens: durably(db, (now: number) => db.prepare("DELETE FROM dynamodb_client_tokens WHERE expires_at <= ?").run(now).changes),
    query(range) {
      const { sql, params } = keyRangeClause(range, SQLITE_KEYS);
      const order = range.forward ? "ASC" : "DESC";
      return queryStatement<ItemRow>(`SELECT * FROM dynamodb_items WHERE ${sql} ORDER BY sort_key ${order} LIMIT ?`)
        .all(...params, range.limit)
        .map(itemFrom);
    },
    indexItems(range: DynamoIndexRange) {
      const { sql, params } = indexReadSql(range, SQLITE_KEYS);
      const statement = queryStatement<IndexedItemRow>(sql);
      const from = indexedItemFrom(range);
      if (range.limit === undefined) return statement.all(...params).map(from);
      const rows: DynamoIndexedItemRow[] = [];
      if (range.limit <= 0) return rows;
      for (const row of statement.iterate(...params)) if (rows.push(from(row)) >= range.limit) break;
      return rows;
    },
    dropIndex: durably(db, (table: string, index: string) => void db.prepare("DELETE FROM dynamodb_index_entries WHERE table_name = ? AND index_name = ?").run(table, index)),
    scan(table, after, limit) {
      if (after === undefined) return scanFirst.all(table, limit).map(itemFrom);
      return scanAfter.all(table, after.partitionKey, after.partitionKey, after.sortKey, limit).map(itemFrom);
    },
    stats(table) {
      const row = db.prepare<[string], { n: number; bytes: number | null }>("SELECT COUNT(*) AS n, SUM(size) AS bytes FROM dynamodb_items WHERE table_name = ?").get(table);
      return { itemCount: row?.n ?? 0, sizeBytes: row?.bytes ?? 0 };
    },
    snapshot: (name, pageRows, page) => snapshotOf(db, name, pageRows, page),
    streamRecords: (stream, afterSequence, limit) =>
      db
        .prepare<[string, number, number], StreamRecordRow>("SELECT sequence, created_at, record FROM dynamodb_stream_records WHERE stream = ? AND sequence > ? ORDER BY sequence LIMIT ?")
        .all(stream, afterSequence, limit)
        .map(streamRecordFrom),
    streamBounds(stream) {
      const latest = db.prepare<[string], { last: number }>("SELECT last FROM dynamodb_stream_sequences WHERE stream = ?").get(stream)?.last ?? 0;
      const oldest = db.prepare<[string], { first: number | null }>("SELECT MIN(sequence) AS first FROM dynamodb_stream_records WHERE stream = ?").get(stream)?.first;
      return { oldest: oldest ?? latest + 1, latest };
    },
    trimStreams: durably(db, (before: number) => {
      const gone = "stream IN (SELECT stream FROM dynamodb_retired_streams WHERE retired_at < ?)";
      // Two statements, so the age one keeps its index.
      const trimmed = db.prepare("DELETE FROM dynamodb_stream_records WHERE created_at < ?").run(before).changes + db.prepare(`DELETE FROM dynamodb_stream_records WHERE ${gone}`).run(before).changes;
      db.prepare(`DELETE FROM dynamodb_stream_sequences WHERE ${gone}`).run(before);
      db.prepare(`DELETE FROM dynamodb_stream_shards WHERE ${gone}`).run(before);
      db.prepare("DELETE FROM dynamodb_retired_streams WHERE retired_at < ?").run(before);
      return trimmed;
    }),
  };
}
