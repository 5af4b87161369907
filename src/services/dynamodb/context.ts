/** What DynamoDB's operations share: the store, the account, a clock, table lookup and per-request expression handling. */
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import { validationMessage } from "../../protocol/codecs/input-errors.js";
import type { DocumentStore, DynamoBackupRecord, DynamoDbStore, DynamoTableRecord } from "../../store/ports.js";
import type { BlobStore } from "../../store/blobs/blob-store.js";
import {
  ExpressionAttributes,
  parseCondition,
  parseProjection,
  parseUpdate,
  type AttributeMap,
  type Condition,
  type KeySchema,
  type Path,
  type UpdateActions,
} from "./expressions/index.js";
import { invalid, keySchemaOf, tableArn, type TableDefinition } from "./table-definition.js";
import { storedItem } from "./keys.js";
import type { TableCache } from "./table-cache.js";

export interface DynamoContext {
  readonly store: DynamoDbStore;
  readonly account: Account;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** Tables as item operations see them (absent: every lookup reads the store). */
  readonly tables?: TableCache<LoadedTable>;
  /** How long stream records and gone streams are kept (`--stream-retention-ms`; absent: AWS's 24 hours). */
  readonly streamRetentionMs?: number;
  /**
   * Whole items read may leave as their stored JSON (RawJson, the wire form) instead of parsed: set by
   * the service, whose answers go straight to the wire. Absent, operations answer parsed items.
   */
  readonly rawItems?: boolean;
  /**
   * Other nodes share the store (a cluster): each caches table definitions for up to a second
   * (TableCache), so a new index's entries are written only once none can still write without it.
   */
  readonly sharedStore?: boolean;
  /** On-demand backups: their records, and the blob store that holds their items (absent: backups are not served). */
  readonly backups?: {
    readonly records: DocumentStore<DynamoBackupRecord>;
    readonly blobs: BlobStore;
    /** Item blobs this node is writing whose records are not stored yet: the sweep leaves them (backup-items.ts). */
    readonly writing: Set<string>;
  };
}

export interface LoadedTable {
  readonly name: string;
  readonly createdAt: number;
  readonly definition: TableDefinition;
  /** The definition's text as the store has it: what a change compares against (definition-changes.ts). */
  readonly stored: string;
  readonly schema: KeySchema;
  readonly arn: string;
}

/**
 * The table as the store has it now, or DynamoDB's ResourceNotFoundException (`message` differs between
 * control and data plane). The control plane reads through this; item operations use `itemTable`.
 */
export async function loadTable(ctx: DynamoContext, given: string, message = "Requested resource not found"): Promise<LoadedTable> {
  const loadedAtMs = ctx.now();
  const name = tableNameOf(ctx, given, message);
  const record = await ctx.store.table(name);
  if (record === undefined) {
    ctx.tables?.forget(name);
    // Checked only now, so a table an earlier version let in under another name stays reachable; a
    // name read from an ARN was checked there, and an ARN that names no table is not found.
    if (given === name) checkTableName(name);
    throw new UnkaiError("ResourceNotFoundException", message);
  }
  const table = loadedTable(ctx, record);
  ctx.tables?.remember(name, table, loadedAtMs);
  return table;
}

/** A table as the store recorded it (a deleted one's, for its retired streams, too). */
export function loadedTable(ctx: DynamoContext, record: DynamoTableRecord): LoadedTable {
  const definition = JSON.parse(record.definition) as TableDefinition;
  return { name: record.name, createdAt: record.createdAt, definition, stored: record.definition, schema: keySchemaOf(definition.KeySchema, definition.AttributeDefinitions), arn: tableArn(ctx.account.region, ctx.account.accountId, record.name) };
}

/** The table for an item operation: from the cache while it is fresh (table-cache.ts), else from the store. */
export function itemTable(ctx: DynamoContext, given: string): Promise<LoadedTable> {
  const cached = ctx.tables?.get(given.startsWith("arn:") ? tableNameOf(ctx, given) : given);
  // Not an async function: a cached table (every warm item operation) is answered without another turn.
  if (cached === undefined) return loadTable(ctx, given).then(servable);
  return restoring(cached) ? Promise.reject(notServable()) : Promise.resolve(cached);
}

/** A table still being restored is CREATING: DynamoDB serves no item operation on a table that is not ACTIVE. */
const restoring = (table: LoadedTable) => table.definition.Restore?.InProgress === true;
const notServable = () => new UnkaiError("ResourceNotFoundException", "Requested resource not found");

function servable(table: LoadedTable): LoadedTable {
  if (restoring(table)) throw notServable();
  return table;
}

const TABLE_NAME = /^[a-zA-Z0-9_.-]+$/;
const TABLE_NAME_IN_ARN = /^[a-zA-Z0-9_.-]{3,255}$/;

