/**
 * The suite's execution role. Under `--iam enforce` (Unkai's default) CreateFunction refuses a role
 * that does not exist or does not trust Lambda, as AWS does, so every server a test starts gets
 * `unkai-test` (the `ROLE` most tests name), trusting `lambda.amazonaws.com` and holding
 * AdministratorAccess: functions not under test for IAM keep every permission they had.
 */
import { signedFetch } from "./clients.js";

export const TEST_ROLE_NAME = "unkai-test";

const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

async function iamCall(url: string, credentials: { accessKeyId: string; secretAccessKey: string }, params: Record<string, string>): Promise<{ status: number; text: string }> {
  const body = new URLSearchParams({ Version: "2010-05-08", ...params }).toString();
  const response = await signedFetch(`${url}/`, { method: "POST", service: "iam", headers: { "content-type": "application/x-www-form-urlencoded" }, body }, credentials);
  return { status: response.status, text: await response.text() };
}

/** Creates the role and attaches the policy; a role another node or an earlier start made is kept. */
export async function ensureTestRole(url: string, credentials: { accessKeyId: string; secretAccessKey: string }): Promise<void> {
  const created = await iamCall(url, credentials, { Action: "CreateRole", RoleName: TEST_ROLE_NAME, AssumeRolePolicyDocument: TRUST });
  if (created.status !== 200 && !created.text.includes("EntityAlreadyExists")) {
    throw new Error(`could not create the test role ${TEST_ROLE_NAME}: ${created.status} ${created.text}`);
  }
  const attached = await iamCall(url, credentials, { Action: "AttachRolePolicy", RoleName: TEST_ROLE_NAME, PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
  if (attached.status !== 200) throw new Error(`could not attach AdministratorAccess to ${TEST_ROLE_NAME}: ${attached.status} ${attached.text}`);
}

/**
 * A role EventBridge Scheduler may act as (trusting `scheduler.amazonaws.com`, holding AdministratorAccess),
 * for tests of schedules rather than of IAM: a schedule delivers as its target's RoleArn. Returns its ARN.
 */
export async function ensureSchedulerRole(url: string, credentials: { accessKeyId: string; secretAccessKey: string }): Promise<string> {
  const name = "unkai-test-scheduler";
  const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole" }] });
  const created = await iamCall(url, credentials, { Action: "CreateRole", RoleName: name, AssumeRolePolicyDocument: trust });
  if (created.status !== 200 && !created.text.includes("EntityAlreadyExists")) throw new Error(`could not create ${name}: ${created.status} ${created.text}`);
  const attached = await iamCall(url, credentials, { Action: "AttachRolePolicy", RoleName: name, PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
  if (attached.status !== 200) throw new Error(`could not attach AdministratorAccess to ${name}: ${attached.status} ${attached.text}`);
  return `arn:aws:iam::000000000000:role/${name}`;
}
