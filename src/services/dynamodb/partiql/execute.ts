/**
 * ExecuteStatement, BatchExecuteStatement and ExecuteTransaction. Writes become the same write plans
 * PutItem, UpdateItem, DeleteItem and TransactWriteItems run (so conditions, item size, index keys,
 * stream records, TTL and item counts follow one set of rules); reads run Query, Scan or a key read.
 */
import { UnkaiError } from "../../../core/errors.js";
import { evaluate, project, type AttributeMap } from "../expressions/index.js";
import type { DynamoContext } from "../context.js";
import { writeOne } from "../item-operations.js";
import { itemOf } from "../keys.js";
import { clientToken, commitTransaction, transactionCapacity, type TransactPlan } from "../transactions.js";
import { parseStatement, type Returning, type Statement } from "./parse.js";
import { keyRead, planStatement } from "./plans.js";
import { executeSelect, type SelectOptions } from "./select.js";

type Select = Extract<Statement, { kind: "select" }>;
type Write = Exclude<Statement, { kind: "select" }>;

interface StatementInput extends SelectOptions {
  readonly ReturnValuesOnConditionCheckFailure?: string;
}

const duplicate = () => new UnkaiError("DuplicateItemException", "Duplicate primary key exists in table");

export async function executeStatement(ctx: DynamoContext, input: StatementInput): Promise<object> {
  const statement = parseStatement(input.Statement, input.Parameters);
  if (statement.kind === "select") return executeSelect(ctx, statement, input);
  const item = await write(ctx, statement, input.ReturnValuesOnConditionCheckFailure);
  return { Items: item === undefined ? [] : [item] };
}

/** Runs one write; the item RETURNING asks for, if any. */
async function write(ctx: DynamoContext, statement: Write, returnOnFailure: string | undefined): Promise<AttributeMap | undefined> {
  if (statement.kind === "exists") throw new UnkaiError("ValidationException", "EXISTS can only be used in ExecuteTransaction write requests.");
  const { plan } = await planStatement(ctx, statement, returnOnFailure);
  let result: Awaited<ReturnType<typeof writeOne>>;
  try {
    result = await writeOne(ctx, plan, returnOnFailure);
  } catch (error) {
    if (statement.kind === "insert" && error instanceof UnkaiError && error.code === "ConditionalCheckFailedException") throw duplicate();
    throw error;
  }
  if (statement.kind === "insert") return undefined;
  return returned(statement.returning, result.old, result.next, plan.updatedPaths);
}

function returned(returning: Returning | undefined, old: AttributeMap | undefined, next: AttributeMap | undefined, paths: Parameters<typeof project>[1]): AttributeMap | undefined {
  if (returning === undefined) return undefined;
  const image = returning.endsWith("OLD") ? old : next;
  if (image === undefined) return undefined;
  const item = returning.startsWith("UPDATED") ? project(image, paths) : image;
  return Object.keys(item).length === 0 ? undefined : item;
}

/** A key read of a batch or transaction: the item when it exists and passes the rest of the WHERE clause. */
async function readOne(ctx: DynamoContext, statement: Select): Promise<{ table: string; item: AttributeMap | undefined }> {
  const { table, key, filter } = await keyRead(ctx, statement);
  const [row] = await ctx.store.items([key]);
  return { table: table.name, item: shape(statement, itemOf(row), filter) };
}

function shape(statement: Select, item: AttributeMap | undefined, filter: Parameters<typeof evaluate>[0] | undefined): AttributeMap | undefined {
  if (item === undefined || (filter !== undefined && !evaluate(filter, item))) return undefined;
  return statement.projection === undefined ? item : project(item, statement.projection);
}

interface BatchStatement {
  readonly Statement: string;
  readonly Parameters?: unknown[];
  readonly ConsistentRead?: boolean;
  readonly ReturnValuesOnConditionCheckFailure?: string;
}

