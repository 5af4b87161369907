/** A DynamoDB table's definition as Unkai keeps it, CreateTable's checks, and DescribeTable's answer. */
import { UnkaiError } from "../../core/errors.js";
import type { KeySchema } from "./expressions/index.js";
import { describedSettings } from "./table-settings.js";
import type { KeptPolicy } from "./resource-policies.js";

export interface KeySchemaElement {
  readonly AttributeName: string;
  readonly KeyType: "HASH" | "RANGE";
}

export interface AttributeDefinition {
  readonly AttributeName: string;
  readonly AttributeType: "S" | "N" | "B";
}

export interface Projection {
  readonly ProjectionType?: "ALL" | "KEYS_ONLY" | "INCLUDE";
  readonly NonKeyAttributes?: string[];
}

export interface IndexDefinition {
  readonly IndexName: string;
  readonly KeySchema: KeySchemaElement[];
  readonly Projection: Projection;
  readonly ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
  /** A global index's on-demand ceilings: kept and described, never enforced (table-settings.ts). */
  readonly OnDemandThroughput?: { readonly MaxReadRequestUnits?: number; readonly MaxWriteRequestUnits?: number };
}

/** A stream UpdateTable disabled: its label, its view type and when (epoch ms). */
export interface DisabledStream {
  readonly Label: string;
  readonly ViewType: string;
  readonly DisabledAt: number;
}

/** What the store keeps as the table's definition (JSON). */
export interface TableDefinition {
  readonly TableName: string;
  readonly TableId: string;
  readonly KeySchema: KeySchemaElement[];
  readonly AttributeDefinitions: AttributeDefinition[];
  readonly BillingMode: "PROVISIONED" | "PAY_PER_REQUEST";
  readonly ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
  readonly GlobalSecondaryIndexes?: IndexDefinition[];
  readonly LocalSecondaryIndexes?: IndexDefinition[];
  readonly StreamSpecification?: { StreamEnabled: boolean; StreamViewType?: string };
  /** The label of the table's latest stream (kept after the stream is disabled: it stays readable). */
  readonly LatestStreamLabel?: string;
  /** Streams disabled in the last 24 hours, oldest first: still listed and readable (table-streams.ts). */
  readonly DisabledStreams?: DisabledStream[];
  readonly Tags?: { Key: string; Value: string }[];
  readonly TimeToLive?: { AttributeName: string; Enabled: boolean };
  readonly DeletionProtectionEnabled?: boolean;
  /** Kept and described, not acted on (table-settings.ts). */
  readonly TableClass?: { readonly Name: string; readonly UpdatedAt: number };
  readonly SSESpecification?: { readonly Enabled?: boolean; readonly SSEType?: string; readonly KMSMasterKeyId?: string };
  readonly OnDemandThroughput?: { readonly MaxReadRequestUnits?: number; readonly MaxWriteRequestUnits?: number };
  readonly WarmThroughput?: { readonly ReadUnitsPerSecond?: number; readonly WriteUnitsPerSecond?: number };
  /** The table's resource-based policy and, by stream label, its streams' (resource-policies.ts). */
  readonly ResourcePolicy?: KeptPolicy;
  readonly StreamPolicies?: Readonly<Record<string, KeptPolicy>>;
  /** Point-in-time recovery, when turned on (continuous-backups.ts): a setting only, no item history is kept. */
  readonly PointInTimeRecovery?: { readonly RecoveryPeriodInDays: number };
  /**
   * Set once every item's secondary index entries are stored (index-entries.ts): index reads use them.
   * A table from before Unkai kept entries has none until the sweep writes them. `recheckAfter` (epoch
   * ms): the sweep writes them once more then, for writes made under a definition without a new index.
   * `backfilling`: GSIs UpdateTable created whose entries are still being written for the items already
   * there (IndexStatus CREATING; reads of them are refused, as AWS refuses reads of a backfilling index).
   * Should the node die meanwhile, the recheck's pass writes them and clears the mark.
   */
  readonly IndexEntries?: { readonly recheckAfter?: number; readonly backfilling?: readonly string[] };
  /** A table RestoreTableFromBackup made (restore.ts): DescribeTable's RestoreSummary; CREATING while `InProgress`. */
  readonly Restore?: { readonly SourceBackupArn: string; readonly SourceTableArn: string; readonly RestoreDateTime: number; readonly InProgress: boolean };
  /** The Kinesis data streams the table's changes go to, and went to (kinesis-destinations.ts). */
  readonly KinesisDestinations?: readonly KinesisDestination[];
}

