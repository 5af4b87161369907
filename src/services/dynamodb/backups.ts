/**
 * DynamoDB's on-demand backups: CreateBackup, DescribeBackup, ListBackups and DeleteBackup. A backup is
 * the table's definition and items as of one moment (the store's snapshot), its items a blob
 * (backup-items.ts) and its record a document by backup ARN, so it survives restarts and any node of a
 * cluster can restore it. CreateBackup answers once the blob is whole and the record stored, so every
 * backup it names is AVAILABLE. A deleted table keeps its backups, as on AWS. RestoreTableFromBackup is
 * restore.ts.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { UnkaiError } from "../../core/errors.js";
import type { DynamoBackupRecord } from "../../store/ports.js";
import { checkTableName, tableNameOf, type DynamoContext } from "./context.js";
import { BACKUP_BLOBS, writeBackupItems, type WrittenItems } from "./backup-items.js";
import { describedSettings } from "./table-settings.js";
import { invalid, tableArn, type IndexDefinition, type TableDefinition } from "./table-definition.js";

/** AWS's backup ARN: the table's ARN, `/backup/`, the creation time in ms (14 digits, zero-padded) and 8 hex digits. */
const BACKUP_ID = /^\d{14}-[0-9a-f]{8}$/;

/** The records and blobs backups live in: absent when the platform gives no blob store. */
export function backupsOf(ctx: DynamoContext): NonNullable<DynamoContext["backups"]> {
  if (ctx.backups === undefined) throw new UnkaiError("UnknownOperationException", "Backups are not served by this DynamoDB");
  return ctx.backups;
}

export function backupArn(table: string, createdAt: number, ctx: DynamoContext): string {
  return `${tableArn(ctx.account.region, ctx.account.accountId, table)}/backup/${String(createdAt).padStart(14, "0")}-${randomBytes(4).toString("hex")}`;
}

/** The backup a BackupArn names: a malformed ARN is a ValidationException, one that names no backup here BackupNotFoundException. */
export async function findBackup(ctx: DynamoContext, arn: string): Promise<DynamoBackupRecord> {
  const prefix = tableArn(ctx.account.region, ctx.account.accountId, "");
  const [table, id, ...rest] = arn.startsWith(prefix) ? arn.slice(prefix.length).split("/backup/") : [];
  if (table === undefined || id === undefined || rest.length > 0 || !BACKUP_ID.test(id) || !/^[a-zA-Z0-9_.-]{3,255}$/.test(table)) {
    // An ARN of another account or Region names no backup here; anything else is not a backup ARN at all.
    if (/^arn:aws[a-z-]*:dynamodb:[^:]*:[^:]*:table\/[a-zA-Z0-9_.-]{3,255}\/backup\/\d{14}-[0-9a-f]{8}$/.test(arn)) throw backupNotFound(arn);
    throw invalid(`Invalid BackupArn provided: ${arn}`);
  }
  const record = await backupsOf(ctx).records.get(arn);
  if (record === undefined) throw backupNotFound(arn);
  return record;
}

const backupNotFound = (arn: string) => new UnkaiError("BackupNotFoundException", `Backup not found for BackupArn: ${arn}`);

/** The creation time an ARN names (ListBackups' order and paging key, also for a backup deleted meanwhile). */
const createdAtOf = (arn: string) => Number(/\/backup\/(\d{14})-/.exec(arn)?.[1] ?? 0);

function details(record: DynamoBackupRecord, status: "AVAILABLE" | "DELETED"): object {
  return {
    BackupArn: record.arn,
    BackupName: record.name,
    BackupSizeBytes: record.sizeBytes,
    BackupStatus: status,
    BackupType: "USER",
    BackupCreationDateTime: new Date(record.createdAt),
  };
}

const throughputOf = (given: IndexDefinition["ProvisionedThroughput"]) => ({ ReadCapacityUnits: given?.ReadCapacityUnits ?? 0, WriteCapacityUnits: given?.WriteCapacityUnits ?? 0 });

