/**
 * DynamoDB's IAM actions, derived from its model: `dynamodb:<Operation>` on the tables the input names
 * (`arn:aws:dynamodb:<region>:<account>:table/<name>`, `…/index/<index>` for an index read; a TableName
 * that is already an ARN is kept), every table of a batch, `*` for listings. A transaction's items ask
 * for the single-item actions (PutItem, UpdateItem, DeleteItem, ConditionCheckItem, GetItem) on their
 * tables, with `dynamodb:EnclosingOperation`, as AWS authorizes them. PartiQL
 * asks, per statement, for `dynamodb:PartiQL{Select,Insert,Update,Delete}` on the statement's table
 * (or index), as AWS does; a statement that does not parse asks for its verb's action on `*`, so a
 * caller allowed only on some tables is refused before the statement is looked at. Backups: see backupActions.
 * test/iam-actions.test.ts, test/dynamodb-partiql.test.ts.
 */
import type { Account } from "../../core/arn.js";
import { derivedAuthorization, stringMember, type AuthorizationTable } from "../../protocol/codecs/derived-authorization.js";
import type { ServiceModel } from "../../protocol/codecs/model.js";
import type { ActionRequest } from "../../core/iam-policy/index.js";
import { parseStatement } from "./partiql/parse.js";
import { streamNamedBy } from "../../core/shard-iterators.js";
import { transferAuthorization } from "./transfer-authorization.js";

/** Each part of a transaction is authorized as the single-item operation it performs (AWS, "Using IAM with DynamoDB transactions"). */
const TRANSACT_ACTIONS = { Get: "GetItem", Put: "PutItem", Update: "UpdateItem", Delete: "DeleteItem", ConditionCheck: "ConditionCheckItem" } as const;

/**
 * What a TransactWriteItems or TransactGetItems needs: for each item, `dynamodb:PutItem`, `UpdateItem`,
 * `DeleteItem`, `ConditionCheckItem` or `GetItem` on its table, with `dynamodb:EnclosingOperation` naming
 * the transaction, as AWS authorizes them (a policy granting only the per-item actions allows the
 * transaction). Input with no item to name asks for the operation itself on `*`.
 */
function transaction(operation: "TransactWriteItems" | "TransactGetItems", table: (name: string) => string) {
  return (input: Record<string, unknown>): readonly ActionRequest[] => {
    const items = Array.isArray(input.TransactItems) ? input.TransactItems : [];
    const requests = items.flatMap((item: unknown): ActionRequest[] => {
      if (typeof item !== "object" || item === null) return [];
      return Object.entries(TRANSACT_ACTIONS).flatMap(([part, action]) => {
        const body = (item as Record<string, unknown>)[part];
        const name = typeof body === "object" && body !== null ? stringMember(body as Record<string, unknown>, "TableName") : undefined;
        return name === undefined ? [] : [{ action: `dynamodb:${action}`, resource: table(name), keys: { "dynamodb:EnclosingOperation": operation } }];
      });
    });
    if (requests.length === 0) return [{ action: `dynamodb:${operation}`, resource: "*" }];
    return requests.filter((r, i) => requests.findIndex((o) => o.action === r.action && o.resource === r.resource) === i);
  };
}

/** EXISTS(SELECT …) reads, so it asks for PartiQLSelect. */
const PARTIQL_ACTIONS: Record<string, string> = { select: "PartiQLSelect", exists: "PartiQLSelect", insert: "PartiQLInsert", update: "PartiQLUpdate", delete: "PartiQLDelete" };

/** The action and resource one PartiQL statement needs. */
function statementAction(statement: unknown, parameters: unknown, table: (name: string) => string): ActionRequest {
  const source = typeof statement === "string" ? statement : "";
  try {
    const parsed = parseStatement(source, Array.isArray(parameters) ? parameters : []);
    const { table: name, index } = parsed.source;
    return { action: `dynamodb:${PARTIQL_ACTIONS[parsed.kind] as string}`, resource: index === undefined ? table(name) : `${table(name)}/index/${index}` };
  } catch {
    const verb = /^\s*(\w+)/.exec(source)?.[1]?.toLowerCase() ?? "";
    return { action: `dynamodb:${PARTIQL_ACTIONS[verb] ?? "PartiQLSelect"}`, resource: "*" };
  }
}

function statementsOf(input: Record<string, unknown>): { Statement?: unknown; Parameters?: unknown }[] {
  const list = input.Statements ?? input.TransactStatements;
  if (Array.isArray(list)) return list.filter((s): s is Record<string, unknown> => typeof s === "object" && s !== null);
  return [input];
}

