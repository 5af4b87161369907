/**
 * IAM: users (groups, attached and inline policies, access keys; create, and delete one that has nothing
 * left attached), roles (who their trust policy lets in, their policies, the trust policy's JSON) and
 * policies (the account's with default version and attachment count, and AWS's, collapsed; a version's JSON).
 * Recent denials (iam-denials.js) come last. `#/iam/roles/<name>` opens the page on that role's trust policy (the function page's Permissions tab links there).
 */
import {
  CreateUserCommand, DeleteUserCommand, GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand, ListAttachedUserPoliciesCommand, ListGroupsForUserCommand, ListPoliciesCommand,
  ListRolePoliciesCommand, ListRolesCommand, ListUserPoliciesCommand, ListUsersCommand,
} from "@aws-sdk/client-iam";
import { iam } from "../api.js";
import { errorBox, h, replace, runAction } from "../dom.js";
import { recentDenialsCard } from "../iam-denials.js";
import { listAll, prettyDocument, trustedPrincipals } from "../iam-documents.js";

const names = (list, key) => list.map((p) => p[key]).join(", ") || "–";
const date = (d) => (d ? new Date(d).toLocaleString() : "–");

async function userDetails(user) {
  const UserName = user.UserName;
  const [groups, attached, inline, keys] = await Promise.all([
    listAll(ListGroupsForUserCommand, { UserName }, "Groups"),
    listAll(ListAttachedUserPoliciesCommand, { UserName }, "AttachedPolicies"),
    listAll(ListUserPoliciesCommand, { UserName }, "PolicyNames"),
    listAll(ListAccessKeysCommand, { UserName }, "AccessKeyMetadata"),
  ]);
  return { user, groups, attached, inline, keys };
}

/** Why IAM would refuse DeleteUser (it does not cascade), or undefined when nothing is left attached. */
function deleteBlocker({ user, groups, attached, inline, keys }) {
  const left = [
    keys.length && `${keys.length} access key(s)`, attached.length && `${attached.length} attached policy(ies)`,
    inline.length && `${inline.length} inline policy(ies)`, groups.length && `membership of ${groups.length} group(s)`,
  ].filter(Boolean);
  return left.length ? `Cannot delete ${user.UserName}: it still has ${left.join(", ")}. Remove them first (IAM's DeleteUser does not cascade).` : undefined;
}

function userRow(details, remove) {
  const { user, groups, attached, inline, keys } = details;
  return h("tr", { "data-user": user.UserName },
    h("td", {}, user.UserName), h("td", { class: "mono" }, user.Arn), h("td", {}, date(user.CreateDate)),
    h("td", {}, names(groups, "GroupName")), h("td", {}, names(attached, "PolicyName")), h("td", {}, inline.join(", ") || "–"),
    h("td", { class: "mono" }, keys.map((k) => `${k.AccessKeyId} (${k.Status})`).join(", ") || "–"),
    h("td", {}, h("button", { class: "link danger", onclick: () => void remove(details) }, "Delete")));
}

function roleRow(role, attached, inline, view) {
  return h("tr", { "data-role": role.RoleName },
    h("td", {}, role.RoleName), h("td", { class: "mono" }, role.Arn),
    h("td", {}, trustedPrincipals(role.AssumeRolePolicyDocument).join(" | ") || "–"),
    h("td", {}, names(attached, "PolicyName")), h("td", {}, inline.join(", ") || "–"),
    h("td", {}, h("button", { class: "link", onclick: () => void view(role.RoleName) }, "Trust policy")));
}

function policyRow(policy, view) {
  return h("tr", { "data-policy": policy.PolicyName },
    h("td", {}, policy.PolicyName), h("td", { class: "mono" }, policy.Arn), h("td", {}, policy.DefaultVersionId ?? "–"),
    h("td", { class: "num" }, String(policy.AttachmentCount ?? 0)),
    h("td", {}, h("button", { class: "link", onclick: () => void view(policy.Arn) }, "View JSON")));
}

const table = (id, columns, body) => h("table", { class: "list", id }, h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c)))), body);
const emptyRow = (colspan, text) => h("tr", {}, h("td", { colspan, class: "empty" }, text));

