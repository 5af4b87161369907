/**
 * Who the verified caller is, as GetCallerIdentity names it. The account root's keys (the loopback
 * `test`, `unkai keys`, UNKAI_ACCESS_KEY_ID) answer as the root; an IAM user's key as the user; an
 * AssumeRole session as the role assumed for that session; a function's session credentials as its
 * execution role assumed for a session named after the function, as Lambda's own credentials do.
 */
import { createHash } from "node:crypto";
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import type { Principal } from "../../protocol/http.js";
import "./errors.js";

export interface CallerIdentity {
  readonly arn: string;
  readonly userId: string;
  readonly account: string;
}

/** The account and the role's name (its path's last segment) of any role ARN CreateFunction accepts. */
const ROLE_ARN = /^arn:(?:aws[a-zA-Z-]*)?:iam::(\d{12}):role\/?(?:.*\/)?([^/]+)$/;
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * A role's unique id as IAM shapes them (`AROA` and 17 more characters), stable for one role ARN:
 * Unkai keeps no role records, so the id is derived from the ARN rather than stored.
 */
export function roleId(roleArn: string): string {
  const digest = createHash("sha256").update(roleArn).digest();
  let id = "AROA";
  for (let i = 0; id.length < 21; i++) id += BASE32[(digest[i] ?? 0) % 32];
  return id;
}

/** An assumed role's identity: `arn:aws:sts::<acct>:assumed-role/<role>/<session>` and `AROA…:<session>`. */
export function assumedRoleIdentity(roleArn: string, session: string): CallerIdentity | undefined {
  const parsed = ROLE_ARN.exec(roleArn);
  if (!parsed?.[1] || !parsed[2]) return undefined;
  return { arn: `arn:aws:sts::${parsed[1]}:assumed-role/${parsed[2]}/${session}`, userId: `${roleId(roleArn)}:${session}`, account: parsed[1] };
}

/**
 * `roleOf` gives a function's execution role ARN, or undefined when the function is gone; `userOf` an
 * IAM user's ARN and id, or undefined when the user is gone.
 */
export async function identityOf(
  principal: Principal, account: Account, roleOf: (functionName: string) => Promise<string | undefined>,
  userOf: (userName: string) => Promise<{ arn: string; id: string } | undefined>,
): Promise<CallerIdentity> {
  const invalid = () => new UnkaiError("InvalidClientTokenId", "The security token included in the request is invalid.");
  if (principal.kind === "key") return { arn: `arn:aws:iam::${account.accountId}:root`, userId: account.accountId, account: account.accountId };
  if (principal.kind === "user") {
    const user = await userOf(principal.userName);
    if (!user) throw invalid();
    return { arn: user.arn, userId: user.id, account: account.accountId };
  }
  if (principal.kind === "role-session") {
    const identity = assumedRoleIdentity(principal.roleArn, principal.sessionName);
    if (!identity) throw invalid();
    return identity;
  }
  if (principal.kind === "function") {
    const role = await roleOf(principal.functionName);
    const identity = role === undefined ? undefined : assumedRoleIdentity(role, principal.functionName);
    if (!identity) throw invalid();
    return identity;
  }
  // Anonymous and Unkai's own presigning key never reach STS (the adapter refuses them); say so if they do.
  throw new UnkaiError("MissingAuthenticationToken", "Request is missing Authentication Token");
}
