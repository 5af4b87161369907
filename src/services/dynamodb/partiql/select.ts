/**
 * ExecuteStatement's SELECT: a Query when the WHERE clause pins the partition key (of the table or
 * the index) by `=` or `IN` at its top level — one Query per partition value, in the order written —
 * otherwise a Scan; the whole WHERE clause filters what is read; `ORDER BY <key> DESC` reads each
 * partition backwards (ScanIndexForward). Pages follow Query and Scan (`Limit`
 * items evaluated, 1 MB); NextToken carries the position and is bound to the statement it came from.
 */
import { createHash } from "node:crypto";
import { UnkaiError } from "../../../core/errors.js";
import type { Condition } from "../expressions/ast.js";
import { typeOf, type AttributeMap, type AttributeValue, type KeySchema } from "../expressions/index.js";
import { itemTable, wireItem, type DynamoContext, type LoadedTable } from "../context.js";
import { findIndex, indexViewsOf, type IndexView } from "../index-reads.js";
import { runQuery, runScan, type ReadAnswer } from "../reads.js";
import { attributeName, conjuncts, equality } from "./plans.js";
import type { Statement } from "./parse.js";

export interface SelectOptions {
  readonly Statement: string;
  readonly Parameters?: unknown[];
  readonly ConsistentRead?: boolean;
  readonly NextToken?: string;
  readonly Limit?: number;
  readonly ReturnConsumedCapacity?: string;
}

/** Where a paged SELECT stopped: the partition value it was reading (Query) and the key after which to go on. */
interface Position {
  readonly partition: number;
  readonly after: unknown;
}

const invalidToken = (message: string) => new UnkaiError("ValidationException", message);

function fingerprint(input: SelectOptions): string {
  return createHash("sha256").update(JSON.stringify([input.Statement, input.Parameters ?? []], (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v))).digest("base64url").slice(0, 16);
}

function encodeToken(input: SelectOptions, position: Position): string {
  return Buffer.from(JSON.stringify({ s: fingerprint(input), p: position.partition, k: position.after })).toString("base64");
}

function decodeToken(input: SelectOptions): Position | undefined {
  if (input.NextToken === undefined) return undefined;
  let decoded: { s?: unknown; p?: unknown; k?: unknown };
  try {
    decoded = JSON.parse(Buffer.from(input.NextToken, "base64").toString("utf8")) as typeof decoded;
  } catch {
    throw invalidToken("Invalid NextToken");
  }
  if (typeof decoded !== "object" || decoded === null || typeof decoded.p !== "number") throw invalidToken("Invalid NextToken");
  if (decoded.s !== fingerprint(input)) throw invalidToken("NextToken does not match request");
  return { partition: decoded.p, after: decoded.k };
}

/** The partition key values the WHERE clause pins at its top level (undefined: none, so a Scan). */
function partitionValues(where: Condition | undefined, schema: KeySchema): AttributeValue[] | undefined {
  const key = schema.partition;
  for (const term of conjuncts(where)) {
    const pinned = equality(term);
    if (pinned?.name === key.name) return [pinned.value].filter((v) => typeOf(v) === key.type);
    if (term.kind === "in" && attributeName(term.operand) === key.name && term.list.every((o) => o.kind === "value")) {
      const values = term.list.map((o) => (o as { value: AttributeValue }).value).filter((v) => typeOf(v) === key.type);
      return values.filter((v, i) => values.findIndex((w) => JSON.stringify(w) === JSON.stringify(v)) === i);
    }
  }
  return undefined;
}

/** A SELECT's index: an unknown one is refused without naming it, as AWS's PartiQL does (Query and Scan name it; AWS-verified). */
function indexOf(table: LoadedTable, name: string, consistentRead: boolean | undefined): IndexView {
  if (!indexViewsOf(table).some((view) => view.name === name)) throw new UnkaiError("ValidationException", "The table does not have the specified index");
  return findIndex(table, name, consistentRead);
}

export async function executeSelect(ctx: DynamoContext, statement: Extract<Statement, { kind: "select" }>, input: SelectOptions): Promise<object> {
  const table = await itemTable(ctx, statement.source.table);
  const indexName = statement.source.index;
  const schema = indexName === undefined ? table.schema : indexOf(table, indexName, input.ConsistentRead).schema;
  const start = decodeToken(input);
  const read = { TableName: table.name, IndexName: indexName, ConsistentRead: input.ConsistentRead, ReturnConsumedCapacity: input.ReturnConsumedCapacity };
  const parsed = { filter: statement.where, projection: statement.projection };
  const partitions = partitionValues(statement.where, schema);
  const order = statement.order;
  if (order !== undefined) {
    if (partitions === undefined) throw new UnkaiError("ValidationException", "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.");
    if (order.attribute !== schema.partition.name && order.attribute !== schema.sort?.name) throw new UnkaiError("ValidationException", `Variable reference ${order.attribute} in ORDER BY clause must be part of the primary key`);
  }
  if (partitions === undefined) {
    const page = await runScan(ctx, table, { ...read, Limit: input.Limit, ExclusiveStartKey: start?.after as Record<string, unknown> | undefined }, parsed);
    return response(page.Items ?? [], page, page.LastEvaluatedKey === undefined ? undefined : encodeToken(input, { partition: 0, after: wireItem(page.LastEvaluatedKey) }));
  }
  const items: AttributeMap[] = [];
  let last: ReadAnswer | undefined;
  for (let i = start?.partition ?? 0; i < partitions.length; i++) {
    const remaining = input.Limit === undefined ? undefined : input.Limit - (last?.ScannedCount ?? 0);
    if (remaining !== undefined && remaining <= 0) return response(items, last, encodeToken(input, { partition: i, after: undefined }));
    const after = i === start?.partition ? (start.after as Record<string, unknown> | undefined) : undefined;
    const keyCondition: Condition = { kind: "compare", operator: "=", left: { kind: "path", path: [{ name: schema.partition.name }] }, right: { kind: "value", value: partitions[i] as AttributeValue } };
    const page = await runQuery(ctx, table, { ...read, Limit: remaining, ExclusiveStartKey: after, ScanIndexForward: order?.descending !== true }, { ...parsed, keyCondition });
    items.push(...(page.Items ?? []));
    last = accumulate(last, page);
    if (page.LastEvaluatedKey !== undefined) return response(items, last, encodeToken(input, { partition: i, after: wireItem(page.LastEvaluatedKey) }), page.LastEvaluatedKey);
  }
  return response(items, last, undefined);
}

function accumulate(previous: ReadAnswer | undefined, page: ReadAnswer): ReadAnswer {
  if (previous === undefined) return page;
  return { ...page, Count: previous.Count + page.Count, ScannedCount: previous.ScannedCount + page.ScannedCount };
}

function response(items: AttributeMap[], page: ReadAnswer | undefined, nextToken: string | undefined, lastKey = page?.LastEvaluatedKey): object {
  return {
    Items: items,
    ...(nextToken === undefined ? {} : { NextToken: nextToken }),
    ...(nextToken !== undefined && lastKey !== undefined ? { LastEvaluatedKey: lastKey } : {}),
    ...(page?.ConsumedCapacity === undefined ? {} : { ConsumedCapacity: page.ConsumedCapacity }),
  };
}