export function dynamodbAuthorization(model: ServiceModel, account: Account): AuthorizationTable {
  const table = (name: string) => (name.startsWith("arn:") ? name : `arn:aws:dynamodb:${account.region}:${account.accountId}:table/${name}`);
  const partiql = (input: Record<string, unknown>): readonly ActionRequest[] => {
    const statements = statementsOf(input);
    const requests = (statements.length > 0 ? statements : [input]).map((s) => statementAction(s.Statement, s.Parameters, table));
    return requests.filter((r, i) => requests.findIndex((o) => o.action === r.action && o.resource === r.resource) === i);
  };
  return {
    ...derived(model, table), ...backupActions(table), ExecuteStatement: partiql, BatchExecuteStatement: partiql, ExecuteTransaction: partiql,
    TransactWriteItems: transaction("TransactWriteItems", table), TransactGetItems: transaction("TransactGetItems", table),
    ...transferAuthorization(table), ...kinesisDestinationActions(table),
  };
}

/**
 * Kinesis Data Streams for DynamoDB as its developer guide lists the permissions ("Using IAM policies for
 * Amazon Kinesis Data Streams and Amazon DynamoDB"): enabling needs `dynamodb:EnableKinesisStreamingDestination`
 * on the table, `kinesis:ListStreams` (on `*`, as the Service Authorization Reference lists it) and
 * `kinesis:PutRecords` and `kinesis:DescribeStream` on the stream; disabling, updating and describing need
 * their DynamoDB action on the table (the guide's `kinesis:Describe*` for describing name no stream in the
 * request, so they are not asked for). The records themselves are put by DynamoDB (AWS: its service-linked role).
 */
function kinesisDestinationActions(table: (name: string) => string): AuthorizationTable {
  return {
    EnableKinesisStreamingDestination: (input) => {
      const name = stringMember(input, "TableName");
      const stream = stringMember(input, "StreamArn");
      const streamArn = stream === undefined || stream === "" ? "*" : stream;
      return [
        { action: "dynamodb:EnableKinesisStreamingDestination", resource: name === undefined || name === "" ? "*" : table(name) },
        { action: "kinesis:ListStreams", resource: "*" },
        { action: "kinesis:PutRecords", resource: streamArn },
        { action: "kinesis:DescribeStream", resource: streamArn },
      ];
    },
  };
}

/** The item actions AWS's backup and restore guide requires on a restore's target table ("read and write permissions on the target table"). */
const RESTORE_ITEM_ACTIONS = ["BatchWriteItem", "DeleteItem", "GetItem", "PutItem", "Query", "Scan", "UpdateItem"];

/**
 * Backups as the Service Authorization Reference lists them: CreateBackup on the table, DescribeBackup and
 * DeleteBackup on the backup ARN (derived), ListBackups on no resource (`*`, whatever TableName filters),
 * and RestoreTableFromBackup on the source backup plus the item actions on the target table.
 */
function backupActions(table: (name: string) => string): AuthorizationTable {
  return {
    ListBackups: () => [{ action: "dynamodb:ListBackups", resource: "*" }],
    RestoreTableFromBackup: (input) => {
      const target = stringMember(input, "TargetTableName");
      const backup = stringMember(input, "BackupArn");
      const targetArn = target === undefined || target === "" ? "*" : table(target);
      return [
        { action: "dynamodb:RestoreTableFromBackup", resource: backup === undefined || backup === "" ? "*" : backup },
        ...RESTORE_ITEM_ACTIONS.map((action) => ({ action: `dynamodb:${action}`, resource: targetArn })),
      ];
    },
  };
}

function derived(model: ServiceModel, table: (name: string) => string): AuthorizationTable {
  return derivedAuthorization(model, {
    prefix: "dynamodb",
    resourceOf: (_operation, input) => {
      const name = stringMember(input, "TableName");
      if (name !== undefined) {
        const index = stringMember(input, "IndexName");
        return index === undefined ? table(name) : `${table(name)}/index/${index}`;
      }
      const requested = input.RequestItems;
      if (typeof requested === "object" && requested !== null) return Object.keys(requested).map(table);
      return stringMember(input, "ResourceArn") ?? stringMember(input, "TableArn") ?? stringMember(input, "BackupArn") ?? stringMember(input, "StreamArn") ?? "*";
    },
  });
}

/**
 * DynamoDB Streams' IAM actions: `dynamodb:<Operation>` on the stream its StreamArn names, GetRecords on the
 * stream its iterator names (sealed, so a forged one is refused when read), ListStreams on `*`. A stream's
 * resource policy (PutResourcePolicy on its ARN) is evaluated beside the caller's own.
 */
export function dynamodbStreamsAuthorization(model: ServiceModel): AuthorizationTable {
  return derivedAuthorization(model, {
    prefix: "dynamodb",
    resourceOf: (_operation, input) => {
      const iterator = stringMember(input, "ShardIterator");
      return stringMember(input, "StreamArn") ?? (iterator !== undefined ? streamNamedBy(iterator) : undefined) ?? "*";
    },
  });
}
