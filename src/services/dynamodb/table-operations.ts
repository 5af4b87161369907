/** CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable, tags, TTL settings, DescribeLimits, DescribeEndpoints. */
import { randomUUID } from "node:crypto";
import { setTimeout } from "node:timers/promises";
import { UnkaiError } from "../../core/errors.js";
import { validationMessage } from "../../protocol/codecs/input-errors.js";
import { checkTableName, loadTable, tableNameOf, type DynamoContext, type LoadedTable } from "./context.js";
import {
  checkBilling,
  checkDefinitionsUsed,
  checkKeySchema,
  describeTable,
  invalid,
  type AttributeDefinition,
  type IndexDefinition,
  type KeySchemaElement,
  type TableDefinition,
} from "./table-definition.js";
import { checkStreamSpecification, streamLabel } from "./stream-records.js";
import { disablingStream, enablingStream, freshStreamMs, retiringStreams, streamTime } from "./table-streams.js";
import { keptSettings, mergedSetting, SETTINGS_MEMBERS, type SettingsInput } from "./table-settings.js";
import { createdPolicy } from "./resource-policies.js";
import { RECHECK_AFTER_MS, writeIndexEntries } from "./index-entries.js";
import { TABLE_CACHE_MAX_AGE_MS } from "./table-cache.js";
import { changeDefinition } from "./definition-changes.js";

interface CreateTableInput extends SettingsInput {
  readonly TableName: string;
  readonly KeySchema: KeySchemaElement[];
  readonly AttributeDefinitions: AttributeDefinition[];
  readonly BillingMode?: string;
  readonly ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
  readonly GlobalSecondaryIndexes?: IndexDefinition[];
  readonly LocalSecondaryIndexes?: IndexDefinition[];
  readonly StreamSpecification?: { StreamEnabled: boolean; StreamViewType?: string };
  readonly Tags?: { Key: string; Value: string }[];
  readonly DeletionProtectionEnabled?: boolean;
  readonly ResourcePolicy?: string;
}

const notFound = (name: string) => `Requested resource not found: Table: ${name} not found`;

export async function describe(ctx: DynamoContext, table: LoadedTable, status: "CREATING" | "ACTIVE" | "DELETING"): Promise<object> {
  return describeTable(table.definition, table.createdAt, status, table.arn, await ctx.store.stats(table.name));
}

/** DynamoDB's default quotas: each index adds an entry to every write of an item that carries its keys. */
const MAX_GLOBAL_INDEXES = 20;
const MAX_LOCAL_INDEXES = 5;

function checkGlobalIndexCount(indexes: readonly IndexDefinition[]): void {
  if (indexes.length > MAX_GLOBAL_INDEXES) throw invalid(`GlobalSecondaryIndex count exceeds the per-table limit of ${MAX_GLOBAL_INDEXES}`);
}

/** DynamoDB's rules for indexes: unique names, LSIs on the table's partition key of a table with a sort key. */
function checkIndexes(input: CreateTableInput): void {
  if ((input.LocalSecondaryIndexes ?? []).length > MAX_LOCAL_INDEXES) throw invalid(`Cannot have more than ${MAX_LOCAL_INDEXES} local secondary indexes per table`);
  checkGlobalIndexCount(input.GlobalSecondaryIndexes ?? []);
  const names = [...(input.GlobalSecondaryIndexes ?? []), ...(input.LocalSecondaryIndexes ?? [])].map((i) => i.IndexName);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw invalid(`One or more parameter values were invalid: Duplicate index name: ${duplicate}`);
  const tableHash = input.KeySchema.find((k) => k.KeyType === "HASH")?.AttributeName;
  if ((input.LocalSecondaryIndexes ?? []).length > 0 && !input.KeySchema.some((k) => k.KeyType === "RANGE")) {
    throw invalid("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");
  }
  for (const index of input.LocalSecondaryIndexes ?? []) {
    const hash = index.KeySchema.find((k) => k.KeyType === "HASH")?.AttributeName;
    if (hash !== tableHash) {
      throw invalid(`One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: ${index.IndexName}. index hash key: ${hash ?? ""}, table hash key: ${tableHash ?? ""}`);
    }
  }
}

