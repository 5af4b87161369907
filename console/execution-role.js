/**
 * The create page's execution role, as AWS's console offers it: a new role with basic Lambda
 * permissions (the default; named `<function>-role-<random>` under `/service-role/`, trusting Lambda,
 * with AWSLambdaBasicExecutionRole attached), or an existing role that trusts Lambda. Under IAM
 * enforcement (Unkai's default) CreateFunction refuses a role that does not exist.
 */
import { AttachRolePolicyCommand, CreateRoleCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import { iam } from "./api.js";
import { h } from "./dom.js";
import { trustsService } from "./iam-documents.js";

const BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** The role chooser's element and `resolve(functionName)`, which answers the role ARN to create the function with. */
export function executionRoleChooser() {
  let chosen = "new";
  const existing = h("select", { name: "existing-role", disabled: true }, h("option", { value: "" }, "Loading roles…"));
  const choice = (value, label) => h("label", { class: "choice" },
    h("input", { type: "radio", name: "role-mode", value, checked: value === chosen, onchange: () => { chosen = value; existing.disabled = value !== "existing"; } }),
    label);
  const el = h("div", { class: "choices", role: "radiogroup" },
    choice("new", "Create a new role with basic Lambda permissions"),
    choice("existing", "Use an existing role"),
    existing);
  void listLambdaRoles().then((roles) => {
    existing.replaceChildren(...(roles.length
      ? roles.map((r) => h("option", { value: r.Arn }, r.RoleName))
      : [h("option", { value: "" }, "No role trusts lambda.amazonaws.com")]));
  }, (error) => existing.replaceChildren(h("option", { value: "" }, `Roles could not be listed: ${error.name ?? error}`)));
  return {
    el,
    async resolve(functionName) {
      if (chosen === "existing") {
        if (!existing.value) throw new Error("Choose a role that trusts lambda.amazonaws.com, or create a new one.");
        return existing.value;
      }
      return createBasicRole(functionName);
    },
  };
}

async function listLambdaRoles() {
  const roles = [];
  let Marker;
  do {
    const page = await iam().send(new ListRolesCommand({ Marker }));
    roles.push(...(page.Roles ?? []).filter((r) => trustsService(r.AssumeRolePolicyDocument, "lambda.amazonaws.com")));
    Marker = page.IsTruncated ? page.Marker : undefined;
  } while (Marker);
  return roles;
}

async function createBasicRole(functionName) {
  const suffix = Math.random().toString(36).slice(2, 10).padEnd(8, "0");
  const RoleName = `${functionName}-role-${suffix}`.slice(0, 64);
  const created = await iam().send(new CreateRoleCommand({
    RoleName, Path: "/service-role/", AssumeRolePolicyDocument: TRUST, Description: `Execution role of ${functionName}, made by Unkai's console`,
  }));
  await iam().send(new AttachRolePolicyCommand({ RoleName, PolicyArn: BASIC }));
  return created.Role.Arn;
}
