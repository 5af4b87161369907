/**
 * Secondary index entries: each write stores, beside its item and in the same transaction, the item's
 * key bytes in every index whose key attributes it carries (indexes are sparse), so an index read
 * (index-reads.ts) finds its partition's items without walking the table.
 *
 * A table created by this version has them from its first item (`IndexEntries` in its definition).
 * An index created by UpdateTable has them written for the table's items before UpdateTable answers,
 * and once more a moment later, for items another node wrote under its definition from before the
 * index (table-cache.ts keeps one for up to a second). A table from before Unkai kept entries gets
 * them from the background sweep, and is read by walking it until then.
 */
import { UnkaiError } from "../../core/errors.js";
import type { DynamoIndexEntry, DynamoItemRow } from "../../store/ports.js";
import type { AttributeMap } from "./expressions/index.js";
import { loadTable, type DynamoContext, type LoadedTable } from "./context.js";
import { hasKey, indexViewsOf } from "./index-reads.js";
import { fitsIndex, itemOf, keyBytes } from "./keys.js";
import { TABLE_CACHE_MAX_AGE_MS } from "./table-cache.js";
import { changeDefinition } from "./definition-changes.js";
import type { TableDefinition } from "./table-definition.js";

const BATCH_ROWS = 100;
/** How long after an index is created its entries are written once more: past every node's cached definition. */
export const RECHECK_AFTER_MS = 2 * TABLE_CACHE_MAX_AGE_MS;

/** The item's entries in its table's indexes; undefined for a table without indexes (nothing to keep). */
export function indexEntriesOf(table: LoadedTable, item: AttributeMap): DynamoIndexEntry[] | undefined {
  const views = indexViewsOf(table);
  if (views.length === 0) return undefined;
  const entries: DynamoIndexEntry[] = [];
  for (const view of views) {
    if (!hasKey(view.schema, item)) continue;
    const { partitionKey, sortKey } = keyBytes(view.schema, item);
    entries.push({ index: view.name, partitionKey, sortKey });
  }
  return entries;
}

/**
 * Writes every item's entries afresh from its current row, a batch of items per store transaction (a
 * write racing it is either before its batch, and read by it, or after, and writes its own entries).
 */
export async function writeIndexEntries(ctx: DynamoContext, table: LoadedTable): Promise<void> {
  const { GlobalSecondaryIndexes: globals = [], LocalSecondaryIndexes: locals = [] } = table.definition;
  const indexes = new Map([...globals, ...locals].map((index) => [index.IndexName, index]));
  /** The item's entries, but in an index its key cannot go into (a write would refuse it; a backfill leaves it out, as AWS's does). */
  const entriesOf = (item: AttributeMap) => (indexEntriesOf(table, item) ?? []).filter((entry) => {
    const index = indexes.get(entry.index);
    return index !== undefined && fitsIndex(table.definition, index, item);
  });
  let after: DynamoItemRow | undefined;
  for (;;) {
    const batch = await ctx.store.scan(table.name, after, BATCH_ROWS);
    if (batch.length > 0) {
      await ctx.store.transact(batch, (current) => ({
        writes: current.flatMap((row) => (row === undefined ? [] : [{ put: row, indexes: entriesOf(itemOf(row) as AttributeMap) }])),
        result: undefined,
      }));
    }
    if (batch.length < BATCH_ROWS) return;
    after = batch[batch.length - 1];
  }
}

const hasIndexes = (definition: TableDefinition) => (definition.GlobalSecondaryIndexes?.length ?? 0) + (definition.LocalSecondaryIndexes?.length ?? 0) > 0;
/** The table's indexes as one string, to see whether they changed. */
const indexesOf = (definition: TableDefinition) => JSON.stringify([definition.GlobalSecondaryIndexes, definition.LocalSecondaryIndexes]);

/**
 * The sweep's part: writes the entries of every table with indexes that has none yet (made before
 * Unkai kept them) or whose recheck is due, then marks it. A table whose indexes changed meanwhile is
 * left for the next sweep.
 */
export async function keepIndexEntries(ctx: DynamoContext): Promise<void> {
  // A table that fails is left for the next sweep; the others are still swept, and the failures reported after.
  const failures: unknown[] = [];
  let afterName: string | undefined;
  for (;;) {
    const tables = await ctx.store.tables(afterName, 100);
    for (const record of tables) await keepTableEntries(ctx, record.name, record.definition).catch((error: unknown) => failures.push(error));
    if (tables.length < 100) break;
    afterName = tables[tables.length - 1]?.name;
  }
  if (failures.length > 0) throw new AggregateError(failures, `writing the index entries of ${failures.length} table(s) failed`);
}

async function keepTableEntries(ctx: DynamoContext, name: string, stored: string): Promise<void> {
  const definition = JSON.parse(stored) as TableDefinition;
  const kept = definition.IndexEntries;
  const due = kept === undefined ? hasIndexes(definition) : kept.recheckAfter !== undefined && kept.recheckAfter <= ctx.now();
  if (!due) return;
  const table = await loadTable(ctx, name).catch(() => undefined);
  if (table === undefined || indexesOf(table.definition) !== indexesOf(definition)) return;
  await writeIndexEntries(ctx, table);
  // Marked only while the indexes are those whose entries were just written: changeDefinition reads the
  // table again if an UpdateTable changed it meanwhile, and then the mark is left for its own recheck.
  await changeDefinition(ctx, table, (current) => (indexesOf(current.definition) === indexesOf(definition) ? { ...current.definition, IndexEntries: {} } : undefined)).catch((error: unknown) => {
    if (!(error instanceof UnkaiError && error.code === "ResourceNotFoundException")) throw error;
  });
}
