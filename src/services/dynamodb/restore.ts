/**
 * RestoreTableFromBackup: a new table with the backup's definition (and the request's overrides) and its
 * items. As on AWS, the restored table keeps its keys, indexes, billing, throughput, encryption and table
 * class, but not the source's stream, Time to Live, tags, point-in-time recovery, resource policy or
 * deletion protection: those are set again on the new table (AWS's API reference lists them).
 *
 * The table is created first, marked `Restore.InProgress` (DescribeTable says CREATING and item
 * operations refuse it, as DynamoDB refuses a table that is not ACTIVE), then the items are written a
 * batch per store transaction through the write path every put takes (planPutItem, writesOf: the same
 * key, size and index entry rules; the new table has no stream, so no records), then the mark is cleared.
 * A failed restore deletes the table it began; a crash leaves it CREATING, for DeleteTable.
 */
import { randomUUID } from "node:crypto";
import { UnkaiError } from "../../core/errors.js";
import type { DynamoBackupRecord } from "../../store/ports.js";
import { checkTableName, loadTable, type DynamoContext, type LoadedTable } from "./context.js";
import { backupsOf, findBackup } from "./backups.js";
import { readBackupItems } from "./backup-items.js";
import { changeDefinition } from "./definition-changes.js";
import { planPutItem, writesOf } from "./write-plans.js";
import { checkBilling, checkKeySchema, invalid, type IndexDefinition, type TableDefinition } from "./table-definition.js";
import { keptSettings, type SettingsInput } from "./table-settings.js";
import { describe } from "./table-operations.js";

interface RestoreInput {
  readonly TargetTableName: string;
  readonly BackupArn: string;
  readonly BillingModeOverride?: "PROVISIONED" | "PAY_PER_REQUEST";
  readonly GlobalSecondaryIndexOverride?: IndexDefinition[];
  readonly LocalSecondaryIndexOverride?: IndexDefinition[];
  readonly ProvisionedThroughputOverride?: TableDefinition["ProvisionedThroughput"];
  readonly OnDemandThroughputOverride?: TableDefinition["OnDemandThroughput"];
  readonly SSESpecificationOverride?: SettingsInput["SSESpecification"];
}

/**
 * An index override keeps some of the backup's indexes (AWS: "should match existing secondary indexes"):
 * each must name one of them with the same key schema; its projection and throughput may differ.
 */
function overriddenIndexes(kind: string, backed: readonly IndexDefinition[] | undefined, override: readonly IndexDefinition[] | undefined): IndexDefinition[] | undefined {
  if (override === undefined) return backed === undefined ? undefined : [...backed];
  for (const index of override) {
    const original = backed?.find((i) => i.IndexName === index.IndexName);
    if (original === undefined) throw invalid(`One or more parameter values were invalid: ${kind} ${index.IndexName} is not an index of the backup`);
    if (JSON.stringify(original.KeySchema) !== JSON.stringify(index.KeySchema)) {
      throw invalid(`One or more parameter values were invalid: the KeySchema of ${kind} ${index.IndexName} differs from the backup's`);
    }
  }
  if (new Set(override.map((i) => i.IndexName)).size !== override.length) throw invalid("One or more parameter values were invalid: Duplicate index name");
  return override.length > 0 ? [...override] : undefined;
}

