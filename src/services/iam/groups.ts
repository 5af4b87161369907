/** IAM groups and their members; a group's inline and attached policies apply to every member (src/auth/iam-principals.ts). */
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import type { IamEntity } from "../../core/iam.js";
import type { Operation } from "../../protocol/codecs/model-service.js";
import type { IamStore } from "../../store/ports.js";
import { iamId } from "./ids.js";
import { refuseWhileInUse, requirePrincipal, userShape } from "./principals.js";
import { page, type PageInput } from "./paging.js";

/** IAM's quota: a user is in at most 10 groups (IAM User Guide, "IAM and AWS STS quotas"). */
const GROUPS_PER_USER = 10;

const groupShape = (group: IamEntity) => ({ Path: group.path, GroupName: group.name, GroupId: group.id, Arn: group.arn, CreateDate: new Date(group.createdAt) });

interface GroupInput { readonly GroupName: string; readonly UserName: string; readonly Path?: string; readonly PathPrefix?: string }

export function groupOperations(iam: IamStore, account: Account, now: () => number): Record<string, Operation> {
  return {
    async CreateGroup(input: GroupInput) {
      const path = input.Path ?? "/";
      const group: IamEntity = { kind: "group", name: input.GroupName, id: iamId("AGPA"), arn: `arn:aws:iam::${account.accountId}:group${path}${input.GroupName}`, path, createdAt: now() };
      if (!(await iam.create(group))) throw new UnkaiError("EntityAlreadyExists", `Group with name ${input.GroupName} already exists.`);
      return { Group: groupShape(group) };
    },
    async GetGroup(input: GroupInput & PageInput) {
      const group = await requirePrincipal(iam, "group", input.GroupName);
      const { items, info } = page(await iam.members(group.name), input, (name) => name);
      const users = await Promise.all(items.map((name) => requirePrincipal(iam, "user", name)));
      return { Group: groupShape(group), Users: users.map(userShape), ...info };
    },
    async ListGroups(input: GroupInput & PageInput) {
      const groups = (await iam.list("group")).filter((g) => g.path.startsWith(input.PathPrefix ?? "/"));
      const { items, info } = page(groups, input, (g) => g.name);
      return { Groups: items.map(groupShape), ...info };
    },
    async DeleteGroup(input: GroupInput) {
      const group = await requirePrincipal(iam, "group", input.GroupName);
      if ((await iam.members(group.name)).length > 0) throw new UnkaiError("DeleteConflict", "Cannot delete entity, must remove users from group first.");
      await refuseWhileInUse(iam, "group", group.name);
      await iam.delete("group", group.name);
    },
    async AddUserToGroup(input: GroupInput) {
      const group = await requirePrincipal(iam, "group", input.GroupName);
      const user = await requirePrincipal(iam, "user", input.UserName);
      const groups = await iam.groupsOf(user.name);
      if (groups.length >= GROUPS_PER_USER && !groups.includes(group.name)) {
        throw new UnkaiError("LimitExceeded", `Cannot exceed quota for GroupsPerUser: ${GROUPS_PER_USER}`);
      }
      await iam.addMember(group.name, user.name);
    },
    async RemoveUserFromGroup(input: GroupInput) {
      const group = await requirePrincipal(iam, "group", input.GroupName);
      const user = await requirePrincipal(iam, "user", input.UserName);
      if (!(await iam.removeMember(group.name, user.name))) {
        throw new UnkaiError("NoSuchEntity", `The user with name ${user.name} cannot be found in group ${group.name}.`);
      }
    },
    async ListGroupsForUser(input: GroupInput & PageInput) {
      const user = await requirePrincipal(iam, "user", input.UserName);
      const { items, info } = page(await iam.groupsOf(user.name), input, (name) => name);
      const groups = await Promise.all(items.map((name) => requirePrincipal(iam, "group", name)));
      return { Groups: groups.map(groupShape), ...info };
    },
  };
}

/** DeleteUser refuses while the user is in a group, as IAM does. */
export async function refuseWhileInGroups(iam: IamStore, userName: string): Promise<void> {
  if ((await iam.groupsOf(userName)).length > 0) throw new UnkaiError("DeleteConflict", "Cannot delete entity, must remove users from group first.");
}