/** A CreateTable's stream: enabled ones get their label now. */
function streamSettings(spec: CreateTableInput["StreamSpecification"], nowMs: number): Partial<TableDefinition> {
  if (spec === undefined) return {};
  checkStreamSpecification(spec);
  return spec.StreamEnabled ? { StreamSpecification: spec, LatestStreamLabel: streamLabel(nowMs) } : {};
}

/**
 * UpdateTable's StreamSpecification: enabling starts a new stream (a new label and ARN), disabling
 * stops appending to the current one, which stays readable for 24 hours (table-streams.ts), beside
 * any newer one. The view type of an enabled stream cannot change.
 */
async function updatedStream(ctx: DynamoContext, table: LoadedTable, spec: CreateTableInput["StreamSpecification"]): Promise<Partial<TableDefinition>> {
  if (spec === undefined) return {};
  checkStreamSpecification(spec);
  const enabled = table.definition.StreamSpecification?.StreamEnabled === true;
  if (spec.StreamEnabled && enabled) throw invalid(`Table already has an enabled stream: TableName: ${table.name}`);
  if (!spec.StreamEnabled && !enabled) throw invalid(`Table already has a disabled stream: TableName: ${table.name}`);
  return spec.StreamEnabled ? enablingStream(table.definition, spec, streamTime(ctx, await freshStreamMs(ctx, table.name))) : disablingStream(table.definition, streamTime(ctx));
}

/** CreateTable's members for global tables, which Unkai does not serve: refused by name rather than dropped. */
const GLOBAL_TABLE_MEMBERS = ["GlobalTableSourceArn", "GlobalTableSettingsReplicationMode"];

/**
 * CreateTable as the model allows it: only TableName is required there (a global table's replica takes its
 * schema from GlobalTableSourceArn), so the key schema and attribute definitions are checked here.
 */
type CreateTableRequest = Omit<CreateTableInput, "KeySchema" | "AttributeDefinitions"> & Partial<Pick<CreateTableInput, "KeySchema" | "AttributeDefinitions">>;

/** CreateTable's members every table that is no replica needs, refused as the model's own check words a missing member. */
function requiredSchema(request: CreateTableRequest): CreateTableInput {
  const { KeySchema, AttributeDefinitions } = request;
  if (KeySchema !== undefined && AttributeDefinitions !== undefined) return { ...request, KeySchema, AttributeDefinitions };
  const missing = [...(AttributeDefinitions === undefined ? ["attributeDefinitions"] : []), ...(KeySchema === undefined ? ["keySchema"] : [])];
  throw invalid(validationMessage(missing.map((path) => ({ path, kind: "required", value: "null", constraint: "Member must not be null", member: path }))));
}

export async function createTable(ctx: DynamoContext, request: CreateTableRequest): Promise<object> {
  const unsupported = GLOBAL_TABLE_MEMBERS.filter((name) => name in request);
  if (unsupported.length > 0) throw invalid(`Unkai's CreateTable does not support ${unsupported.join(", ")} (global tables) yet; see docs/compatibility/dynamodb.md`);
  const input = { ...requiredSchema(request), TableName: tableNameOf(ctx, request.TableName) };
  checkTableName(input.TableName);
  checkKeySchema(input.KeySchema, input.AttributeDefinitions);
  for (const index of [...(input.GlobalSecondaryIndexes ?? []), ...(input.LocalSecondaryIndexes ?? [])]) checkKeySchema(index.KeySchema, input.AttributeDefinitions);
  checkIndexes(input);
  const definition: TableDefinition = {
    TableName: input.TableName,
    TableId: randomUUID(),
    KeySchema: input.KeySchema,
    AttributeDefinitions: input.AttributeDefinitions,
    BillingMode: checkBilling(input.BillingMode, input.ProvisionedThroughput),
    ...(input.ProvisionedThroughput ? { ProvisionedThroughput: input.ProvisionedThroughput } : {}),
    ...(input.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: input.GlobalSecondaryIndexes } : {}),
    ...(input.LocalSecondaryIndexes ? { LocalSecondaryIndexes: input.LocalSecondaryIndexes } : {}),
    ...streamSettings(input.StreamSpecification, input.StreamSpecification?.StreamEnabled === true ? await freshStreamMs(ctx, input.TableName) : ctx.now()),
    ...(input.Tags ? { Tags: input.Tags } : {}),
    ...(input.DeletionProtectionEnabled ? { DeletionProtectionEnabled: true } : {}),
    ...keptSettings(input, {}, ctx.now()),
    ...(input.ResourcePolicy !== undefined ? { ResourcePolicy: createdPolicy(input.ResourcePolicy, ctx.now()) } : {}),
    // A new table is empty: its index entries are complete from its first write (index-entries.ts).
    IndexEntries: {},
  };
  checkDefinitionsUsed(definition);
  const createdAt = ctx.now();
  if (!(await ctx.store.createTable({ name: input.TableName, createdAt, definition: JSON.stringify(definition) }))) {
    throw new UnkaiError("ResourceInUseException", `Table already exists: ${input.TableName}`);
  }
  // Tables are usable at once; CreateTable still says CREATING, as DynamoDB does, and DescribeTable ACTIVE.
  const table = await loadTable(ctx, input.TableName);
  return { TableDescription: await describe(ctx, table, "CREATING") };
}

