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

export async function transactWriteItems(ctx: DynamoContext, input: { TransactItems: TransactItem[]; ClientRequestToken?: string; ReturnConsumedCapacity?: string }): Promise<object> {
  const plans: TransactPlan[] = [];
  for (const item of input.TransactItems) plans.push(await planOf(ctx, item));
  const committed = await commitTransaction(ctx, plans, clientToken(ctx, "TransactWriteItems", input.ClientRequestToken, input.TransactItems));
  return transactionCapacity(input.ReturnConsumedCapacity, plans, committed);
}

/** One action of a write transaction; `failure` is the reason code its failed condition reports (PartiQL's INSERT says DuplicateItem). */
export interface TransactPlan {
  readonly plan: WritePlan;
  readonly returnOnFailure: string | undefined;
  readonly failure?: "ConditionalCheckFailed" | "DuplicateItem";
}

/** What a committed write transaction did per action: the bytes of the item it wrote or read, and whether it only read (a check, or any action of a repeat under a client token). */
export interface Committed {
  readonly actions: readonly { readonly bytes: number; readonly read: boolean }[];
}

const sizeOf = (item: AttributeMap | undefined) => JSON.stringify(item ?? {}).length;

/**
 * Checks every condition and applies every write in one store transaction, or cancels with a reason
 * per action. Under a client token already used for this same request, nothing is written (the first
 * one's answer stands); used for another request, IdempotentParameterMismatchException.
 */
export async function commitTransaction(ctx: DynamoContext, plans: readonly TransactPlan[], token?: DynamoClientToken): Promise<Committed> {
  if (new Set(plans.map((p) => keyId(p.plan.key))).size !== plans.length) throw invalid("Transaction request cannot include multiple operations on one item");
  const keys = plans.map((p) => p.plan.key);
  const decide = (rows: (DynamoItemRow | undefined)[]) => {
    const current = rows.map(itemOf);
    const failed = plans.map(({ plan }, i) => !conditionHolds(plan, current[i]));
    if (failed.some(Boolean)) throw cancelled(plans, current, failed);
    const now = ctx.now();
    const nexts = plans.map(({ plan }, i) => plan.next(current[i]));
    const actions = nexts.map((next, i) => ({ bytes: sizeOf(next === "keep" || next === undefined ? current[i] : next), read: next === "keep" }));
    return { writes: plans.flatMap(({ plan }, i) => writesOf(plan, current[i], nexts[i], now)), result: actions };
  };
  if (token === undefined) return { actions: await ctx.store.transact(keys, decide) };
  const outcome = await ctx.store.transactOnce(token, keys, decide);
  if ("result" in outcome) return { actions: outcome.result };
  if (outcome.repeatOf !== token.digest) {
    throw new UnkaiError("IdempotentParameterMismatchException", "The request uses the same client token as a previous, but non-identical request.");
  }
  // A repeat reads the items instead of writing them.
  return { actions: (await ctx.store.items(keys)).map((row) => ({ bytes: sizeOf(itemOf(row)), read: true })) };
}

/**
 * A write transaction's ConsumedCapacity when asked for, per table: transactional units are twice
 * the standard ones, 2 write units per KB written and 2 read units per 4 KB a ConditionCheck reads;
 * a repeat under a client token reports the read units of reading every item instead.
 */
export function transactionCapacity(asked: string | undefined, plans: readonly TransactPlan[], committed: Committed): object {
  if (asked !== "TOTAL" && asked !== "INDEXES") return {};
  const tables = new Map<string, { read: number; write: number }>();
  plans.forEach(({ plan }, i) => {
    const { bytes, read } = committed.actions[i] ?? { bytes: 0, read: true };
    const entry = tables.get(plan.table.name) ?? { read: 0, write: 0 };
    if (read) entry.read += 2 * Math.max(1, Math.ceil(bytes / 4096));
    else entry.write += 2 * Math.max(1, Math.ceil(bytes / 1024));
    tables.set(plan.table.name, entry);
  });
  return {
    ConsumedCapacity: [...tables].map(([name, { read, write }]) => {
      const units = { CapacityUnits: read + write, ...(read > 0 ? { ReadCapacityUnits: read } : {}), ...(write > 0 ? { WriteCapacityUnits: write } : {}) };
      return { TableName: name, ...units, ...(asked === "INDEXES" ? { Table: units } : {}) };
    }),
  };
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
    const expressions = new RequestExpressions(item.Get);
    const projection = expressions.projection(item.Get.ProjectionExpression);
    expressions.finish();
    const { key } = checkKey(table.name, table.schema, item.Get.Key);
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
