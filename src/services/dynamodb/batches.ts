/** BatchGetItem and BatchWriteItem: validated whole before anything is read or written. */
import type { DynamoItemKey } from "../../store/ports.js";
import { project } from "./expressions/index.js";
import { itemTable, RequestExpressions, type DynamoContext, type ExpressionInput } from "./context.js";
import { checkKey, itemOf } from "./keys.js";
import { invalid } from "./table-definition.js";
import { legacyProjection, refuseMixing } from "./legacy.js";
import { planDelete, planPut, writesOf, type WritePlan } from "./write-plans.js";

const MAX_GET_KEYS = 100;
const MAX_WRITES = 25;

const keyId = (key: DynamoItemKey) => `${key.table}\u0000${key.partitionKey.toString("hex")}\u0000${key.sortKey.toString("hex")}`;

interface GetRequest extends ExpressionInput {
  readonly Keys: Record<string, unknown>[];
  readonly ProjectionExpression?: string;
  readonly AttributesToGet?: string[];
  readonly ConsistentRead?: boolean;
}

export async function batchGetItem(ctx: DynamoContext, input: { RequestItems: Record<string, GetRequest> }): Promise<object> {
  const total = Object.values(input.RequestItems).reduce((sum, r) => sum + r.Keys.length, 0);
  if (total > MAX_GET_KEYS) throw invalid("Too many items requested for the BatchGetItem call");
  // Every table's expressions are checked before any table is looked up, as AWS checks them.
  const projections = Object.values(input.RequestItems).map((request) => {
    refuseMixing(request, ["AttributesToGet"], ["ProjectionExpression"]);
    const expressions = new RequestExpressions(request);
    const projection = expressions.projection(request.ProjectionExpression) ?? legacyProjection(request.AttributesToGet);
    expressions.finish();
    return projection;
  });
  const responses: Record<string, object[]> = {};
  for (const [i, [name, request]] of Object.entries(input.RequestItems).entries()) {
    const projection = projections[i];
    const table = await itemTable(ctx, name);
    const keys = request.Keys.map((raw) => checkKey(table.name, table.schema, raw).key);
    if (new Set(keys.map(keyId)).size !== keys.length) throw invalid("Provided list of item keys contains duplicates");
    const rows = await ctx.store.items(keys);
    responses[name] = rows.flatMap((row) => {
      const item = itemOf(row);
      return item === undefined ? [] : [projection === undefined ? item : project(item, projection)];
    });
  }
  return { Responses: responses, UnprocessedKeys: {} };
}

interface WriteRequest {
  readonly PutRequest?: { Item: Record<string, unknown> };
  readonly DeleteRequest?: { Key: Record<string, unknown> };
}

export async function batchWriteItem(ctx: DynamoContext, input: { RequestItems: Record<string, WriteRequest[]> }): Promise<object> {
  const total = Object.values(input.RequestItems).reduce((sum, r) => sum + r.length, 0);
  if (total > MAX_WRITES) throw invalid("Too many items requested for the BatchWriteItem call");
  const plans: WritePlan[] = [];
  for (const [name, requests] of Object.entries(input.RequestItems)) {
    for (const request of requests) {
      const both = request.PutRequest !== undefined && request.DeleteRequest !== undefined;
      if (both || (request.PutRequest === undefined && request.DeleteRequest === undefined)) {
        throw invalid("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
      }
      plans.push(request.PutRequest !== undefined ? await planPut(ctx, { TableName: name, Item: request.PutRequest.Item }) : await planDelete(ctx, { TableName: name, Key: (request.DeleteRequest as { Key: Record<string, unknown> }).Key }));
    }
  }
  if (new Set(plans.map((p) => keyId(p.key))).size !== plans.length) throw invalid("Provided list of item keys contains duplicates");
  // All in one store transaction: DynamoDB may apply part of a batch, Unkai applies all of it.
  await ctx.store.transact(
    plans.map((p) => p.key),
    (rows) => {
      const now = ctx.now();
      return { writes: plans.flatMap((plan, i) => writesOf(plan, itemOf(rows[i]), plan.next(itemOf(rows[i])), now)), result: undefined };
    },
  );
  return { UnprocessedItems: {} };
}

export { keyId };