const BATCH_CODES: Record<string, string> = {
  ValidationException: "ValidationError",
  ConditionalCheckFailedException: "ConditionalCheckFailed",
  DuplicateItemException: "DuplicateItem",
  ResourceNotFoundException: "ResourceNotFound",
  TransactionConflictException: "TransactionConflict",
};

/** Each statement on its own, with its own error; a batch is all reads (by full key) or all writes. */
export async function batchExecuteStatement(ctx: DynamoContext, input: { Statements: BatchStatement[] }): Promise<object> {
  const parsed = input.Statements.map((request) => {
    try {
      return parseStatement(request.Statement, request.Parameters);
    } catch (error) {
      return asBatchError(error);
    }
  });
  const kinds = new Set(parsed.flatMap((s) => ("kind" in s ? [s.kind === "select" ? "read" : "write"] : [])));
  if (kinds.size > 1) throw new UnkaiError("ValidationException", "The entire batch must consist of either read statements or write statements, not both.");
  const responses: object[] = [];
  for (const [i, statement] of parsed.entries()) {
    if (!("kind" in statement)) {
      responses.push(statement);
      continue;
    }
    try {
      if (statement.kind === "select") {
        const { table, item } = await readOne(ctx, statement);
        responses.push({ TableName: table, ...(item === undefined ? {} : { Item: item }) });
      } else {
        await write(ctx, statement, input.Statements[i]?.ReturnValuesOnConditionCheckFailure);
        responses.push({ TableName: statement.source.table });
      }
    } catch (error) {
      responses.push({ TableName: statement.source.table, ...asBatchError(error) });
    }
  }
  return { Responses: responses };
}

function asBatchError(error: unknown): { Error: object } {
  if (!(error instanceof UnkaiError) || BATCH_CODES[error.code] === undefined) throw error;
  return { Error: { Code: BATCH_CODES[error.code], Message: error.message, ...error.extra } };
}

interface TransactionInput {
  readonly TransactStatements: { Statement: string; Parameters?: unknown[]; ReturnValuesOnConditionCheckFailure?: string }[];
  readonly ClientRequestToken?: string;
  readonly ReturnConsumedCapacity?: string;
}

/** All reads (each by full key, as of one moment) or all writes (all-or-nothing, reasons in order). */
export async function executeTransaction(ctx: DynamoContext, input: TransactionInput): Promise<object> {
  const statements = input.TransactStatements.map((s) => parseStatement(s.Statement, s.Parameters));
  const reads = statements.filter((s): s is Select => s.kind === "select");
  if (reads.length === statements.length) {
    const keyed: ({ statement: Select } & Awaited<ReturnType<typeof keyRead>>)[] = [];
    for (const statement of reads) {
      try {
        keyed.push({ statement, ...(await keyRead(ctx, statement)) });
      } catch (error) {
        if (error instanceof UnkaiError && error.message.startsWith("Where clause")) throw new UnkaiError("ValidationException", "Select statements within ExecuteTransaction must specify the primary key in the where clause.");
        throw error;
      }
    }
    const rows = await ctx.store.transact(keyed.map((k) => k.key), (current) => ({ writes: [], result: current }));
    return { Responses: rows.map((row, i) => {
      const read = keyed[i] as (typeof keyed)[number];
      const item = shape(read.statement, itemOf(row), read.filter);
      return item === undefined ? {} : { Item: item };
    }) };
  }
  if (reads.length > 0) throw new UnkaiError("ValidationException", "Unsupported operation in transaction.");
  const plans: TransactPlan[] = [];
  for (const [i, statement] of (statements as Write[]).entries()) plans.push(await planStatement(ctx, statement, input.TransactStatements[i]?.ReturnValuesOnConditionCheckFailure));
  const committed = await commitTransaction(ctx, plans, clientToken(ctx, "ExecuteTransaction", input.ClientRequestToken, input.TransactStatements));
  return transactionCapacity(input.ReturnConsumedCapacity, plans, committed);
}