/** DescribeBackup's BackupDescription: the table as it was backed up (SourceTableDetails, SourceTableFeatureDetails). */
function description(record: DynamoBackupRecord, status: "AVAILABLE" | "DELETED"): object {
  const definition = JSON.parse(record.definition) as TableDefinition;
  const sse = (describedSettings(definition, record.tableArn) as { SSEDescription?: object }).SSEDescription;
  const ttl = definition.TimeToLive;
  return {
    BackupDetails: details(record, status),
    SourceTableDetails: {
      TableName: record.tableName,
      TableId: definition.TableId,
      TableArn: record.tableArn,
      TableSizeBytes: record.sizeBytes,
      KeySchema: definition.KeySchema,
      TableCreationDateTime: new Date(record.tableCreatedAt),
      ProvisionedThroughput: throughputOf(definition.ProvisionedThroughput),
      ...(definition.OnDemandThroughput ? { OnDemandThroughput: definition.OnDemandThroughput } : {}),
      ItemCount: record.itemCount,
      BillingMode: definition.BillingMode,
    },
    SourceTableFeatureDetails: {
      ...(definition.LocalSecondaryIndexes ? { LocalSecondaryIndexes: definition.LocalSecondaryIndexes.map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection })) } : {}),
      ...(definition.GlobalSecondaryIndexes
        ? {
          GlobalSecondaryIndexes: definition.GlobalSecondaryIndexes.map(({ IndexName, KeySchema, Projection, ProvisionedThroughput, OnDemandThroughput }) => ({
            IndexName, KeySchema, Projection, ProvisionedThroughput: throughputOf(ProvisionedThroughput), ...(OnDemandThroughput ? { OnDemandThroughput } : {}),
          })),
        }
        : {}),
      ...(definition.StreamSpecification?.StreamEnabled ? { StreamDescription: definition.StreamSpecification } : {}),
      TimeToLiveDescription: ttl?.Enabled ? { TimeToLiveStatus: "ENABLED", AttributeName: ttl.AttributeName } : { TimeToLiveStatus: "DISABLED" },
      ...(sse ? { SSEDescription: sse } : {}),
    },
  };
}

/** Backups this node makes at once (each holds a store snapshot open). */
const MAX_BACKUPS_AT_ONCE = 4;

/** CreateBackup: the table's definition and items as of one moment, stored before it answers (so AVAILABLE). */
export async function createBackup(ctx: DynamoContext, input: { TableName: string; BackupName: string }): Promise<object> {
  const { records, blobs, writing } = backupsOf(ctx);
  const notFound = new UnkaiError("TableNotFoundException", `Table not found: ${input.TableName}`);
  const name = tableNameOrNone(ctx, input.TableName);
  if (name === undefined) throw notFound;
  if (!input.TableName.startsWith("arn:")) checkTableName(name);
  const current = await ctx.store.table(name);
  if (current === undefined) throw notFound;
  if ((JSON.parse(current.definition) as TableDefinition).Restore?.InProgress === true) {
    throw new UnkaiError("TableInUseException", `Table is being restored and cannot be backed up until the restore completes: ${name}`);
  }
  // Each backup holds a store snapshot open while it streams (on PostgreSQL, one of the node's pooled
  // connections): past a few at once, refuse rather than starve every other request of connections.
  if (writing.size >= MAX_BACKUPS_AT_ONCE) {
    throw new UnkaiError("LimitExceededException", `Too many backups are being made at once on this node (at most ${MAX_BACKUPS_AT_ONCE}); try again when one has finished.`);
  }
  const blob = `${BACKUP_BLOBS}${randomUUID()}`;
  // The backup is of the moment its snapshot begins.
  const createdAt = ctx.now();
  writing.add(blob);
  try {
    const items = await writeBackupItems(ctx.store, blobs, name, blob);
    if (items === undefined) throw notFound;
    const record = backupRecord(ctx, input.BackupName, name, createdAt, items, blob);
    await records.put(record.arn, record);
    return { BackupDetails: details(record, "AVAILABLE") };
  } finally {
    writing.delete(blob);
  }
}

