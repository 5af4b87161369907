/**
 * Every change to a table's stored definition (UpdateTable, tags, TTL, resource policies, continuous
 * backups, index backfill marks) goes through here, as a compare-and-swap: the change is computed from
 * the definition as read and stored only if the definition is still that text. When another request,
 * or another node of a cluster, changed it meanwhile, the table is read again and the change computed
 * again from what is there now, so concurrent changes never overwrite each other (a TagResource beside
 * an UpdateTimeToLive, two UpdateTables) and each is checked against the definition it applies to.
 */
import { UnkaiError } from "../../core/errors.js";
import { loadTable, type DynamoContext, type LoadedTable } from "./context.js";
import type { TableDefinition } from "./table-definition.js";

/** A definition computed from the table as it is; undefined: nothing to store. */
export type DefinitionChange = (table: LoadedTable) => TableDefinition | undefined | Promise<TableDefinition | undefined>;

/** Tries before giving up: each lost try means another change was stored, so this is only reached under a flood of them. */
const MAX_TRIES = 50;

/**
 * Stores `change(table)` and drops the cached copy; answers the table as stored (unchanged when
 * `change` had nothing to store). A table deleted meanwhile is ResourceNotFoundException.
 */
export async function changeDefinition(ctx: DynamoContext, table: LoadedTable, change: DefinitionChange): Promise<LoadedTable> {
  const gone = `Requested resource not found: Table: ${table.name} not found`;
  let current = table;
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    const definition = await change(current);
    if (definition === undefined) return current;
    const stored = JSON.stringify(definition);
    if (await ctx.store.updateTable({ name: current.name, createdAt: current.createdAt, definition: stored }, current.stored)) {
      ctx.tables?.forget(current.name);
      return { ...current, definition, stored };
    }
    ctx.tables?.forget(current.name);
    const latest = await loadTable(ctx, current.name, gone);
    if (latest.createdAt !== current.createdAt) throw new UnkaiError("ResourceNotFoundException", gone);
    current = latest;
  }
  throw new UnkaiError("ResourceInUseException", `Attempt to change a resource which is still in use: Table is being updated: ${table.name}`);
}
