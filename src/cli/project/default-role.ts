/**
 * The execution role `unkai deploy` gives functions that name none (`unkai-default`). Under IAM
 * enforcement (Unkai's default) CreateFunction refuses a role that does not exist, as AWS does, so the
 * first deploy creates it as SAM creates a function's role: trusting Lambda, with
 * AWSLambdaBasicExecutionRole (its logs and nothing else). A role the user made or changed is kept.
 */
import { signedFetch } from "../client.js";
import { CliError } from "../output.js";

export const DEFAULT_ROLE_NAME = "unkai-default";
const BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

async function iam(endpoint: string, params: Record<string, string>): Promise<{ ok: boolean; text: string }> {
  const body = new URLSearchParams({ Version: "2010-05-08", ...params }).toString();
  const response = await signedFetch(endpoint, "/", { method: "POST", body, service: "iam", contentType: "application/x-www-form-urlencoded" });
  return { ok: response.ok, text: await response.text() };
}

/** Creates `unkai-default` when IAM has no such role; its ARN. */
export async function ensureDefaultRole(endpoint: string): Promise<string> {
  const found = await iam(endpoint, { Action: "GetRole", RoleName: DEFAULT_ROLE_NAME });
  const arnOf = (xml: string) => /<Arn>([^<]+)<\/Arn>/.exec(xml)?.[1];
  if (found.ok) return arnOf(found.text) ?? "";
  if (!found.text.includes("NoSuchEntity")) throw new CliError(`could not read the default execution role ${DEFAULT_ROLE_NAME}: ${found.text.slice(0, 300)}`);
  const created = await iam(endpoint, {
    Action: "CreateRole", RoleName: DEFAULT_ROLE_NAME, AssumeRolePolicyDocument: TRUST,
    Description: "Execution role of functions deployed by unkai deploy without a role",
  });
  // Another deploy may have made it meanwhile: that one is as good.
  if (!created.ok && !created.text.includes("EntityAlreadyExists")) {
    throw new CliError(`could not create the default execution role ${DEFAULT_ROLE_NAME}: ${created.text.slice(0, 300)}`, "Give the function a role with --role, or \"role\" in unkai.json.");
  }
  if (created.ok) {
    const attached = await iam(endpoint, { Action: "AttachRolePolicy", RoleName: DEFAULT_ROLE_NAME, PolicyArn: BASIC });
    if (!attached.ok) throw new CliError(`could not attach AWSLambdaBasicExecutionRole to ${DEFAULT_ROLE_NAME}: ${attached.text.slice(0, 300)}`);
  }
  return arnOf(created.text) ?? (arnOf((await iam(endpoint, { Action: "GetRole", RoleName: DEFAULT_ROLE_NAME })).text) ?? "");
}
