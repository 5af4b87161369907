/** DynamoDB's operations by name, as the model codec calls them (input and output as the model's plain values). */
import type { OperationContext } from "../../protocol/codecs/model-service.js";
import type { DynamoContext } from "./context.js";
import { batchGetItem, batchWriteItem } from "./batches.js";
import { describeContinuousBackups, updateContinuousBackups } from "./continuous-backups.js";
import { createBackup, deleteBackup, describeBackup, listBackups } from "./backups.js";
import { restoreTableFromBackup } from "./restore.js";
import { resourcePolicyOperations } from "./resource-policies.js";
import { deleteItem, getItem, putItem, updateItem } from "./item-operations.js";
import { query, scan } from "./reads.js";
import {
  createTable,
  deleteTable,
  describeLimits,
  describeTableOperation,
  describeTimeToLive,
  listTables,
  listTagsOfResource,
  tagResource,
  untagResource,
  updateTable,
  updateTimeToLive,
} from "./table-operations.js";
import { transactGetItems, transactWriteItems } from "./transactions.js";
import { batchExecuteStatement, executeStatement, executeTransaction } from "./partiql/execute.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each operation declares its own input type; the codec has validated it against the model
export type DynamoOperation = (input: any, context?: OperationContext) => Promise<object>;

export function dynamoOperations(ctx: DynamoContext): Record<string, DynamoOperation> {
  const op =
    <I>(operation: (context: DynamoContext, input: I) => Promise<object>) =>
    (input: I) =>
      operation(ctx, input);
  return {
    CreateTable: op(createTable),
    DescribeTable: op(describeTableOperation),
    ListTables: op(listTables),
    DeleteTable: op(deleteTable),
    UpdateTable: op(updateTable),
    TagResource: op(tagResource),
    UntagResource: op(untagResource),
    ListTagsOfResource: op(listTagsOfResource),
    UpdateTimeToLive: op(updateTimeToLive),
    DescribeTimeToLive: op(describeTimeToLive),
    DescribeContinuousBackups: op(describeContinuousBackups),
    UpdateContinuousBackups: op(updateContinuousBackups),
    CreateBackup: op(createBackup),
    DescribeBackup: op(describeBackup),
    ListBackups: op(listBackups),
    DeleteBackup: op(deleteBackup),
    RestoreTableFromBackup: op(restoreTableFromBackup),
    DescribeLimits: () => Promise.resolve(describeLimits()),
    PutItem: op(putItem),
    GetItem: op(getItem),
    UpdateItem: op(updateItem),
    DeleteItem: op(deleteItem),
    Query: op(query),
    Scan: op(scan),
    BatchGetItem: op(batchGetItem),
    BatchWriteItem: op(batchWriteItem),
    TransactWriteItems: op(transactWriteItems),
    TransactGetItems: op(transactGetItems),
    ExecuteStatement: op(executeStatement),
    BatchExecuteStatement: op(batchExecuteStatement),
    ExecuteTransaction: op(executeTransaction),
    ...resourcePolicyOperations(ctx),
  };
}
