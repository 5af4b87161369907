/**
 * A role Unkai itself makes for a function it deploys (the example function): trusting Lambda, with
 * the given managed policies, as AWS's console makes one. An existing role of that name is kept as
 * the user left it.
 */
import type { Account } from "../../core/arn.js";
import type { IamEntity } from "../../core/iam.js";
import type { IamStore } from "../../store/ports.js";
import { iamId } from "./ids.js";

/** AWSLambdaBasicExecutionRole: a function's own logs and nothing else. */
export const BASIC_EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

export const LAMBDA_TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** The role's ARN, creating it (and attaching `policyArns`) when IAM has none of that name. */
export async function ensureLambdaRole(iam: IamStore, account: Account, name: string, policyArns: readonly string[], description: string): Promise<string> {
  const existing = await iam.get("role", name);
  if (existing) return existing.arn;
  const role: IamEntity = {
    kind: "role", name, id: iamId("AROA"), arn: `arn:aws:iam::${account.accountId}:role/${name}`, path: "/", createdAt: Date.now(),
    document: LAMBDA_TRUST, description, maxSessionDurationSeconds: 3600, tags: {}, permissionsBoundary: undefined,
  };
  // Another node of a cluster may have made it since the read: theirs is as good.
  if (!(await iam.create(role))) return (await iam.get("role", name))?.arn ?? role.arn;
  for (const policyArn of policyArns) await iam.attach("role", name, policyArn);
  return role.arn;
}
