/** IAM users and roles, and their inline policies. */
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import type { IamEntity, IamPrincipalKind, InstanceProfileRecord } from "../../core/iam.js";
import type { Operation } from "../../protocol/codecs/model-service.js";
import type { AccessKeyStore, DocumentStore, IamStore } from "../../store/ports.js";
import { refuseWhileInProfiles } from "./instance-profiles.js";
import { boundaryShape, requireBoundary } from "./boundaries.js";
import { refuseWhileKeys } from "./access-keys.js";
import { refuseWhileInGroups } from "./groups.js";
import { checkDocument, encodeDocument, POLICY_SIZE_LIMITS } from "./documents.js";
import { iamId } from "./ids.js";
import { mergeTags, tagList, type TagInput } from "./tags.js";
import { page, type PageInput } from "./paging.js";

const LABEL: Readonly<Record<IamPrincipalKind, string>> = { user: "user", role: "role", group: "group" };

export function userShape(user: IamEntity) {
  return { Path: user.path, UserName: user.name, UserId: user.id, Arn: user.arn, CreateDate: new Date(user.createdAt), ...boundaryShape(user), ...tagList(user) };
}

export function roleShape(role: IamEntity) {
  return {
    Path: role.path, RoleName: role.name, RoleId: role.id, Arn: role.arn, CreateDate: new Date(role.createdAt),
    AssumeRolePolicyDocument: encodeDocument(role.document ?? ""),
    ...(role.description !== undefined ? { Description: role.description } : {}),
    MaxSessionDuration: role.maxSessionDurationSeconds ?? 3600,
    ...boundaryShape(role),
    ...tagList(role),
  };
}

/** The principal or NoSuchEntity in IAM's words ("The role with name X cannot be found."). */
export async function requirePrincipal(iam: IamStore, kind: IamPrincipalKind, name: string): Promise<IamEntity> {
  const found = await iam.get(kind, name);
  if (!found) throw new UnkaiError("NoSuchEntity", `The ${LABEL[kind]} with name ${name} cannot be found.`);
  return found;
}

interface NameInput { readonly UserName?: string; readonly RoleName?: string; readonly GroupName?: string; readonly Path?: string; readonly PermissionsBoundary?: string }
interface RoleInput extends NameInput, TagInput { readonly RoleName: string; readonly AssumeRolePolicyDocument: string; readonly Description?: string; readonly MaxSessionDuration?: number }
interface InlineInput extends NameInput { readonly PolicyName: string; readonly PolicyDocument?: string }

export async function refuseWhileInUse(iam: IamStore, kind: IamPrincipalKind, name: string): Promise<void> {
  if ((await iam.inlinePolicies(kind, name)).length > 0) throw new UnkaiError("DeleteConflict", "Cannot delete entity, must delete policies first.");
  if ((await iam.attached(kind, name)).length > 0) throw new UnkaiError("DeleteConflict", "Cannot delete entity, must detach all policies first.");
}

