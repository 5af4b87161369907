/**
 * PartiQL statements as the write plans and key reads the item operations already run: the WHERE
 * clause of an UPDATE, DELETE or single-item SELECT must name the full primary key by equality; the
 * rest of it becomes the write's condition (or the read's filter).
 */
import { UnkaiError } from "../../../core/errors.js";
import type { Condition, Operand } from "../expressions/ast.js";
import { attributeOf, setAttribute, typeOf, type AttributeMap, type AttributeValue, type KeySchema } from "../expressions/index.js";
import { itemTable, type DynamoContext, type LoadedTable } from "../context.js";
import { checkKey } from "../keys.js";
import type { TransactPlan } from "../transactions.js";
import { planConditionCheck, planDelete, planPut, planUpdateActions } from "../write-plans.js";
import type { Statement } from "./parse.js";

const INCOMPLETE_KEY = "Where clause does not contain a mandatory equality on all key attributes";

/** The top-level AND terms of a condition. */
export function conjuncts(condition: Condition | undefined): Condition[] {
  if (condition === undefined) return [];
  if (condition.kind === "and") return [...conjuncts(condition.left), ...conjuncts(condition.right)];
  return [condition];
}

function conjoin(conditions: readonly Condition[]): Condition | undefined {
  return conditions.reduce<Condition | undefined>((left, right) => (left === undefined ? right : { kind: "and", left, right }), undefined);
}

/** The top-level attribute an operand names alone, if any. */
export function attributeName(operand: Operand): string | undefined {
  if (operand.kind !== "path" || operand.path.length !== 1) return undefined;
  const [element] = operand.path;
  return element !== undefined && "name" in element ? element.name : undefined;
}

/** `name = value` (either way round): the name and the value. */
export function equality(condition: Condition): { name: string; value: AttributeValue } | undefined {
  if (condition.kind !== "compare" || condition.operator !== "=") return undefined;
  const [path, value] = condition.left.kind === "value" ? [condition.right, condition.left] : [condition.left, condition.right];
  const name = attributeName(path);
  return name !== undefined && value.kind === "value" ? { name, value: value.value } : undefined;
}

/** The key a WHERE clause pins by equality, and what is left of the clause. */
export function splitKey(where: Condition | undefined, schema: KeySchema): { key: AttributeMap; rest: Condition | undefined } {
  const key: AttributeMap = {};
  const rest: Condition[] = [];
  const keyNames = [schema.partition, schema.sort].filter((k) => k !== undefined);
  for (const term of conjuncts(where)) {
    const pinned = equality(term);
    const keyAttribute = keyNames.find((k) => k.name === pinned?.name);
    if (pinned === undefined || keyAttribute === undefined || attributeOf(key, pinned.name) !== undefined) {
      rest.push(term);
      continue;
    }
    if (!["S", "N", "B"].includes(typeOf(pinned.value))) throw new UnkaiError("ValidationException", `Key value must be of type S, N, or B. Key name: ${pinned.name}, Key type: ${typeOf(pinned.value)}`);
    if (typeOf(pinned.value) !== keyAttribute.type) throw new UnkaiError("ValidationException", `Key attribute's data type should match its data type in table's schema: Key ${pinned.name}`);
    setAttribute(key, pinned.name, pinned.value);
  }
  if (keyNames.some((k) => attributeOf(key, k.name) === undefined)) throw new UnkaiError("ValidationException", INCOMPLETE_KEY);
  return { key, rest: conjoin(rest) };
}

const exists = (name: string, present: boolean): Condition => ({ kind: "function", name: present ? "attribute_exists" : "attribute_not_exists", args: [{ kind: "path", path: [{ name }] }] });

/**
 * A write statement as a transaction action: INSERT only when no item has the key (DuplicateItem
 * otherwise), UPDATE only on an existing item, DELETE's extra conditions only checked when the item
 * exists (deleting a missing item is a no-op, as on DynamoDB), EXISTS a check that the item exists
 * and meets the rest of its WHERE clause.
 */
export async function planStatement(ctx: DynamoContext, statement: Exclude<Statement, { kind: "select" }>, returnOnFailure: string | undefined): Promise<TransactPlan> {
  const table = await itemTable(ctx, statement.source.table);
  const partition = table.schema.partition.name;
  if (statement.kind === "insert") {
    const plan = await planPut(ctx, { TableName: table.name, Item: statement.item });
    return { plan: { ...plan, condition: exists(partition, false) }, returnOnFailure, failure: "DuplicateItem" };
  }
  const { key, rest } = splitKey(statement.where, table.schema);
  if (statement.kind === "exists") {
    const plan = await planConditionCheck(ctx, { TableName: table.name, Key: key });
    return { plan: { ...plan, condition: conjoin([exists(partition, true), ...(rest === undefined ? [] : [rest])]) }, returnOnFailure };
  }
  if (statement.kind === "delete") {
    const plan = await planDelete(ctx, { TableName: table.name, Key: key });
    const condition: Condition | undefined = rest === undefined ? undefined : { kind: "or", left: exists(partition, false), right: rest };
    return { plan: { ...plan, condition }, returnOnFailure };
  }
  const checked = checkKey(table.name, table.schema, key);
  const condition = conjoin([exists(partition, true), ...(rest === undefined ? [] : [rest])]);
  return { plan: planUpdateActions(table, checked.key, checked.attributes, statement.actions, condition), returnOnFailure };
}

/** A SELECT that names one item by its full key (what batches and transactions allow): the key and the filter. */
export async function keyRead(ctx: DynamoContext, statement: Extract<Statement, { kind: "select" }>): Promise<{ table: LoadedTable; key: ReturnType<typeof checkKey>["key"]; filter: Condition | undefined }> {
  if (statement.source.index !== undefined) throw new UnkaiError("ValidationException", "Reads on indices are not supported within transactions.");
  const table = await itemTable(ctx, statement.source.table);
  const { key, rest } = splitKey(statement.where, table.schema);
  return { table, key: checkKey(table.name, table.schema, key).key, filter: rest };
}