export async function iamPage(container, kind, entity) {
  const errors = errorBox();
  const users = h("tbody");
  const roles = h("tbody");
  const local = h("tbody");
  const aws = h("tbody");
  const documentTitle = h("h3", {}, "Document");
  const documentBody = h("pre", { class: "payload", id: "iam-document" });
  const documentCard = h("div", { class: "card", id: "iam-document-card", hidden: true }, documentTitle, documentBody);
  const denials = recentDenialsCard();
  const userName = h("input", { name: "user-name", placeholder: "alice", "aria-label": "New user name", required: true, pattern: "[\\w+=,.@-]{1,64}" });

  const showDocument = (title, raw) => {
    replace(documentTitle, title);
    replace(documentBody, prettyDocument(raw));
    documentCard.hidden = false;
    documentCard.scrollIntoView?.({ block: "nearest" });
  };
  const viewTrust = (RoleName) => runAction(errors, async () => {
    const { Role } = await iam().send(new GetRoleCommand({ RoleName }));
    showDocument(`Trust policy of ${RoleName}`, Role?.AssumeRolePolicyDocument);
  }, async () => {});
  const viewPolicy = (PolicyArn) => runAction(errors, async () => {
    const { Policy } = await iam().send(new GetPolicyCommand({ PolicyArn }));
    const { PolicyVersion } = await iam().send(new GetPolicyVersionCommand({ PolicyArn, VersionId: Policy?.DefaultVersionId }));
    showDocument(`${Policy?.PolicyName} (${PolicyVersion?.VersionId}, default version)`, PolicyVersion?.Document);
  }, async () => {});

  const loadUsers = async () => {
    const list = await Promise.all((await listAll(ListUsersCommand, {}, "Users")).map(userDetails));
    replace(users, list.length ? list.map((d) => userRow(d, removeUser)) : emptyRow(8, "No users yet: create one."));
  };
  const loadRoles = async () => {
    const list = await listAll(ListRolesCommand, {}, "Roles");
    const rows = await Promise.all(list.map(async (role) => roleRow(role,
      await listAll(ListAttachedRolePoliciesCommand, { RoleName: role.RoleName }, "AttachedPolicies"),
      await listAll(ListRolePoliciesCommand, { RoleName: role.RoleName }, "PolicyNames"), viewTrust)));
    replace(roles, rows.length ? rows : emptyRow(6, "No roles yet."));
  };
  const loadPolicies = async () => {
    const [mine, theirs] = await Promise.all([
      listAll(ListPoliciesCommand, { Scope: "Local" }, "Policies"), listAll(ListPoliciesCommand, { Scope: "AWS" }, "Policies"),
    ]);
    replace(local, mine.length ? mine.map((p) => policyRow(p, viewPolicy)) : emptyRow(5, "No customer managed policies yet."));
    replace(aws, theirs.map((p) => policyRow(p, viewPolicy)));
  };
  const load = async () => {
    try {
      await Promise.all([loadUsers(), loadRoles(), loadPolicies(), denials.load()]);
    } catch (error) {
      errors.show(error);
    }
  };
  const createUser = (event) => {
    event.preventDefault();
    const UserName = userName.value.trim();
    return runAction(errors, async () => {
      await iam().send(new CreateUserCommand({ UserName }));
      userName.value = "";
    }, loadUsers, `Created user ${UserName}.`);
  };
  const removeUser = async (details) => {
    const blocker = deleteBlocker(details);
    if (blocker) return errors.show(new Error(blocker));
    if (!confirm(`Delete user ${details.user.UserName}?`)) return;
    await runAction(errors, () => iam().send(new DeleteUserCommand({ UserName: details.user.UserName })), loadUsers, `Deleted ${details.user.UserName}.`);
  };

  replace(container,
    h("div", { class: "page-head" }, h("h1", {}, "IAM")),
    errors.el,
    documentCard,
    h("div", { class: "card" }, h("h3", {}, "Users"),
      h("form", { class: "toolbar", id: "create-user", onsubmit: createUser }, userName, h("button", { class: "primary", type: "submit" }, "Create user")),
      table("users-table", ["User", "ARN", "Created", "Groups", "Attached policies", "Inline policies", "Access keys", ""], users)),
    h("div", { class: "card" }, h("h3", {}, "Roles"),
      table("roles-table", ["Role", "ARN", "Trusted principals", "Attached policies", "Inline policies", ""], roles)),
    h("div", { class: "card" }, h("h3", {}, "Customer managed policies"),
      table("policies-table", ["Policy", "ARN", "Default version", "Attachments", ""], local),
      h("details", { id: "aws-policies" }, h("summary", {}, "AWS managed policies (Scope=AWS)"),
        table("aws-policies-table", ["Policy", "ARN", "Default version", "Attachments", ""], aws))),
    denials.el);
  await load();
  if (kind === "roles" && entity) {
    container.querySelector(`tr[data-role="${CSS.escape(entity)}"]`)?.classList.add("selected");
    await viewTrust(entity);
  }
}
