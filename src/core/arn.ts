/** Function ARNs and the name forms Invoke and the management API accept. */
import { invalidParameter } from "./errors.js";

export interface Account {
  readonly region: string;
  readonly accountId: string;
}

export interface FunctionRef {
  readonly name: string;
  readonly qualifier: string | undefined;
}

const NAME_FORM = /^(?:arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:|(\d{12}):function:)?([a-zA-Z0-9_-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;

/** Parses `name`, `name:qualifier`, a partial ARN or a full ARN; checks the qualifier agrees. */
export function parseFunctionRef(raw: string, queryQualifier: string | undefined, account: Account): FunctionRef {
  const decoded = raw;
  const match = NAME_FORM.exec(decoded);
  if (!match) {
    throw invalidParameter(`Function name '${decoded}' is not a name, a name with a qualifier, or a Lambda function ARN.`);
  }
  const [, region, fullArnAccount, partialAccount, name, arnQualifier] = match;
  const arnAccount = fullArnAccount ?? partialAccount;
  if (arnAccount !== undefined && arnAccount !== account.accountId) {
    throw invalidParameter(`Function ARN account ${arnAccount} is not this Unkai's account ${account.accountId}.`);
  }
  if (region !== undefined && region !== account.region) {
    throw invalidParameter(`Function ARN region ${region} is not this Unkai's region ${account.region}.`);
  }
  if (queryQualifier !== undefined && arnQualifier !== undefined && queryQualifier !== arnQualifier) {
    throw invalidParameter("The derived qualifier from the function name does not match the specified qualifier.");
  }
  return { name: name ?? "", qualifier: queryQualifier ?? arnQualifier };
}

export function functionArn(account: Account, name: string, qualifier?: string): string {
  const base = `arn:aws:lambda:${account.region}:${account.accountId}:function:${name}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}
