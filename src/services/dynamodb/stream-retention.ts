/**
 * Streams past their retention leave storage. A deleted table's retired streams go with
 * DynamoDbStore.trimStreams (one transaction with their retirement); a stream disabled by UpdateTable
 * is named only in its table's definition, so the sweep walks the tables and has the shard store
 * forget each one disabled longer ago than records are kept: its shard rollovers, counter and
 * records. The definition keeps naming it (unlisted) until UpdateTable next changes the table's
 * stream: the sweep only reads definitions, and forgetting a forgotten stream again deletes nothing.
 */
import { loadTable } from "./context.js";
import type { StreamsContext } from "./stream-shards.js";
import { goneStreamsOf, streamTime } from "./table-streams.js";

const TABLES_PER_PAGE = 100;

/** Forgets every disabled stream past its retention; says how many were looked at. */
export async function forgetGoneStreams(ctx: StreamsContext): Promise<number> {
  const at = streamTime(ctx);
  let forgotten = 0;
  let afterName: string | undefined;
  for (;;) {
    const records = await ctx.store.tables(afterName, TABLES_PER_PAGE);
    for (const record of records) {
      const table = await loadTable(ctx, record.name).catch(() => undefined);
      for (const arn of table === undefined ? [] : goneStreamsOf(table, at)) {
        await ctx.streamShards.forget(arn);
        forgotten++;
      }
    }
    if (records.length < TABLES_PER_PAGE) return forgotten;
    afterName = records[records.length - 1]?.name;
  }
}