/** DynamoDB's rules for a table name: 3 to 255 of `a-z A-Z 0-9 _ . -` (so no name reads as another table's ARN path). */
export function checkTableName(name: string): void {
  const length = name.length < 3 ? "Member must have length greater than or equal to 3" : name.length > 255 ? "Member must have length less than or equal to 255" : undefined;
  const pattern = TABLE_NAME.test(name) ? undefined : "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+";
  // A length alone gets DynamoDB's one-line message; with a bad character too, both are listed, length first, as AWS lists them.
  if (length !== undefined && pattern === undefined) throw invalid("TableName must be at least 3 characters long and at most 255 characters long");
  const violations = [length, pattern].filter((constraint) => constraint !== undefined);
  if (violations.length > 0) {
    throw invalid(validationMessage(violations.map((constraint) => ({ path: "tableName", kind: "pattern", value: `'${name}'`, constraint, member: "TableName" }))));
  }
}

/**
 * The table a request's TableName names: DynamoDB takes the table's name or its ARN. An ARN of another
 * account or Region, or of something other than a table, names no table here.
 */
export function tableNameOf(ctx: DynamoContext, given: string, message = "Requested resource not found"): string {
  if (!given.startsWith("arn:")) return given;
  const prefix = tableArn(ctx.account.region, ctx.account.accountId, "");
  const name = given.startsWith(prefix) ? given.slice(prefix.length) : "";
  if (!TABLE_NAME_IN_ARN.test(name)) throw new UnkaiError("ResourceNotFoundException", message);
  return name;
}

export interface ExpressionInput {
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, unknown>;
}

/** The members of a request that hold expressions. */
const EXPRESSION_MEMBERS = ["ConditionExpression", "UpdateExpression", "ProjectionExpression", "FilterExpression", "KeyConditionExpression"];

/** One request's expressions: each parsed against the request's names and values, which must all be used. */
export class RequestExpressions {
  private readonly attributes: ExpressionAttributes;
  private used = false;

  constructor(input: ExpressionInput) {
    // Without any expression, names or values are refused as unusable before they are checked (an empty map too).
    if (!EXPRESSION_MEMBERS.some((member) => (input as Record<string, unknown>)[member] !== undefined)) {
      if (input.ExpressionAttributeNames !== undefined) throw invalid("ExpressionAttributeNames can only be specified when using expressions");
      if (input.ExpressionAttributeValues !== undefined) throw invalid("ExpressionAttributeValues can only be specified when using expressions");
    }
    this.attributes = new ExpressionAttributes(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
  }

  condition(source: string | undefined, kind: string): Condition | undefined {
    if (source === undefined) return undefined;
    this.used = true;
    return parseCondition(source, kind, this.attributes);
  }

  update(source: string | undefined): UpdateActions | undefined {
    if (source === undefined) return undefined;
    this.used = true;
    return parseUpdate(source, this.attributes);
  }

  projection(source: string | undefined): Path[] | undefined {
    if (source === undefined) return undefined;
    this.used = true;
    return parseProjection(source, this.attributes);
  }

  /** After every expression of the request is parsed: names and values given must have been used. */
  finish(): void {
    const given = this.attributes.given;
    if (!this.used && given.names) throw invalid("ExpressionAttributeNames can only be specified when using expressions");
    if (!this.used && given.values) throw invalid("ExpressionAttributeValues can only be specified when using expressions");
    this.attributes.assertAllUsed();
  }
}

/** An item as JSON members for an error body (blobs in base64, as the wire carries them). */
export function wireItem(item: AttributeMap): unknown {
  return JSON.parse(storedItem(item));
}

/**
 * An error whose JSON body carries structured members beside the message (Item, CancellationReasons).
 * Beside a returned `Item` DynamoDB writes the message as `Message`, not its usual `message`.
 */
export function errorWithMembers(code: "ConditionalCheckFailedException" | "TransactionCanceledException", message: string, members: Record<string, unknown>): UnkaiError {
  const error = new UnkaiError(code, message, members as Record<string, string>);
  return code === "ConditionalCheckFailedException" && members.Item !== undefined ? Object.assign(error, { messageKey: "Message" }) : error;
}

/** ConsumedCapacity when asked for: DynamoDB's units (1 KB per write unit, 4 KB per read unit, half for eventual reads). */
export function consumed(returnConsumedCapacity: string | undefined, table: string, unitsOf: () => number): object {
  if (returnConsumedCapacity !== "TOTAL" && returnConsumedCapacity !== "INDEXES") return {};
  // Counted only when asked for: most requests do not ask, and counting sizes the item.
  const units = unitsOf();
  return { ConsumedCapacity: { TableName: table, CapacityUnits: units, ...(returnConsumedCapacity === "INDEXES" ? { Table: { CapacityUnits: units } } : {}) } };
}
