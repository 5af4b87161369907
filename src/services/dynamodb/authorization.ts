/**
 * DynamoDB's IAM actions, derived from its model: `dynamodb:<Operation>` on the tables the input names
 * (`arn:aws:dynamodb:<region>:<account>:table/<name>`, `…/index/<index>` for an index read; a TableName
 * that is already an ARN is kept), every table of a batch or transaction, `*` for listings and PartiQL
 * (whose table is inside the statement). test/iam-actions.test.ts.
 */
import type { Account } from "../../core/arn.js";
import { derivedAuthorization, stringMember, type AuthorizationTable } from "../../protocol/codecs/derived-authorization.js";
import type { ServiceModel } from "../../protocol/codecs/model.js";

const TRANSACT_PARTS = ["Get", "Put", "Update", "Delete", "ConditionCheck"] as const;

/** The tables a transaction's items name. */
function transactTables(items: unknown): string[] {
  if (!Array.isArray(items)) return [];
  return items.flatMap((item: unknown) => {
    if (typeof item !== "object" || item === null) return [];
    return TRANSACT_PARTS.map((part) => (item as Record<string, unknown>)[part])
      .map((body) => (typeof body === "object" && body !== null ? stringMember(body as Record<string, unknown>, "TableName") : undefined))
      .filter((name): name is string => name !== undefined);
  });
}

export function dynamodbAuthorization(model: ServiceModel, account: Account): AuthorizationTable {
  const table = (name: string) => (name.startsWith("arn:") ? name : `arn:aws:dynamodb:${account.region}:${account.accountId}:table/${name}`);
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
      const transacted = transactTables(input.TransactItems);
      if (transacted.length > 0) return transacted.map(table);
      return stringMember(input, "ResourceArn") ?? stringMember(input, "TableArn") ?? stringMember(input, "BackupArn") ?? stringMember(input, "StreamArn") ?? "*";
    },
  });
}
