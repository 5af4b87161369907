/**
 * Where a managed policy is in use: attached to users, groups and roles (its permissions-policy use) and
 * named as users' and roles' permissions boundary. ListEntitiesForPolicy lists both; DeletePolicy refuses
 * while either remains, as IAM does (a boundary whose policy were gone would allow nothing).
 */
import { UnkaiError } from "../../core/errors.js";
import type { IamEntity } from "../../core/iam.js";
import type { Operation } from "../../protocol/codecs/model-service.js";
import type { IamStore } from "../../store/ports.js";
import { page, type PageInput } from "./paging.js";

interface EntitiesInput extends PageInput {
  readonly PolicyArn: string;
  readonly EntityFilter?: "User" | "Role" | "Group" | "LocalManagedPolicy" | "AWSManagedPolicy";
  readonly PathPrefix?: string;
  readonly PolicyUsageFilter?: "PermissionsPolicy" | "PermissionsBoundary";
}

/** DeletePolicy's refusal while the policy is attached or is some user's or role's boundary (IAM answers both alike). */
export async function refuseWhileInUse(iam: IamStore, policyArn: string): Promise<void> {
  if ((await iam.attachmentCount(policyArn)) > 0 || (await iam.boundedBy(policyArn)).length > 0) {
    throw new UnkaiError("DeleteConflict", "Cannot delete a policy attached to entities.");
  }
}

/** The entities using the policy the way `usage` asks (both ways when absent), each once, by kind then name. */
async function usersOf(iam: IamStore, policyArn: string, usage: EntitiesInput["PolicyUsageFilter"]): Promise<IamEntity[]> {
  const attached = usage === "PermissionsBoundary" ? [] : await iam.attachedTo(policyArn);
  const bounded = usage === "PermissionsPolicy" ? [] : await iam.boundedBy(policyArn);
  const byKey = new Map([...attached, ...bounded].map((e) => [`${e.kind}/${e.name}`, e]));
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
}

export function policyUsageOperations(iam: IamStore, require: (arn: string) => Promise<{ readonly arn: string }>): Record<string, Operation> {
  return {
    async ListEntitiesForPolicy(input: EntitiesInput) {
      const policy = await require(input.PolicyArn);
      const kind = input.EntityFilter?.toLowerCase();
      const entities = (await usersOf(iam, policy.arn, input.PolicyUsageFilter))
        .filter((e) => (kind === undefined || e.kind === kind) && e.path.startsWith(input.PathPrefix ?? "/"));
      const { items, info } = page(entities, input, (e) => `${e.kind}/${e.name}`);
      const of = (k: IamEntity["kind"]) => items.filter((e) => e.kind === k);
      return {
        PolicyGroups: of("group").map((e) => ({ GroupName: e.name, GroupId: e.id })),
        PolicyUsers: of("user").map((e) => ({ UserName: e.name, UserId: e.id })),
        PolicyRoles: of("role").map((e) => ({ RoleName: e.name, RoleId: e.id })),
        ...info,
      };
    },
  };
}
