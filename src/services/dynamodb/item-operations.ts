/** PutItem, GetItem, UpdateItem and DeleteItem. */
import { project, type AttributeMap } from "./expressions/index.js";
import { consumed, errorWithMembers, itemTable, RequestExpressions, wireItem, type DynamoContext, type ExpressionInput } from "./context.js";
import { checkKey, itemOf, wireJsonOf } from "./keys.js";
import { invalid } from "./table-definition.js";
import { legacyProjection, refuseMixing } from "./legacy.js";
import { conditionHolds, planDelete, planPut, planUpdate, writesOf, type WritePlan } from "./write-plans.js";

interface ReturnOptions {
  readonly ReturnValues?: string;
  readonly ReturnValuesOnConditionCheckFailure?: string;
  readonly ReturnConsumedCapacity?: string;
}

interface Written {
  readonly old: AttributeMap | undefined;
  readonly next: AttributeMap | undefined;
  /** The write's capacity units: by the larger of the item before and after it, in DynamoDB's item size, per KB. */
  readonly units: number;
}

/** Runs one plan atomically: the condition, then the write; a failed condition carries the item when asked. */
export async function writeOne(ctx: DynamoContext, plan: WritePlan, returnOnFailure: string | undefined): Promise<Written> {
  return ctx.store.transact([plan.key], ([row]) => {
    const old = itemOf(row);
    if (!conditionHolds(plan, old)) {
      throw errorWithMembers("ConditionalCheckFailedException", "The conditional request failed", returnOnFailure === "ALL_OLD" && old !== undefined ? { Item: wireItem(old) } : {});
    }
    const next = plan.next(old);
    const writes = writesOf(plan, old, next, ctx.now());
    const [first] = writes;
    const sizeBytes = Math.max(row?.size ?? 0, first !== undefined && "put" in first ? first.put.size : 0);
    return { writes, result: { old, next: next === "keep" ? old : next, units: Math.max(1, Math.ceil(sizeBytes / 1024)) } };
  });
}

function checkReturnValues(value: string | undefined, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value)) throw invalid(`Return values set to invalid value: ${value}`);
}

export async function putItem(ctx: DynamoContext, input: Parameters<typeof planPut>[1] & ReturnOptions): Promise<object> {
  checkReturnValues(input.ReturnValues, ["NONE", "ALL_OLD"]);
  const plan = await planPut(ctx, input);
  const { old, units } = await writeOne(ctx, plan, input.ReturnValuesOnConditionCheckFailure);
  return { ...(input.ReturnValues === "ALL_OLD" && old !== undefined ? { Attributes: old } : {}), ...consumed(input.ReturnConsumedCapacity, plan.table.name, () => units) };
}

export async function deleteItem(ctx: DynamoContext, input: Parameters<typeof planDelete>[1] & ReturnOptions): Promise<object> {
  checkReturnValues(input.ReturnValues, ["NONE", "ALL_OLD"]);
  const plan = await planDelete(ctx, input);
  const { old, units } = await writeOne(ctx, plan, input.ReturnValuesOnConditionCheckFailure);
  return { ...(input.ReturnValues === "ALL_OLD" && old !== undefined ? { Attributes: old } : {}), ...consumed(input.ReturnConsumedCapacity, plan.table.name, () => units) };
}

export async function updateItem(ctx: DynamoContext, input: Parameters<typeof planUpdate>[1] & ReturnOptions): Promise<object> {
  checkReturnValues(input.ReturnValues, ["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"]);
  const plan = await planUpdate(ctx, input);
  const { old, next, units } = await writeOne(ctx, plan, input.ReturnValuesOnConditionCheckFailure);
  let attributes: AttributeMap | undefined;
  if (input.ReturnValues === "ALL_OLD") attributes = old;
  else if (input.ReturnValues === "ALL_NEW") attributes = next;
  else if (input.ReturnValues === "UPDATED_OLD" && old !== undefined) attributes = project(old, plan.updatedPaths);
  else if (input.ReturnValues === "UPDATED_NEW" && next !== undefined) attributes = project(next, plan.updatedPaths);
  const returned = attributes !== undefined && Object.keys(attributes).length > 0;
  return { ...(returned ? { Attributes: attributes } : {}), ...consumed(input.ReturnConsumedCapacity, plan.table.name, () => units) };
}

export interface GetItemInput extends ExpressionInput {
  readonly TableName: string;
  readonly Key: Record<string, unknown>;
  readonly ProjectionExpression?: string;
  readonly AttributesToGet?: string[];
  readonly ConsistentRead?: boolean;
  readonly ReturnConsumedCapacity?: string;
}

export async function getItem(ctx: DynamoContext, input: GetItemInput): Promise<object> {
  refuseMixing(input, ["AttributesToGet"], ["ProjectionExpression"]);
  const table = await itemTable(ctx, input.TableName);
  const expressions = new RequestExpressions(input);
  const projection = expressions.projection(input.ProjectionExpression) ?? legacyProjection(input.AttributesToGet);
  expressions.finish();
  const { key } = checkKey(table.name, table.schema, input.Key);
  const [row] = await ctx.store.items([key]);
  // A read's units: the whole item's DynamoDB size (a projection reads it all) per 4 KB, halved when eventually consistent.
  const units = () => Math.max(1, Math.ceil((row?.size ?? 0) / 4096)) / (input.ConsistentRead === true ? 1 : 2);
  // The whole item goes out as stored (its wire JSON, binaries in base64 as the wire has them), unparsed.
  if (row !== undefined && projection === undefined && ctx.rawItems === true) {
    return { Item: wireJsonOf(row), ...consumed(input.ReturnConsumedCapacity, table.name, units) };
  }
  const item = itemOf(row);
  return { ...(item === undefined ? {} : { Item: projection === undefined ? item : project(item, projection) }), ...consumed(input.ReturnConsumedCapacity, table.name, units) };
}
