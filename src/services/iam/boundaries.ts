/**
 * Permissions boundaries on users and roles (Put/Delete{User,Role}PermissionsBoundary, `PermissionsBoundary`
 * on CreateUser/CreateRole): a managed policy (AWS's or the account's) that caps what the principal's identity
 * policies allow; the enforcer evaluates it (src/auth/iam-principals.ts, docs/iam.md).
 */
import { UnkaiError } from "../../core/errors.js";
import type { IamEntity, IamPrincipalKind } from "../../core/iam.js";
import { findManagedPolicy } from "../../core/iam-policy/index.js";
import type { Operation } from "../../protocol/codecs/model-service.js";
import type { IamStore } from "../../store/ports.js";
import { requirePrincipal } from "./principals.js";

/** `arn` when it names a managed policy that exists; IAM's NoSuchEntity otherwise. */
export async function requireBoundary(iam: IamStore, arn: string | undefined): Promise<string | undefined> {
  if (arn === undefined) return undefined;
  if (findManagedPolicy(arn) || (await iam.list("policy")).some((p) => p.arn === arn)) return arn;
  throw new UnkaiError("NoSuchEntity", `Scope ARN: ${arn} does not exist or is not attachable.`);
}

/** IAM's `PermissionsBoundary` member of a user or role, when it has one. */
export const boundaryShape = (entity: IamEntity) =>
  entity.permissionsBoundary !== undefined ? { PermissionsBoundary: { PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: entity.permissionsBoundary } } : {};

export function boundaryOperations(iam: IamStore): Record<string, Operation> {
  const ops: Record<string, Operation> = {};
  for (const kind of ["user", "role"] as const satisfies readonly IamPrincipalKind[]) {
    const Kind = kind === "user" ? "User" : "Role";
    const nameOf = (input: { UserName?: string; RoleName?: string }) => (kind === "user" ? input.UserName : input.RoleName) ?? "";
    ops[`Put${Kind}PermissionsBoundary`] = async (input: { UserName?: string; RoleName?: string; PermissionsBoundary: string }) => {
      const entity = await requirePrincipal(iam, kind, nameOf(input));
      await iam.setPermissionsBoundary(kind, entity.name, await requireBoundary(iam, input.PermissionsBoundary));
    };
    ops[`Delete${Kind}PermissionsBoundary`] = async (input: { UserName?: string; RoleName?: string }) => {
      const entity = await requirePrincipal(iam, kind, nameOf(input));
      await iam.setPermissionsBoundary(kind, entity.name, undefined);
    };
  }
  return ops;
}