export async function describeTableOperation(ctx: DynamoContext, input: { TableName: string }): Promise<object> {
  const table = await loadTable(ctx, input.TableName, notFound(input.TableName));
  return { Table: await describe(ctx, table, table.definition.Restore?.InProgress === true ? "CREATING" : "ACTIVE") };
}

export async function listTables(ctx: DynamoContext, input: { ExclusiveStartTableName?: string; Limit?: number }): Promise<object> {
  const limit = input.Limit ?? 100;
  const records = await ctx.store.tables(input.ExclusiveStartTableName, limit + 1);
  const names = records.slice(0, limit).map((r) => r.name);
  return { TableNames: names, ...(records.length > limit ? { LastEvaluatedTableName: names[names.length - 1] } : {}) };
}

export async function deleteTable(ctx: DynamoContext, input: { TableName: string }): Promise<object> {
  const table = await loadTable(ctx, input.TableName, notFound(input.TableName));
  if (table.definition.DeletionProtectionEnabled) throw new UnkaiError("ValidationException", `Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.`);
  const description = await describe(ctx, table, "DELETING");
  await ctx.store.deleteTable(table.name, retiringStreams(table, streamTime(ctx)));
  ctx.tables?.forget(table.name);
  return { TableDescription: description };
}

interface UpdateTableInput extends SettingsInput {
  readonly TableName: string;
  readonly BillingMode?: string;
  readonly ProvisionedThroughput?: TableDefinition["ProvisionedThroughput"];
  readonly DeletionProtectionEnabled?: boolean;
  readonly AttributeDefinitions?: AttributeDefinition[];
  readonly GlobalSecondaryIndexUpdates?: { Create?: IndexDefinition; Delete?: { IndexName: string }; Update?: Pick<IndexDefinition, "IndexName" | "ProvisionedThroughput" | "OnDemandThroughput"> }[];
  readonly StreamSpecification?: CreateTableInput["StreamSpecification"];
}

const indexNotFound = (name: string) => new UnkaiError("ResourceNotFoundException", `Requested resource not found: Index: ${name} not found`);

/**
 * DynamoDB creates or deletes one GSI of a table at a time: two in one UpdateTable, or one while another
 * is still being filled (`Backfilling`), is refused with its LimitExceededException.
 */
function checkOneIndexChange(table: LoadedTable, input: UpdateTableInput): void {
  const changes = (input.GlobalSecondaryIndexUpdates ?? []).filter((update) => update.Create !== undefined || update.Delete !== undefined).length;
  const building = table.definition.IndexEntries?.backfilling ?? [];
  if (changes > 1 || (changes === 1 && building.length > 0)) {
    throw new UnkaiError("LimitExceededException", "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");
  }
}

/**
 * GlobalSecondaryIndexUpdates: Create (checked as at CreateTable; its entries are written before
 * UpdateTable answers), Update (its throughput settings, kept and described) and Delete.
 */
