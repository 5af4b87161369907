/**
 * Instance profiles: stored containers for one role each (Create/Get/List/Delete, Add/RemoveRoleFromInstanceProfile,
 * ListInstanceProfilesForRole, Tag/Untag/ListInstanceProfileTags). Unkai runs no EC2 instance, so a profile is only data that tools expecting
 * it (Terraform, CDK, CloudFormation-style setups) can create, read and delete.
 */
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import type { InstanceProfileRecord } from "../../core/iam.js";
import type { Operation } from "../../protocol/codecs/model-service.js";
import type { DocumentStore, IamStore } from "../../store/ports.js";
import { iamId } from "./ids.js";
import { page, type PageInput } from "./paging.js";
import { requirePrincipal, roleShape } from "./principals.js";
import { listTags, mergeTags, removeTags, tagList, type TagInput } from "./tags.js";

/** IAM's quota: one role per instance profile. */
const ROLES_PER_PROFILE = 1;

interface ProfileInput extends TagInput, PageInput {
  readonly InstanceProfileName: string;
  readonly RoleName?: string;
  readonly Path?: string;
  readonly PathPrefix?: string;
}

const keyOf = (name: string) => name.toLowerCase();

/** IAM's InstanceProfile: the profile with its role(s) in full. */
export async function instanceProfileShape(iam: IamStore, profile: InstanceProfileRecord) {
  return {
    Path: profile.path, InstanceProfileName: profile.name, InstanceProfileId: profile.id, Arn: profile.arn, CreateDate: new Date(profile.createdAt),
    Roles: await Promise.all(profile.roles.map(async (role) => roleShape(await requirePrincipal(iam, "role", role)))),
    ...tagList(profile),
  };
}

/** The instance profiles holding `role`, by name. */
export async function profilesOf(profiles: DocumentStore<InstanceProfileRecord>, role: string): Promise<InstanceProfileRecord[]> {
  return (await profiles.list()).filter((p) => p.roles.some((r) => keyOf(r) === keyOf(role))).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** DeleteRole refuses a role some instance profile holds, as IAM does. */
export async function refuseWhileInProfiles(profiles: DocumentStore<InstanceProfileRecord>, role: string): Promise<void> {
  if ((await profilesOf(profiles, role)).length > 0) {
    throw new UnkaiError("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.");
  }
}

export function instanceProfileOperations(iam: IamStore, profiles: DocumentStore<InstanceProfileRecord>, account: Account, now: () => number): Record<string, Operation> {
  const require = async (name: string): Promise<InstanceProfileRecord> => {
    const found = await profiles.get(keyOf(name));
    if (!found) throw new UnkaiError("NoSuchEntity", `Instance Profile ${name} cannot be found.`);
    return found;
  };
  const shape = (profile: InstanceProfileRecord) => instanceProfileShape(iam, profile);
  const byName = (list: InstanceProfileRecord[]) => list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    async CreateInstanceProfile(input: ProfileInput) {
      if (await profiles.get(keyOf(input.InstanceProfileName))) throw new UnkaiError("EntityAlreadyExists", `Instance Profile ${input.InstanceProfileName} already exists.`);
      const path = input.Path ?? "/";
      const profile: InstanceProfileRecord = {
        name: input.InstanceProfileName, id: iamId("AIPA"), arn: `arn:aws:iam::${account.accountId}:instance-profile${path}${input.InstanceProfileName}`,
        path, createdAt: now(), roles: [], tags: mergeTags(undefined, input.Tags),
      };
      await profiles.put(keyOf(profile.name), profile);
      return { InstanceProfile: await shape(profile) };
    },
    async GetInstanceProfile(input: ProfileInput) {
      return { InstanceProfile: await shape(await require(input.InstanceProfileName)) };
    },
    async ListInstanceProfiles(input: ProfileInput) {
      const all = byName((await profiles.list()).filter((p) => p.path.startsWith(input.PathPrefix ?? "/")));
      const { items, info } = page(all, input, (p) => p.name);
      return { InstanceProfiles: await Promise.all(items.map(shape)), ...info };
    },
    async ListInstanceProfilesForRole(input: ProfileInput & { RoleName: string }) {
      const role = await requirePrincipal(iam, "role", input.RoleName);
      const { items, info } = page(await profilesOf(profiles, role.name), input, (p) => p.name);
      return { InstanceProfiles: await Promise.all(items.map(shape)), ...info };
    },
    async DeleteInstanceProfile(input: ProfileInput) {
      const profile = await require(input.InstanceProfileName);
      if (profile.roles.length > 0) throw new UnkaiError("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.");
      await profiles.delete(keyOf(profile.name));
    },
    async AddRoleToInstanceProfile(input: ProfileInput & { RoleName: string }) {
      const profile = await require(input.InstanceProfileName);
      const role = await requirePrincipal(iam, "role", input.RoleName);
      if (profile.roles.length >= ROLES_PER_PROFILE) throw new UnkaiError("LimitExceeded", `Cannot exceed quota for InstanceSessionsPerInstanceProfile: ${ROLES_PER_PROFILE}`);
      await profiles.put(keyOf(profile.name), { ...profile, roles: [...profile.roles, role.name] });
    },
    async TagInstanceProfile(input: ProfileInput) {
      const profile = await require(input.InstanceProfileName);
      await profiles.put(keyOf(profile.name), { ...profile, tags: mergeTags(profile.tags, input.Tags) });
    },
    async UntagInstanceProfile(input: ProfileInput) {
      const profile = await require(input.InstanceProfileName);
      await profiles.put(keyOf(profile.name), { ...profile, tags: removeTags(profile.tags, input.TagKeys) });
    },
    async ListInstanceProfileTags(input: ProfileInput) {
      return listTags((await require(input.InstanceProfileName)).tags, input);
    },
    async RemoveRoleFromInstanceProfile(input: ProfileInput & { RoleName: string }) {
      const profile = await require(input.InstanceProfileName);
      const role = await requirePrincipal(iam, "role", input.RoleName);
      const remaining = profile.roles.filter((r) => keyOf(r) !== keyOf(role.name));
      if (remaining.length === profile.roles.length) throw new UnkaiError("NoSuchEntity", `The role with name ${role.name} cannot be found in instance profile ${profile.name}.`);
      await profiles.put(keyOf(profile.name), { ...profile, roles: remaining });
    },
  };
}