/** Where EnableKinesisStreamingDestination sends a table's item changes, and how far that got (kinesis-destinations.ts). */
export interface KinesisDestination {
  readonly StreamArn: string;
  /** ACTIVE captures changes; DISABLING forwards those captured before it, then is DISABLED; ENABLE_FAILED once the stream was gone. */
  readonly Status: "ACTIVE" | "DISABLING" | "DISABLED" | "ENABLE_FAILED";
  readonly Precision: "MILLISECOND" | "MICROSECOND";
  /** Epoch ms: names the store stream its changes are captured in (kinesisCaptureStream). */
  readonly EnabledAt: number;
  readonly StatusDescription?: string;
}

export const invalid = (message: string) => new UnkaiError("ValidationException", message);
const parameterInvalid = (message: string) => invalid(`One or more parameter values were invalid: ${message}`);

/** Whether a GSI's entries are still being written for the items that were there when it was created. */
export const isBackfilling = (definition: TableDefinition, index: string) => definition.IndexEntries?.backfilling?.includes(index) === true;

/** The key attributes of a key schema, typed from the attribute definitions. */
export function keySchemaOf(keySchema: readonly KeySchemaElement[], definitions: readonly AttributeDefinition[]): KeySchema {
  const typeOf = (name: string) => definitions.find((d) => d.AttributeName === name)?.AttributeType ?? "S";
  const hash = keySchema.find((k) => k.KeyType === "HASH") as KeySchemaElement;
  const range = keySchema.find((k) => k.KeyType === "RANGE");
  return {
    partition: { name: hash.AttributeName, type: typeOf(hash.AttributeName) },
    sort: range === undefined ? undefined : { name: range.AttributeName, type: typeOf(range.AttributeName) },
  };
}