function updatedIndexes(table: LoadedTable, input: UpdateTableInput, definitions: AttributeDefinition[]): IndexDefinition[] | undefined {
  checkOneIndexChange(table, input);
  let indexes = [...(table.definition.GlobalSecondaryIndexes ?? [])];
  for (const update of input.GlobalSecondaryIndexUpdates ?? []) {
    if (update.Create) {
      const create = update.Create;
      if ([...indexes, ...(table.definition.LocalSecondaryIndexes ?? [])].some((i) => i.IndexName === create.IndexName)) {
        throw invalid(`One or more parameter values were invalid: Duplicate index name: ${create.IndexName}`);
      }
      checkKeySchema(create.KeySchema, definitions);
      indexes.push(create);
    } else if (update.Delete) {
      const name = update.Delete.IndexName;
      if (!indexes.some((i) => i.IndexName === name)) throw indexNotFound(name);
      indexes = indexes.filter((i) => i.IndexName !== name);
    } else if (update.Update) {
      const { IndexName: name, ProvisionedThroughput, OnDemandThroughput } = update.Update;
      if (!indexes.some((i) => i.IndexName === name)) throw indexNotFound(name);
      indexes = indexes.map((i) => (i.IndexName !== name ? i : {
        ...i,
        ...(ProvisionedThroughput ? { ProvisionedThroughput } : {}),
        OnDemandThroughput: mergedSetting(i.OnDemandThroughput, OnDemandThroughput),
      }));
    }
  }
  checkGlobalIndexCount(indexes);
  return indexes.length > 0 ? indexes : undefined;
}

/** UpdateTable's new definition of `table` as it is now (checked against it); index entries aside. */
async function updatedDefinition(ctx: DynamoContext, table: LoadedTable, input: UpdateTableInput): Promise<TableDefinition> {
  const billingMode = input.BillingMode === undefined ? table.definition.BillingMode : checkBilling(input.BillingMode, input.ProvisionedThroughput);
  const definitions = [...table.definition.AttributeDefinitions];
  for (const added of input.AttributeDefinitions ?? []) if (!definitions.some((d) => d.AttributeName === added.AttributeName)) definitions.push(added);
  return {
    ...table.definition,
    AttributeDefinitions: definitions,
    GlobalSecondaryIndexes: updatedIndexes(table, input, definitions),
    BillingMode: billingMode,
    ProvisionedThroughput: billingMode === "PAY_PER_REQUEST" ? undefined : (input.ProvisionedThroughput ?? table.definition.ProvisionedThroughput),
    DeletionProtectionEnabled: input.DeletionProtectionEnabled ?? table.definition.DeletionProtectionEnabled,
    ...keptSettings(input, table.definition, ctx.now()),
    ...(await updatedStream(ctx, table, input.StreamSpecification)),
  };
}

/** The GSIs a new definition creates and those it drops, by name and key schema: one deleted and created again under its name is both. */
function indexChanges(before: TableDefinition, after: TableDefinition): { created: string[]; gone: IndexDefinition[] } {
  const keyOf = (index: IndexDefinition) => JSON.stringify([index.IndexName, index.KeySchema]);
  const amongst = (indexes: readonly IndexDefinition[] | undefined) => new Set((indexes ?? []).map(keyOf));
  const had = amongst(before.GlobalSecondaryIndexes);
  const has = amongst(after.GlobalSecondaryIndexes);
  return {
    created: (after.GlobalSecondaryIndexes ?? []).filter((index) => !had.has(keyOf(index))).map((index) => index.IndexName),
    gone: (before.GlobalSecondaryIndexes ?? []).filter((index) => !has.has(keyOf(index))),
  };
}

export async function updateTable(ctx: DynamoContext, input: UpdateTableInput): Promise<object> {
  const table = await loadTable(ctx, input.TableName, notFound(input.TableName));
  const known = ["TableName", "BillingMode", "ProvisionedThroughput", "DeletionProtectionEnabled", "AttributeDefinitions", "GlobalSecondaryIndexUpdates", "StreamSpecification", ...SETTINGS_MEMBERS];
  const unsupported = Object.keys(input).filter((k) => !known.includes(k));
  if (unsupported.length > 0) throw invalid(`Unkai's UpdateTable does not change ${unsupported.join(", ")} yet; see docs/compatibility/dynamodb.md`);
  let changes: ReturnType<typeof indexChanges> = { created: [], gone: [] };
  const updated = await changeDefinition(ctx, table, async (current) => {
    const definition = await updatedDefinition(ctx, current, input);
    changes = indexChanges(current.definition, definition);
    // A table whose entries are kept gets the new index's now, while reads of it are refused, and once
    // more past every node's cached definition.
    if (changes.created.length === 0 || definition.IndexEntries === undefined) return definition;
    return { ...definition, IndexEntries: { recheckAfter: ctx.now() + RECHECK_AFTER_MS, backfilling: changes.created } };
  });
  const { created, gone } = changes;
  for (const index of gone) await ctx.store.dropIndex(table.name, index.IndexName);
  if (created.length === 0 || updated.definition.IndexEntries === undefined) return { TableDescription: await describe(ctx, updated, "ACTIVE") };
  // Another node may write under its cached definition, without the index, for a second yet: those items would miss it.
  if (ctx.sharedStore === true) await setTimeout(TABLE_CACHE_MAX_AGE_MS);
  await writeIndexEntries(ctx, updated);
  return { TableDescription: await describe(ctx, await backfilled(ctx, updated, created), "ACTIVE") };
}

