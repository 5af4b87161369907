/**
 * Scheduler's IAM actions, derived from its model: `scheduler:<Operation>` on the schedule
 * (`arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>`) or schedule group
 * (`schedule-group/<name>`) the input names; a ResourceArn as given; `*` for the listings. CreateSchedule
 * and UpdateSchedule also need iam:PassRole on the target's RoleArn.
 */
import type { Account } from "../../core/arn.js";
import { passRole, type ActionRequest } from "../../core/iam-policy/index.js";
import { derivedAuthorization, stringMember, type AuthorizationTable } from "../../protocol/codecs/derived-authorization.js";
import type { ServiceModel } from "../../protocol/codecs/model.js";

export function schedulerArns(account: Account) {
  const prefix = `arn:aws:scheduler:${account.region}:${account.accountId}`;
  return {
    schedule: (group: string, name: string) => `${prefix}:schedule/${group}/${name}`,
    group: (name: string) => `${prefix}:schedule-group/${name}`,
  };
}

/** CreateSchedule and UpdateSchedule pass the target's execution role to Scheduler: iam:PassRole on it, as on AWS. */
const PASSES_ROLE = new Set(["CreateSchedule", "UpdateSchedule"]);

export function schedulerAuthorization(model: ServiceModel, account: Account): AuthorizationTable {
  const arns = schedulerArns(account);
  const table = derivedAuthorization(model, {
    prefix: "scheduler",
    resourceOf: (operation, input) => {
      const explicit = stringMember(input, "ResourceArn");
      if (explicit !== undefined) return explicit;
      const name = stringMember(input, "Name");
      if (name === undefined || operation.startsWith("List")) return "*";
      if (operation.endsWith("ScheduleGroup")) return arns.group(name);
      return arns.schedule(stringMember(input, "GroupName") ?? "default", name);
    },
  });
  const passingRole = (operation: string, own: AuthorizationTable[string]) => (input: Record<string, unknown>): readonly ActionRequest[] => {
    const target = input.Target;
    const role = PASSES_ROLE.has(operation) && typeof target === "object" && target !== null ? (target as Record<string, unknown>).RoleArn : undefined;
    return [...own(input), ...passRole([role], "scheduler.amazonaws.com")];
  };
  return Object.fromEntries(Object.entries(table).map(([operation, own]) => [operation, passingRole(operation, own)]));
}
