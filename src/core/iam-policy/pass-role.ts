/**
 * iam:PassRole: giving a role to a service that will act as it (a function's execution role, a schedule's
 * or an EventBridge target's RoleArn, a subscription filter's roleArn). AWS asks it of the caller beside the
 * operation's own action, with `iam:PassedToService` naming the service, so a caller cannot borrow the
 * permissions of a role it may not pass.
 */
import type { ActionRequest } from "./types.js";

/** iam:PassRole on each distinct role given (non-strings and empty strings are no role). */
export function passRole(roles: readonly unknown[], service: string): ActionRequest[] {
  const named = [...new Set(roles.filter((role): role is string => typeof role === "string" && role !== ""))];
  return named.map((role) => ({ action: "iam:PassRole", resource: role, keys: { "iam:PassedToService": service } }));
}