/** Clears the backfilling mark of indexes whose entries are written, on the table's latest definition. */
function backfilled(ctx: DynamoContext, table: LoadedTable, indexes: readonly string[]): Promise<LoadedTable> {
  return changeDefinition(ctx, table, (latest) => {
    const kept = latest.definition.IndexEntries;
    if (kept?.backfilling === undefined) return undefined;
    const backfilling = kept.backfilling.filter((index) => !indexes.includes(index));
    const { backfilling: _done, ...rest } = kept;
    return { ...latest.definition, IndexEntries: backfilling.length > 0 ? { ...rest, backfilling } : rest };
  });
}

/** The table a ResourceArn names: an ARN of one of this account and Region's tables; anything else is not found. */
async function tableOfArn(ctx: DynamoContext, arn: string): Promise<LoadedTable> {
  const message = `Requested resource not found: ResourcArn: ${arn} not found`;
  if (!arn.startsWith("arn:")) throw new UnkaiError("ResourceNotFoundException", message);
  return loadTable(ctx, arn, message);
}

export async function tagResource(ctx: DynamoContext, input: { ResourceArn: string; Tags: { Key: string; Value: string }[] }): Promise<object> {
  await changeDefinition(ctx, await tableOfArn(ctx, input.ResourceArn), ({ definition }) => {
    const tags = new Map((definition.Tags ?? []).map((t) => [t.Key, t.Value]));
    for (const tag of input.Tags) tags.set(tag.Key, tag.Value);
    return { ...definition, Tags: [...tags].map(([Key, Value]) => ({ Key, Value })) };
  });
  return {};
}

export async function untagResource(ctx: DynamoContext, input: { ResourceArn: string; TagKeys: string[] }): Promise<object> {
  await changeDefinition(ctx, await tableOfArn(ctx, input.ResourceArn), ({ definition }) => ({ ...definition, Tags: (definition.Tags ?? []).filter((t) => !input.TagKeys.includes(t.Key)) }));
  return {};
}

export async function listTagsOfResource(ctx: DynamoContext, input: { ResourceArn: string }): Promise<object> {
  const table = await tableOfArn(ctx, input.ResourceArn);
  return { Tags: table.definition.Tags ?? [] };
}

export async function updateTimeToLive(ctx: DynamoContext, input: { TableName: string; TimeToLiveSpecification: { AttributeName: string; Enabled: boolean } }): Promise<object> {
  const spec = input.TimeToLiveSpecification;
  await changeDefinition(ctx, await loadTable(ctx, input.TableName, notFound(input.TableName)), ({ definition }) => {
    if (definition.TimeToLive?.Enabled === spec.Enabled) throw invalid(`TimeToLive is already ${spec.Enabled ? "enabled" : "disabled"}`);
    return { ...definition, TimeToLive: spec };
  });
  return { TimeToLiveSpecification: spec };
}

export async function describeTimeToLive(ctx: DynamoContext, input: { TableName: string }): Promise<object> {
  const table = await loadTable(ctx, input.TableName, notFound(input.TableName));
  const ttl = table.definition.TimeToLive;
  return { TimeToLiveDescription: ttl?.Enabled ? { TimeToLiveStatus: "ENABLED", AttributeName: ttl.AttributeName } : { TimeToLiveStatus: "DISABLED" } };
}

export function describeLimits(): object {
  return { AccountMaxReadCapacityUnits: 80_000, AccountMaxWriteCapacityUnits: 80_000, TableMaxReadCapacityUnits: 40_000, TableMaxWriteCapacityUnits: 40_000 };
}
