/**
 * Time to Live: items whose TTL attribute (a Number of epoch seconds) is in the past are deleted in
 * the background, as DynamoDB does (AWS within days; Unkai within a sweep interval). An item whose
 * attribute is not a Number, or is missing, never expires. Each deletion re-checks the item in the
 * same store transaction, so a write that renewed it in the meantime wins; its stream record (in
 * that same transaction) carries the service identity DynamoDB gives TTL deletions.
 */
import type { DynamoItemRow } from "../../store/ports.js";
import { attributeOf, compareNumbers, parseNumber, type AttributeMap } from "./expressions/index.js";
import { loadTable, type DynamoContext, type LoadedTable } from "./context.js";
import { streamWrites, TTL_IDENTITY } from "./stream-records.js";
import { itemOf } from "./keys.js";

const BATCH_ROWS = 500;

function expired(item: AttributeMap | undefined, attribute: string, nowSeconds: string): boolean {
  const value = item === undefined ? undefined : attributeOf(item, attribute)?.N;
  return value !== undefined && compareNumbers(parseNumber(value), parseNumber(nowSeconds)) < 0;
}

/** Deletes every expired item of every table with TTL enabled; returns how many went. */
export async function expireItems(ctx: DynamoContext): Promise<number> {
  const nowSeconds = String(Math.floor(ctx.now() / 1000));
  let deleted = 0;
  let afterName: string | undefined;
  for (;;) {
    const tables = await ctx.store.tables(afterName, 100);
    for (const record of tables) {
      const table = await loadTable(ctx, record.name);
      const ttl = table.definition.TimeToLive;
      if (ttl?.Enabled) deleted += await expireTable(ctx, table, ttl.AttributeName, nowSeconds);
    }
    if (tables.length < 100) return deleted;
    afterName = tables[tables.length - 1]?.name;
  }
}

async function expireTable(ctx: DynamoContext, table: LoadedTable, attribute: string, nowSeconds: string): Promise<number> {
  let deleted = 0;
  let after: DynamoItemRow | undefined;
  for (;;) {
    const rows = await ctx.store.scan(table.name, after, BATCH_ROWS);
    const due = rows.filter((row) => expired(itemOf(row), attribute, nowSeconds));
    if (due.length > 0) {
      deleted += await ctx.store.transact(due, (current) => {
        const still = current.filter((row) => expired(itemOf(row), attribute, nowSeconds)) as DynamoItemRow[];
        // Each deletion's stream record names the service, not a caller, as DynamoDB's do.
        const writes = still.flatMap((row) => [{ delete: row }, ...streamWrites(table, itemOf(row), undefined, ctx.now(), TTL_IDENTITY)]);
        return { writes, result: still.length };
      });
    }
    if (rows.length < BATCH_ROWS) return deleted;
    after = rows[rows.length - 1];
  }
}