/** The restored table's definition: the backup's, with the overrides, without the settings AWS does not restore. */
function restoredDefinition(record: DynamoBackupRecord, input: RestoreInput, nowMs: number): TableDefinition {
  const source = JSON.parse(record.definition) as TableDefinition;
  const billing = input.BillingModeOverride ?? source.BillingMode;
  const throughput = billing === "PAY_PER_REQUEST" ? input.ProvisionedThroughputOverride : (input.ProvisionedThroughputOverride ?? source.ProvisionedThroughput);
  checkBilling(billing, throughput);
  const globals = overriddenIndexes("GlobalSecondaryIndex", source.GlobalSecondaryIndexes, input.GlobalSecondaryIndexOverride);
  const locals = overriddenIndexes("LocalSecondaryIndex", source.LocalSecondaryIndexes, input.LocalSecondaryIndexOverride);
  // Only the attributes the kept keys use stay defined (an index left out may have been the only user of one).
  const used = new Set([source.KeySchema, ...(globals ?? []).map((i) => i.KeySchema), ...(locals ?? []).map((i) => i.KeySchema)].flat().map((k) => k.AttributeName));
  const definitions = source.AttributeDefinitions.filter((d) => used.has(d.AttributeName));
  for (const index of [...(globals ?? []), ...(locals ?? [])]) checkKeySchema(index.KeySchema, definitions);
  const settings = keptSettings(
    { SSESpecification: input.SSESpecificationOverride, OnDemandThroughput: input.OnDemandThroughputOverride },
    { TableClass: source.TableClass, SSESpecification: source.SSESpecification, OnDemandThroughput: input.OnDemandThroughputOverride === undefined ? source.OnDemandThroughput : undefined },
    nowMs,
  );
  return {
    TableName: input.TargetTableName,
    TableId: randomUUID(),
    KeySchema: source.KeySchema,
    AttributeDefinitions: definitions,
    BillingMode: billing,
    ...(throughput ? { ProvisionedThroughput: throughput } : {}),
    ...(globals ? { GlobalSecondaryIndexes: globals } : {}),
    ...(locals ? { LocalSecondaryIndexes: locals } : {}),
    ...settings,
    // A new table: every item's index entries are written with it.
    IndexEntries: {},
    Restore: { SourceBackupArn: record.arn, SourceTableArn: record.tableArn, RestoreDateTime: nowMs, InProgress: true },
  };
}

/** The backup's items into the new table, a batch per store transaction, each put as PutItem would write it. */
async function writeItems(ctx: DynamoContext, table: LoadedTable, record: DynamoBackupRecord): Promise<void> {
  for await (const batch of readBackupItems(backupsOf(ctx).blobs, record.blob)) {
    const plans = batch.map((item) => planPutItem(table, item));
    const now = ctx.now();
    await ctx.store.transact(plans.map((plan) => plan.key), () => ({ writes: plans.flatMap((plan) => writesOf(plan, undefined, plan.next(undefined), now)), result: undefined }));
  }
}

export async function restoreTableFromBackup(ctx: DynamoContext, input: RestoreInput): Promise<object> {
  const name = input.TargetTableName;
  checkTableName(name);
  const record = await findBackup(ctx, input.BackupArn);
  const definition = restoredDefinition(record, input, ctx.now());
  if (!(await ctx.store.createTable({ name, createdAt: ctx.now(), definition: JSON.stringify(definition) }))) {
    const existing = await ctx.store.table(name);
    if (existing !== undefined && (JSON.parse(existing.definition) as TableDefinition).Restore?.InProgress === true) {
      throw new UnkaiError("TableInUseException", `Table is being restored: ${name}`);
    }
    throw new UnkaiError("TableAlreadyExistsException", `Table already exists: ${name}`);
  }
  ctx.tables?.forget(name);
  const created = await loadTable(ctx, name);
  try {
    await writeItems(ctx, created, record);
  } catch (error) {
    await ctx.store.deleteTable(name);
    ctx.tables?.forget(name);
    // The backup was deleted while it was being read: as if it had been gone before.
    if (!(await backupsOf(ctx).records.get(record.arn))) throw new UnkaiError("BackupNotFoundException", `Backup not found for BackupArn: ${record.arn}`);
    throw error;
  }
  const restored = await changeDefinition(ctx, created, (table) => {
    const restore = table.definition.Restore;
    return restore === undefined ? undefined : { ...table.definition, Restore: { ...restore, InProgress: false } };
  });
  // CREATING, as DynamoDB answers a restore (and CreateTable); the items are already in (RestoreInProgress false).
  return { TableDescription: await describe(ctx, restored, "CREATING") };
}