function backupRecord(ctx: DynamoContext, backupName: string, name: string, createdAt: number, items: WrittenItems, blob: string): DynamoBackupRecord {
  return {
    arn: backupArn(name, createdAt, ctx),
    name: backupName,
    tableName: name,
    tableArn: tableArn(ctx.account.region, ctx.account.accountId, name),
    tableCreatedAt: items.table.createdAt,
    definition: items.table.definition,
    createdAt,
    itemCount: items.itemCount,
    sizeBytes: items.sizeBytes,
    blob,
  };
}

export async function describeBackup(ctx: DynamoContext, input: { BackupArn: string }): Promise<object> {
  return { BackupDescription: description(await findBackup(ctx, input.BackupArn), "AVAILABLE") };
}

/** Removes the record first, then the items: a crash between leaves only a blob no record names, for the sweep. */
export async function deleteBackup(ctx: DynamoContext, input: { BackupArn: string }): Promise<object> {
  const record = await findBackup(ctx, input.BackupArn);
  const { records, blobs } = backupsOf(ctx);
  if (!(await records.delete(record.arn))) throw backupNotFound(record.arn);
  await blobs.delete(record.blob);
  return { BackupDescription: description(record, "DELETED") };
}

interface ListBackupsInput {
  readonly TableName?: string;
  readonly Limit?: number;
  readonly TimeRangeLowerBound?: Date;
  readonly TimeRangeUpperBound?: Date;
  readonly ExclusiveStartBackupArn?: string;
  readonly BackupType?: "USER" | "SYSTEM" | "AWS_BACKUP" | "ALL";
}

/**
 * ListBackups, oldest first: of one table (by name or ARN, also one since deleted) or all, created at or
 * after TimeRangeLowerBound and before TimeRangeUpperBound. Every backup here is a USER backup, so SYSTEM
 * and AWS_BACKUP list none. Paged after ExclusiveStartBackupArn (by the time and ARN it names).
 */
export async function listBackups(ctx: DynamoContext, input: ListBackupsInput): Promise<object> {
  const { records } = backupsOf(ctx);
  const table = input.TableName === undefined ? undefined : (tableNameOrNone(ctx, input.TableName) ?? "\u0000");
  const lower = input.TimeRangeLowerBound?.getTime() ?? -Infinity;
  const upper = input.TimeRangeUpperBound?.getTime() ?? Infinity;
  if (lower > upper) throw invalid("TimeRangeUpperBound must be greater than or equal to TimeRangeLowerBound");
  const type = input.BackupType ?? "USER";
  const start = input.ExclusiveStartBackupArn;
  const after = (record: DynamoBackupRecord) => start === undefined || createdAtOf(record.arn) > createdAtOf(start) || (createdAtOf(record.arn) === createdAtOf(start) && record.arn > start);
  const matching = (await records.list())
    .filter((record) => (type === "USER" || type === "ALL") && (table === undefined || record.tableName === table) && record.createdAt >= lower && record.createdAt < upper && after(record))
    .sort((a, b) => a.createdAt - b.createdAt || (a.arn < b.arn ? -1 : 1));
  const page = input.Limit === undefined ? matching : matching.slice(0, input.Limit);
  const summaries = page.map((record) => ({
    TableName: record.tableName,
    TableId: (JSON.parse(record.definition) as TableDefinition).TableId,
    TableArn: record.tableArn,
    ...details(record, "AVAILABLE"),
  }));
  const last = page[page.length - 1];
  return { BackupSummaries: summaries, ...(page.length < matching.length && last !== undefined ? { LastEvaluatedBackupArn: last.arn } : {}) };
}

/** The table a TableName (a name or an ARN) names; undefined for an ARN of another account or Region, or of no table. */
function tableNameOrNone(ctx: DynamoContext, given: string): string | undefined {
  try {
    return tableNameOf(ctx, given);
  } catch {
    return undefined;
  }
}
