/**
 * A write to one item, decided before the store is touched: its key, its condition, and how the
 * next item follows from the current one. PutItem, UpdateItem, DeleteItem, BatchWriteItem and
 * TransactWriteItems all build these, so each rule is written once.
 */
import type { DynamoItemKey, DynamoItemWrite } from "../../store/ports.js";
import { applyUpdate, checkMap, evaluate, type AttributeMap, type Condition, type Path, type UpdateActions } from "./expressions/index.js";
import { itemTable, RequestExpressions, type DynamoContext, type ExpressionInput, type LoadedTable } from "./context.js";
import { checkIndexKeys, checkItemSize, checkKey, keyOfItem, rowOf } from "./keys.js";
import { invalid } from "./table-definition.js";
import { streamWrites } from "./stream-records.js";
import { indexEntriesOf } from "./index-entries.js";
import { legacyCondition, legacyUpdates, refuseMixing, type LegacyCondition } from "./legacy.js";

export interface WritePlan {
  readonly table: LoadedTable;
  readonly key: DynamoItemKey;
  readonly condition: Condition | undefined;
  /** The item after the write: undefined deletes it, "keep" leaves it (ConditionCheck). */
  readonly next: (current: AttributeMap | undefined) => AttributeMap | undefined | "keep";
  /** The paths an update touched (for UPDATED_OLD / UPDATED_NEW). */
  readonly updatedPaths: readonly Path[];
}

export interface ConditionalInput extends ExpressionInput {
  readonly TableName: string;
  readonly ConditionExpression?: string;
  /** The legacy form of ConditionExpression. */
  readonly Expected?: Record<string, LegacyCondition>;
  readonly ConditionalOperator?: string;
}

/** ConditionExpression, or the legacy Expected (never both). */
function conditionOf(input: ConditionalInput, expressions: RequestExpressions): Condition | undefined {
  refuseMixing(input, ["Expected", "AttributeUpdates"], ["ConditionExpression", "UpdateExpression"]);
  return expressions.condition(input.ConditionExpression, "ConditionExpression") ?? legacyCondition(input.Expected, input.ConditionalOperator, true);
}

export async function planPut(ctx: DynamoContext, input: ConditionalInput & { Item: Record<string, unknown> }): Promise<WritePlan> {
  const table = await itemTable(ctx, input.TableName);
  const item = checkMap(input.Item);
  const plan = planPutItem(table, item);
  const expressions = new RequestExpressions(input);
  const condition = conditionOf(input, expressions);
  expressions.finish();
  return { ...plan, condition };
}

/** An unconditional put of a whole item into `table`, checked as PutItem checks it (a restore's items, restore.ts). */
export function planPutItem(table: LoadedTable, item: AttributeMap): WritePlan {
  const key = keyOfItem(table.name, table.schema, item);
  checkItemSize(item);
  checkIndexKeys(table.definition, item);
  return { table, key, condition: undefined, next: () => item, updatedPaths: [] };
}

export async function planDelete(ctx: DynamoContext, input: ConditionalInput & { Key: Record<string, unknown> }): Promise<WritePlan> {
  const table = await itemTable(ctx, input.TableName);
  const expressions = new RequestExpressions(input);
  const condition = conditionOf(input, expressions);
  expressions.finish();
  const { key } = checkKey(table.name, table.schema, input.Key);
  return { table, key, condition, next: () => undefined, updatedPaths: [] };
}

export async function planConditionCheck(ctx: DynamoContext, input: ConditionalInput & { Key: Record<string, unknown> }): Promise<WritePlan> {
  const table = await itemTable(ctx, input.TableName);
  const expressions = new RequestExpressions(input);
  const condition = conditionOf(input, expressions);
  expressions.finish();
  const { key } = checkKey(table.name, table.schema, input.Key);
  return { table, key, condition, next: () => "keep", updatedPaths: [] };
}

function touchedPaths(actions: UpdateActions | undefined): Path[] {
  if (actions === undefined) return [];
  return [...actions.set.map((a) => a.path), ...actions.remove, ...actions.add.map((a) => a.path), ...actions.delete.map((a) => a.path)];
}

export async function planUpdate(
  ctx: DynamoContext,
  input: ConditionalInput & { Key: Record<string, unknown>; UpdateExpression?: string; AttributeUpdates?: Record<string, { Action?: string; Value?: unknown }> },
): Promise<WritePlan> {
  const table = await itemTable(ctx, input.TableName);
  // DynamoDB checks the expressions before the key.
  const expressions = new RequestExpressions(input);
  const actions = expressions.update(input.UpdateExpression) ?? legacyUpdates(input.AttributeUpdates);
  const condition = conditionOf(input, expressions);
  expressions.finish();
  const { key, attributes } = checkKey(table.name, table.schema, input.Key);
  return planUpdateActions(table, key, attributes, actions, condition);
}

/** An update once its actions and condition are parsed (UpdateItem's expressions, or a PartiQL UPDATE). */
export function planUpdateActions(table: LoadedTable, key: DynamoItemKey, attributes: AttributeMap, actions: UpdateActions | undefined, condition: Condition | undefined): WritePlan {
  const updatedPaths = touchedPaths(actions);
  const keyNames = [table.schema.partition.name, table.schema.sort?.name];
  for (const path of updatedPaths) {
    const top = path[0];
    if (top !== undefined && "name" in top && keyNames.includes(top.name)) {
      throw invalid(`One or more parameter values were invalid: Cannot update attribute ${top.name}. This attribute is part of the key`);
    }
  }
  const next = (current: AttributeMap | undefined) => {
    const updated = actions === undefined ? { ...(current ?? {}) } : applyUpdate(current, actions);
    const item = { ...updated, ...attributes };
    checkItemSize(item);
    checkIndexKeys(table.definition, item);
    return item;
  };
  return { table, key, condition, next, updatedPaths };
}

/** Whether the plan's condition holds on the current item (absent: an empty item). */
export function conditionHolds(plan: WritePlan, current: AttributeMap | undefined): boolean {
  return plan.condition === undefined || evaluate(plan.condition, current ?? {});
}

/** The store writes that take the item from `old` to `next`, with its stream record when the table has a stream. */
export function writesOf(plan: WritePlan, old: AttributeMap | undefined, next: AttributeMap | undefined | "keep", nowMs: number): DynamoItemWrite[] {
  if (next === "keep") return [];
  const item: DynamoItemWrite = next === undefined ? { delete: plan.key } : { put: rowOf(plan.key, next), indexes: indexEntriesOf(plan.table, next) };
  return [item, ...streamWrites(plan.table, old, next, nowMs)];
}