/** CreateTable's checks on a key schema (the table's or an index's). */
export function checkKeySchema(keySchema: readonly KeySchemaElement[], definitions: readonly AttributeDefinition[]): void {
  const [first, second] = keySchema;
  if (first?.KeyType !== "HASH") throw invalid("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  if (second !== undefined && second.KeyType !== "RANGE") throw invalid("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
  if (second !== undefined && second.AttributeName === first.AttributeName) throw invalid("Both the Hash Key and the Range Key element in the KeySchema have the same name");
  const undefinedKeys = keySchema.filter((k) => !definitions.some((d) => d.AttributeName === k.AttributeName));
  if (undefinedKeys.length > 0) {
    throw parameterInvalid(
      `Some index key attributes are not defined in AttributeDefinitions. Keys: [${undefinedKeys.map((k) => k.AttributeName).join(", ")}], AttributeDefinitions: [${definitions.map((d) => d.AttributeName).join(", ")}]`,
    );
  }
}

/** Billing mode and throughput as CreateTable accepts them. */
export function checkBilling(mode: string | undefined, throughput: TableDefinition["ProvisionedThroughput"] | undefined): "PROVISIONED" | "PAY_PER_REQUEST" {
  const billing = mode === "PAY_PER_REQUEST" ? "PAY_PER_REQUEST" : "PROVISIONED";
  if (billing === "PROVISIONED" && throughput === undefined) {
    throw parameterInvalid("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
  }
  if (billing === "PAY_PER_REQUEST" && throughput !== undefined) {
    throw parameterInvalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
  }
  return billing;
}

/** Every attribute definition must be used by the table's or an index's key schema. */
export function checkDefinitionsUsed(definition: TableDefinition): void {
  const used = new Set([definition.KeySchema, ...(definition.GlobalSecondaryIndexes ?? []).map((i) => i.KeySchema), ...(definition.LocalSecondaryIndexes ?? []).map((i) => i.KeySchema)].flat().map((k) => k.AttributeName));
  if (definition.AttributeDefinitions.some((d) => !used.has(d.AttributeName)) || new Set(definition.AttributeDefinitions.map((d) => d.AttributeName)).size !== definition.AttributeDefinitions.length) {
    throw parameterInvalid("Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
  }
}

export function tableArn(region: string, accountId: string, name: string): string {
  return `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
}

function describeIndex(index: IndexDefinition, arn: string, global: boolean, stats: { itemCount: number; sizeBytes: number }, backfilling = false): object {
  return {
    IndexName: index.IndexName,
    KeySchema: index.KeySchema,
    Projection: index.Projection,
    IndexSizeBytes: stats.sizeBytes,
    ItemCount: stats.itemCount,
    IndexArn: `${arn}/index/${index.IndexName}`,
    ...(global
      ? {
        IndexStatus: backfilling ? "CREATING" : "ACTIVE",
        ...(backfilling ? { Backfilling: true } : {}),
        ProvisionedThroughput: { NumberOfDecreasesToday: 0, ReadCapacityUnits: index.ProvisionedThroughput?.ReadCapacityUnits ?? 0, WriteCapacityUnits: index.ProvisionedThroughput?.WriteCapacityUnits ?? 0 },
        ...(index.OnDemandThroughput ? { OnDemandThroughput: index.OnDemandThroughput } : {}),
      }
      : {}),
  };
}

function restoreSummary(restore: NonNullable<TableDefinition["Restore"]>): object {
  return { SourceBackupArn: restore.SourceBackupArn, SourceTableArn: restore.SourceTableArn, RestoreDateTime: new Date(restore.RestoreDateTime), RestoreInProgress: restore.InProgress };
}

/** DescribeTable's TableDescription. Index counts are the table's (an approximation DynamoDB also only refreshes every ~6 h). */
export function describeTable(
  definition: TableDefinition,
  createdAt: number,
  status: "CREATING" | "ACTIVE" | "DELETING",
  arn: string,
  stats: { itemCount: number; sizeBytes: number },
): object {
  const payPerRequest = definition.BillingMode === "PAY_PER_REQUEST";
  return {
    AttributeDefinitions: definition.AttributeDefinitions,
    TableName: definition.TableName,
    KeySchema: definition.KeySchema,
    TableStatus: status,
    CreationDateTime: new Date(createdAt),
    ProvisionedThroughput: {
      NumberOfDecreasesToday: 0,
      ReadCapacityUnits: definition.ProvisionedThroughput?.ReadCapacityUnits ?? 0,
      WriteCapacityUnits: definition.ProvisionedThroughput?.WriteCapacityUnits ?? 0,
    },
    TableSizeBytes: stats.sizeBytes,
    ItemCount: stats.itemCount,
    TableArn: arn,
    TableId: definition.TableId,
    ...(payPerRequest ? { BillingModeSummary: { BillingMode: "PAY_PER_REQUEST", LastUpdateToPayPerRequestDateTime: new Date(createdAt) } } : {}),
    ...(definition.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: definition.GlobalSecondaryIndexes.map((i) => describeIndex(i, arn, true, stats, isBackfilling(definition, i.IndexName))) } : {}),
    ...(definition.LocalSecondaryIndexes ? { LocalSecondaryIndexes: definition.LocalSecondaryIndexes.map((i) => describeIndex(i, arn, false, stats)) } : {}),
    ...(definition.StreamSpecification?.StreamEnabled ? { StreamSpecification: definition.StreamSpecification } : {}),
    ...(definition.LatestStreamLabel !== undefined ? { LatestStreamLabel: definition.LatestStreamLabel, LatestStreamArn: `${arn}/stream/${definition.LatestStreamLabel}` } : {}),
    DeletionProtectionEnabled: definition.DeletionProtectionEnabled ?? false,
    ...describedSettings(definition, arn),
    ...(definition.Restore ? { RestoreSummary: restoreSummary(definition.Restore) } : {}),
  };
}
