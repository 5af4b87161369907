/**
 * Permissions: the execution role (its policies, and whether it trusts Lambda), the function's resource-based
 * policy with a way to remove a statement, and a simulator box that asks IAM's own evaluator
 * (SimulatePrincipalPolicy) whether the role may do an action on a resource, and which statements decided it —
 * the console's answer to "why was this denied". Each card shows its own API error.
 */
import {
  GetRoleCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand, SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import { GetPolicyCommand, RemovePermissionCommand } from "@aws-sdk/client-lambda";
import { iam, lambda } from "../api.js";
import { errorBox, h, replace, runAction } from "../dom.js";
import { describePrincipal, listAll, trustsService } from "../iam-documents.js";

const roleNameOf = (arn) => arn.slice(arn.lastIndexOf("/") + 1);
const asList = (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

async function roleCard(roleArn) {
  const errors = errorBox();
  const RoleName = roleNameOf(roleArn);
  const facts = h("dl", { class: "facts-list", id: "execution-role" });
  const card = h("div", { class: "card" }, h("h3", {}, "Execution role"), errors.el, facts);
  const link = h("a", { href: `#/iam/roles/${encodeURIComponent(RoleName)}`, title: roleArn, id: "execution-role-link" }, RoleName);
  try {
    const [{ Role }, attached, inline] = await Promise.all([
      iam().send(new GetRoleCommand({ RoleName })),
      listAll(ListAttachedRolePoliciesCommand, { RoleName }, "AttachedPolicies"),
      listAll(ListRolePoliciesCommand, { RoleName }, "PolicyNames"),
    ]);
    const trusts = trustsService(Role?.AssumeRolePolicyDocument, "lambda.amazonaws.com");
    replace(facts,
      h("dt", {}, "Role"), h("dd", {}, link, " ", h("span", { class: "mono" }, roleArn)),
      h("dt", {}, "Attached policies"), h("dd", { id: "role-attached" }, attached.map((p) => p.PolicyName).join(", ") || "none"),
      h("dt", {}, "Inline policies"), h("dd", { id: "role-inline" }, inline.join(", ") || "none"),
      h("dt", {}, "Trusts lambda.amazonaws.com"), h("dd", { id: "role-trusts-lambda" }, trusts ? "Yes" : "No: Lambda cannot assume this role"));
  } catch (error) {
    replace(facts, h("dt", {}, "Role"), h("dd", {}, link, " ", h("span", { class: "mono" }, roleArn)));
    errors.show(error);
  }
  return card;
}

/** The SourceArn (or SourceAccount) a statement's condition pins, as text. */
function sourceCondition(statement) {
  const found = [];
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, value] of Object.entries(keys ?? {})) {
      if (/^aws:Source(Arn|Account)$/i.test(key)) found.push(`${operator} ${key} ${asList(value).join(", ")}`);
    }
  }
  return found.join("; ") || "–";
}

function resourcePolicyCard(name) {
  const errors = errorBox();
  const rows = h("tbody");
  const card = h("div", { class: "card" }, h("h3", {}, "Resource-based policy"), errors.el,
    h("table", { class: "list", id: "resource-policy" },
      h("thead", {}, h("tr", {}, ["Sid", "Principal", "Action", "Source condition", ""].map((c) => h("th", {}, c)))), rows));
  const load = async () => {
    let statements = [];
    try {
      const { Policy } = await lambda().send(new GetPolicyCommand({ FunctionName: name }));
      statements = asList(JSON.parse(Policy ?? "{}").Statement);
    } catch (error) {
      if (error?.name !== "ResourceNotFoundException") throw error;
    }
    replace(rows, statements.length === 0 ? h("tr", {}, h("td", { colspan: 5, class: "empty" }, "No resource-based policy: only the execution role's account can invoke it."))
      : statements.map((s) => h("tr", { "data-sid": s.Sid ?? "" },
        h("td", {}, s.Sid ?? "–"), h("td", { class: "mono" }, describePrincipal(s.Principal)), h("td", {}, asList(s.Action).join(", ")),
        h("td", { class: "mono" }, sourceCondition(s)),
        h("td", {}, h("button", { class: "link danger", onclick: () => void remove(s.Sid) }, "Remove")))));
  };
  const remove = (StatementId) => {
    if (!confirm(`Remove statement ${StatementId}?`)) return;
    return runAction(errors, () => lambda().send(new RemovePermissionCommand({ FunctionName: name, StatementId })), load, `Removed ${StatementId}.`);
  };
  return { card, load: () => runAction(errors, async () => {}, load) };
}

function simulateCard(roleArn, functionArn) {
  const errors = errorBox();
  const action = h("input", { name: "simulate-action", "aria-label": "Action", placeholder: "s3:GetObject", required: true, class: "mono" });
  const resource = h("input", { name: "simulate-resource", "aria-label": "Resource ARN", value: functionArn, required: true, class: "mono", size: 60 });
  const result = h("div", { id: "simulate-result" });
  const run = (event) => {
    event.preventDefault();
    return runAction(errors, async () => {
      const answer = await iam().send(new SimulatePrincipalPolicyCommand({
        PolicySourceArn: roleArn, ActionNames: [action.value.trim()], ResourceArns: [resource.value.trim()],
      }));
      const r = answer.EvaluationResults?.[0] ?? {};
      const matched = r.MatchedStatements ?? [];
      replace(result,
        h("p", {}, `${r.EvalActionName} on ${r.EvalResourceName}: `, h("strong", { id: "simulate-decision", "data-decision": r.EvalDecision }, r.EvalDecision)),
        matched.length ? h("ul", { id: "simulate-matched" }, matched.map((m) => h("li", {}, `${m.SourcePolicyId} (${m.SourcePolicyType})`)))
          : h("p", { class: "hint" }, "No statement matched: nothing allows it, so it is denied by default."),
        (r.MissingContextValues ?? []).length ? h("p", { class: "hint" }, `Condition keys not given: ${r.MissingContextValues.join(", ")}`) : undefined);
    }, async () => {});
  };
  return h("form", { class: "card form", id: "simulate", onsubmit: run },
    h("h3", {}, "Why is this denied? Simulate the execution role"),
    h("p", { class: "hint" }, "Runs IAM's policy simulator (SimulatePrincipalPolicy) on the role's policies, as enforcement evaluates them."),
    errors.el, h("div", { class: "toolbar" }, action, resource, h("button", { class: "primary", type: "submit" }, "Simulate")), result);
}

export async function permissionsTab(body, fn) {
  const { FunctionName, FunctionArn, Role } = fn.Configuration;
  const policy = resourcePolicyCard(FunctionName);
  replace(body, await roleCard(Role), policy.card, simulateCard(Role, FunctionArn));
  await policy.load();
}