/** CreateUser … DeleteRole. */
export function principalOperations(iam: IamStore, keys: AccessKeyStore, profiles: DocumentStore<InstanceProfileRecord>, account: Account, now: () => number): Record<string, Operation> {
  const arn = (kind: IamPrincipalKind, path: string, name: string) => `arn:aws:iam::${account.accountId}:${kind}${path}${name}`;
  return {
    async CreateUser(input: NameInput & TagInput & { UserName: string }) {
      const path = input.Path ?? "/";
      const user: IamEntity = {
        kind: "user", name: input.UserName, id: iamId("AIDA"), arn: arn("user", path, input.UserName), path, createdAt: now(), tags: mergeTags(undefined, input.Tags),
        permissionsBoundary: await requireBoundary(iam, input.PermissionsBoundary),
      };
      if (!(await iam.create(user))) throw new UnkaiError("EntityAlreadyExists", `User with name ${input.UserName} already exists.`);
      return { User: userShape(user) };
    },
    async GetUser(input: NameInput, ctx) {
      const name = input.UserName ?? (ctx.caller.principal.kind === "user" ? ctx.caller.principal.userName : "");
      return { User: userShape(await requirePrincipal(iam, "user", name)) };
    },
    async ListUsers(input: { PathPrefix?: string } & PageInput) {
      const users = (await iam.list("user")).filter((u) => u.path.startsWith(input.PathPrefix ?? "/"));
      const { items, info } = page(users, input, (u) => u.name);
      return { Users: items.map(userShape), ...info };
    },
    async DeleteUser(input: { UserName: string }) {
      await requirePrincipal(iam, "user", input.UserName);
      await refuseWhileInUse(iam, "user", input.UserName);
      await refuseWhileKeys(keys, input.UserName);
      await refuseWhileInGroups(iam, input.UserName);
      await iam.delete("user", input.UserName);
    },
    async CreateRole(input: RoleInput) {
      checkDocument(input.AssumeRolePolicyDocument, "trust", POLICY_SIZE_LIMITS.trust, `Cannot exceed quota for ACLSizePerRole: ${POLICY_SIZE_LIMITS.trust}`);
      const path = input.Path ?? "/";
      const role: IamEntity = {
        kind: "role", name: input.RoleName, id: iamId("AROA"), arn: arn("role", path, input.RoleName), path, createdAt: now(),
        document: input.AssumeRolePolicyDocument, description: input.Description, maxSessionDurationSeconds: input.MaxSessionDuration ?? 3600,
        tags: mergeTags(undefined, input.Tags), permissionsBoundary: await requireBoundary(iam, input.PermissionsBoundary),
      };
      if (!(await iam.create(role))) throw new UnkaiError("EntityAlreadyExists", `Role with name ${input.RoleName} already exists.`);
      return { Role: roleShape(role) };
    },
    async GetRole(input: { RoleName: string }) {
      return { Role: roleShape(await requirePrincipal(iam, "role", input.RoleName)) };
    },
    async ListRoles(input: { PathPrefix?: string } & PageInput) {
      const roles = (await iam.list("role")).filter((r) => r.path.startsWith(input.PathPrefix ?? "/"));
      const { items, info } = page(roles, input, (r) => r.name);
      return { Roles: items.map(roleShape), ...info };
    },
    async UpdateAssumeRolePolicy(input: { RoleName: string; PolicyDocument: string }) {
      const role = await requirePrincipal(iam, "role", input.RoleName);
      checkDocument(input.PolicyDocument, "trust", POLICY_SIZE_LIMITS.trust, `Cannot exceed quota for ACLSizePerRole: ${POLICY_SIZE_LIMITS.trust}`);
      await iam.updateRole(role.name, { document: input.PolicyDocument });
    },
    async UpdateRole(input: { RoleName: string; Description?: string; MaxSessionDuration?: number }) {
      // The model's range (3,600–43,200 s) is checked by the codec before this runs.
      const role = await requirePrincipal(iam, "role", input.RoleName);
      await iam.updateRole(role.name, { description: input.Description, maxSessionDurationSeconds: input.MaxSessionDuration });
    },
    async DeleteRole(input: { RoleName: string }) {
      await requirePrincipal(iam, "role", input.RoleName);
      await refuseWhileInUse(iam, "role", input.RoleName);
      await refuseWhileInProfiles(profiles, input.RoleName);
      await iam.delete("role", input.RoleName);
    },
  };
}

/** The request's user, role or group name, by the kind an operation is about. */
export const KIND_NAMES = {
  user: { Kind: "User", nameOf: (input: NameInput) => input.UserName ?? "" },
  role: { Kind: "Role", nameOf: (input: NameInput) => input.RoleName ?? "" },
  group: { Kind: "Group", nameOf: (input: NameInput) => input.GroupName ?? "" },
} as const;

/** Put/Get/List/Delete{User,Role,Group}Policy. */
export function inlinePolicyOperations(iam: IamStore): Record<string, Operation> {
  const ops: Record<string, Operation> = {};
  for (const kind of ["user", "role", "group"] as const) {
    const { Kind, nameOf } = KIND_NAMES[kind];
    const limit = POLICY_SIZE_LIMITS[`${kind}Inline`];
    ops[`Put${Kind}Policy`] = async (input: InlineInput) => {
      const principal = await requirePrincipal(iam, kind, nameOf(input));
      const document = input.PolicyDocument ?? "";
      checkDocument(document, "identity", limit, `Maximum policy size of ${limit} bytes exceeded for ${kind} ${principal.name}`);
      await iam.putInlinePolicy(kind, principal.name, { policyName: input.PolicyName, document });
    };
    ops[`Get${Kind}Policy`] = async (input: InlineInput) => {
      const principal = await requirePrincipal(iam, kind, nameOf(input));
      const policy = (await iam.inlinePolicies(kind, principal.name)).find((p) => p.policyName === input.PolicyName);
      if (!policy) throw new UnkaiError("NoSuchEntity", `The ${kind} policy with name ${input.PolicyName} cannot be found.`);
      return { [`${Kind}Name`]: principal.name, PolicyName: policy.policyName, PolicyDocument: encodeDocument(policy.document) };
    };
    ops[`List${Kind}Policies`] = async (input: InlineInput & PageInput) => {
      const principal = await requirePrincipal(iam, kind, nameOf(input));
      const { items, info } = page((await iam.inlinePolicies(kind, principal.name)).map((p) => p.policyName), input, (name) => name);
      return { PolicyNames: items, ...info };
    };
    ops[`Delete${Kind}Policy`] = async (input: InlineInput) => {
      const principal = await requirePrincipal(iam, kind, nameOf(input));
      if (!(await iam.deleteInlinePolicy(kind, principal.name, input.PolicyName))) {
        throw new UnkaiError("NoSuchEntity", `The ${kind} policy with name ${input.PolicyName} cannot be found.`);
      }
    };
  }
  return ops;
}
