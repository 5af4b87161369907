/**
 * AWS/DynamoDB's metrics, measured at the service's dispatch (one wrapper around every operation, so
 * the handlers know nothing of them) and reported through the platform's ServiceMetrics:
 * - ConsumedReadCapacityUnits / ConsumedWriteCapacityUnits per TableName, for the item reads and
 *   writes, Query and Scan (the units the operation computes for ReturnConsumedCapacity: it is asked
 *   for TOTAL, and the ConsumedCapacity is dropped from the answer when the caller did not ask);
 * - SuccessfulRequestLatency per TableName and Operation, for the data-plane operations that succeed;
 * - ReturnedItemCount per TableName and Operation, for Query and Scan;
 * - ConditionalCheckFailedRequests per TableName, and UserErrors (no dimension: the account and
 *   Region) for every other error an operation answers with, as AWS keeps the two apart.
 * ThrottledRequests is never reported: nothing in Unkai throttles DynamoDB.
 */
import { performance } from "node:perf_hooks";
import { UnkaiError } from "../../core/errors.js";
import type { ServiceMetrics } from "../../core/service-metrics.js";
import type { Operation, Operations } from "../../protocol/codecs/model-service.js";

const NAMESPACE = "AWS/DynamoDB";
const READS = new Set(["GetItem", "Query", "Scan"]);
const WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem"]);
/** The operations AWS publishes SuccessfulRequestLatency for (with a table to name). */
const DATA_PLANE = new Set([...READS, ...WRITES, "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems"]);

/** Answered with a 5xx: AWS counts these as SystemErrors, not the caller's. */
const SERVER_ERRORS = new Set<string>(["InternalServerError", "ServiceUnavailable"]);

interface MeteredInput {
  readonly TableName?: string;
  ReturnConsumedCapacity?: string;
  readonly RequestItems?: Record<string, unknown>;
  readonly TransactItems?: readonly Record<string, { readonly TableName?: string } | undefined>[];
}

interface MeteredOutput {
  ConsumedCapacity?: { readonly CapacityUnits?: number } | undefined;
  readonly Count?: number;
}

/** The tables one request names: its TableName, a batch's RequestItems, a transaction's items. */
function tablesOf(input: MeteredInput): string[] {
  if (input.TableName !== undefined) return [input.TableName];
  if (input.RequestItems) return Object.keys(input.RequestItems);
  const named = (input.TransactItems ?? []).flatMap((item) => Object.values(item).map((action) => action?.TableName));
  return [...new Set(named.filter((name): name is string => name !== undefined))];
}

/**
 * The dimensions of one operation's figures per table, as frozen objects made once: CloudWatch's
 * accumulator finds the cell of a dimensions object it has seen without building its key. Bounded
 * (tables come and go): the map starts afresh once it holds this many tables.
 */
const MAX_TABLES = 1024;

interface TableDimensions {
  /** TableName + Operation (SuccessfulRequestLatency, ReturnedItemCount). */
  readonly operation: Readonly<Record<string, string>>;
  /** TableName (the consumed capacity units). */
  readonly table: Readonly<Record<string, string>>;
}

function dimensionsOf(name: string): (table: string) => TableDimensions {
  const byTable = new Map<string, TableDimensions>();
  return (table) => {
    let dimensions = byTable.get(table);
    if (dimensions === undefined) {
      if (byTable.size >= MAX_TABLES) byTable.clear();
      dimensions = { operation: Object.freeze({ TableName: table, Operation: name }), table: Object.freeze({ TableName: table }) };
      byTable.set(table, dimensions);
    }
    return dimensions;
  };
}

function metered(name: string, operation: Operation, metrics: ServiceMetrics): Operation {
  const counted = READS.has(name) || WRITES.has(name);
  const dataPlane = DATA_PLANE.has(name);
  const capacityMetric = READS.has(name) ? "ConsumedReadCapacityUnits" : "ConsumedWriteCapacityUnits";
  const dimensions = dimensionsOf(name);
  return async (input: MeteredInput, ctx) => {
    const asked = input.ReturnConsumedCapacity;
    const startedAt = performance.now();
    let output: MeteredOutput | undefined | void;
    // The input is this request's own decoded object, and the output the operation's fresh answer: both are
    // changed in place (no copies on every read and write) to ask for the units and to drop them unasked.
    if (counted && asked !== "INDEXES") input.ReturnConsumedCapacity = "TOTAL";
    try {
      output = await operation(input, ctx);
    } catch (error) {
      reportError(error, input, metrics);
      throw error;
    }
    const latencyMs = performance.now() - startedAt;
    if (dataPlane) for (const table of tablesOf(input)) metrics.add(NAMESPACE, "SuccessfulRequestLatency", dimensions(table).operation, latencyMs, "Milliseconds");
    if (!output || !counted || input.TableName === undefined) return output;
    const units = output.ConsumedCapacity?.CapacityUnits;
    if (units !== undefined) metrics.add(NAMESPACE, capacityMetric, dimensions(input.TableName).table, units);
    if (output.Count !== undefined) metrics.add(NAMESPACE, "ReturnedItemCount", dimensions(input.TableName).operation, output.Count);
    if (asked === "TOTAL" || asked === "INDEXES") return output;
    // Undefined members never reach the wire (the codec drops them).
    output.ConsumedCapacity = undefined;
    return output;
  };
}

function reportError(error: unknown, input: MeteredInput, metrics: ServiceMetrics): void {
  if (!(error instanceof UnkaiError) || SERVER_ERRORS.has(error.code)) return;
  if (error.code === "ConditionalCheckFailedException") {
    for (const table of tablesOf(input)) metrics.add(NAMESPACE, "ConditionalCheckFailedRequests", { TableName: table }, 1);
  } else metrics.add(NAMESPACE, "UserErrors", {}, 1);
}

/** The operations with AWS/DynamoDB's metrics measured around each; unchanged without a metrics sink. */
export function meteredOperations(operations: Operations, metrics: ServiceMetrics | undefined): Operations {
  if (!metrics) return operations;
  return Object.fromEntries(Object.entries(operations).map(([name, operation]) => [name, metered(name, operation, metrics)]));
}
