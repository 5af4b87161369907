/**
 * TransactWriteItems and TransactGetItems: all-or-nothing in one store transaction, with one
 * CancellationReasons entry per action in order, and ClientRequestToken idempotency for 10 minutes.
 */
import { createHash } from "node:crypto";
import { UnkaiError } from "../../core/errors.js";
import type { DynamoClientToken, DynamoItemKey, DynamoItemRow } from "../../store/ports.js";
import { project, type AttributeMap, type Path } from "./expressions/index.js";
import { errorWithMembers, itemTable, RequestExpressions, wireItem, type DynamoContext, type ExpressionInput } from "./context.js";
import { keyId } from "./batches.js";
import { checkKey, itemOf } from "./keys.js";
import { invalid } from "./table-definition.js";
import { conditionHolds, planConditionCheck, planDelete, planPut, planUpdate, writesOf, type WritePlan } from "./write-plans.js";

const IDEMPOTENCY_MS = 10 * 60 * 1000;

type Action = Record<string, unknown> & ExpressionInput & { TableName: string; ReturnValuesOnConditionCheckFailure?: string };

interface TransactItem {
  readonly ConditionCheck?: Action & { Key: Record<string, unknown>; ConditionExpression: string };
  readonly Put?: Action & { Item: Record<string, unknown> };
  readonly Delete?: Action & { Key: Record<string, unknown> };
  readonly Update?: Action & { Key: Record<string, unknown>; UpdateExpression: string };
}

/**
 * A transaction's ClientRequestToken with the digest of its request (the operation's name and its
 * items), kept by the store with the writes for 10 minutes (AWS: from the first request's completion).
 */
export function clientToken(ctx: DynamoContext, operation: string, token: string | undefined, request: unknown): DynamoClientToken | undefined {
  if (token === undefined) return undefined;
  const json = JSON.stringify(request, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v));
  const now = ctx.now();
  return { token, digest: createHash("sha256").update(operation).update("\n").update(json).digest("hex"), now, expiresAt: now + IDEMPOTENCY_MS };
}

async function planOf(ctx: DynamoContext, item: TransactItem): Promise<TransactPlan> {
  const actions = [item.ConditionCheck, item.Put, item.Delete, item.Update].filter((a) => a !== undefined);
  if (actions.length !== 1) throw invalid("TransactItems can only contain one of Check, Put, Update or Delete");
  if (item.ConditionCheck) return { plan: await planConditionCheck(ctx, item.ConditionCheck), returnOnFailure: item.ConditionCheck.ReturnValuesOnConditionCheckFailure };
  if (item.Put) return { plan: await planPut(ctx, item.Put), returnOnFailure: item.Put.ReturnValuesOnConditionCheckFailure };
  if (item.Delete) return { plan: await planDelete(ctx, item.Delete), returnOnFailure: item.Delete.ReturnValuesOnConditionCheckFailure };
  const update = item.Update as NonNullable<TransactItem["Update"]>;
  return { plan: await planUpdate(ctx, update), returnOnFailure: update.ReturnValuesOnConditionCheckFailure };
}

export async function transactWriteItems(ctx: DynamoContext, input: { TransactItems: TransactItem[]; ClientRequestToken?: string }): Promise<object> {
  const plans: TransactPlan[] = [];
  for (const item of input.TransactItems) plans.push(await planOf(ctx, item));
  await commitTransaction(ctx, plans, clientToken(ctx, "TransactWriteItems", input.ClientRequestToken, input.TransactItems));
  return {};
}

/** One action of a write transaction; `failure` is the reason code its failed condition reports (PartiQL's INSERT says DuplicateItem). */
export interface TransactPlan {
  readonly plan: WritePlan;
  readonly returnOnFailure: string | undefined;
  readonly failure?: "ConditionalCheckFailed" | "DuplicateItem";
}

/**
 * Checks every condition and applies every write in one store transaction, or cancels with a reason
 * per action. Under a client token already used for this same request, nothing is written (the first
 * one's answer stands); used for another request, IdempotentParameterMismatchException.
 */
export async function commitTransaction(ctx: DynamoContext, plans: readonly TransactPlan[], token?: DynamoClientToken): Promise<void> {
  if (new Set(plans.map((p) => keyId(p.plan.key))).size !== plans.length) throw invalid("Transaction request cannot include multiple operations on one item");
  const keys = plans.map((p) => p.plan.key);
  const decide = (rows: (DynamoItemRow | undefined)[]) => {
    const current = rows.map(itemOf);
    const failed = plans.map(({ plan }, i) => !conditionHolds(plan, current[i]));
    if (failed.some(Boolean)) throw cancelled(plans, current, failed);
    const now = ctx.now();
    return { writes: plans.flatMap(({ plan }, i) => writesOf(plan, current[i], plan.next(current[i]), now)), result: undefined };
  };
  if (token === undefined) return ctx.store.transact(keys, decide);
  const outcome = await ctx.store.transactOnce(token, keys, decide);
  if ("repeatOf" in outcome && outcome.repeatOf !== token.digest) {
    throw new UnkaiError("IdempotentParameterMismatchException", "The request uses the same client token as a previous, but non-identical request.");
  }
}

const FAILURE_MESSAGES = { ConditionalCheckFailed: "The conditional request failed", DuplicateItem: "Duplicate primary key exists in table" };

function cancelled(plans: readonly TransactPlan[], current: (AttributeMap | undefined)[], failed: boolean[]): UnkaiError {
  const reasons = plans.map(({ returnOnFailure, failure = "ConditionalCheckFailed" }, i) => {
    if (!failed[i]) return { Code: "None" };
    const old = current[i];
    return { Code: failure, Message: FAILURE_MESSAGES[failure], ...(returnOnFailure === "ALL_OLD" && old !== undefined ? { Item: wireItem(old) } : {}) };
  });
  return errorWithMembers(
    "TransactionCanceledException",
    `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(", ")}]`,
    { CancellationReasons: reasons },
  );
}

interface TransactGet {
  readonly Get?: ExpressionInput & { TableName: string; Key: Record<string, unknown>; ProjectionExpression?: string };
}

export async function transactGetItems(ctx: DynamoContext, input: { TransactItems: TransactGet[] }): Promise<object> {
  const reads: { key: DynamoItemKey; projection: Path[] | undefined }[] = [];
  for (const item of input.TransactItems) {
    if (item.Get === undefined) throw invalid("TransactItems can only contain Get");
    const table = await itemTable(ctx, item.Get.TableName);
    const { key } = checkKey(table.name, table.schema, item.Get.Key);
    const expressions = new RequestExpressions(item.Get);
    const projection = expressions.projection(item.Get.ProjectionExpression);
    expressions.finish();
    reads.push({ key, projection });
  }
  // A read-only store transaction: every item as of one moment.
  const rows = await ctx.store.transact(reads.map((r) => r.key), (current) => ({ writes: [], result: current }));
  return {
    Responses: rows.map((row, i) => {
      const item = itemOf(row);
      const projection = reads[i]?.projection;
      return item === undefined ? {} : { Item: projection === undefined ? item : project(item, projection) };
    }),
  };
}
