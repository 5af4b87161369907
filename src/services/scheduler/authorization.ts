/**
 * Scheduler's IAM actions, derived from its model: `scheduler:<Operation>` on the schedule
 * (`arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>`) or schedule group
 * (`schedule-group/<name>`) the input names; a ResourceArn as given; `*` for the listings. CreateSchedule
 * and UpdateSchedule also need iam:PassRole on the target's RoleArn.
 */
import type { Account } from "../../core/arn.js";
import { derivedAuthorization, memberOf, stringMember, type AuthorizationTable } from "../../protocol/codecs/derived-authorization.js";
import type { ServiceModel } from "../../protocol/codecs/model.js";

export function schedulerArns(account: Account) {
  const prefix = `arn:aws:scheduler:${account.region}:${account.accountId}`;
  return {
    schedule: (group: string, name: string) => `${prefix}:schedule/${group}/${name}`,
    group: (name: string) => `${prefix}:schedule-group/${name}`,
  };
}

/** The execution role CreateSchedule and UpdateSchedule pass to Scheduler (iam:PassRole on it, as on AWS). */
const targetRole = (input: Record<string, unknown>) => [memberOf(input.Target, "RoleArn")];

export function schedulerAuthorization(model: ServiceModel, account: Account): AuthorizationTable {
  const arns = schedulerArns(account);
  return derivedAuthorization(model, {
    prefix: "scheduler",
    passedRoles: { service: "scheduler.amazonaws.com", of: { CreateSchedule: targetRole, UpdateSchedule: targetRole } },
    resourceOf: (operation, input) => {
      const explicit = stringMember(input, "ResourceArn");
      if (explicit !== undefined) return explicit;
      const name = stringMember(input, "Name");
      if (name === undefined || operation.startsWith("List")) return "*";
      if (operation.endsWith("ScheduleGroup")) return arns.group(name);
      return arns.schedule(stringMember(input, "GroupName") ?? "default", name);
    },
  });
}
