/**
 * A scheduled blueprint's schedule, made real: an EventBridge rule with the blueprint's schedule
 * expression, the function's resource policy letting `events.amazonaws.com` invoke it for that rule
 * only, and the function as the rule's target (what the Lambda console's "Add trigger" does). Takes
 * the SDK clients, so Node tests can run it too.
 */
import { PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { AddPermissionCommand } from "@aws-sdk/client-lambda";

/** Resolves the rule's name and ARN. */
export async function wireSchedule({ events, lambda }, functionName, functionArn, scheduleExpression) {
  const Name = `${functionName}-schedule`.slice(0, 64);
  const { RuleArn } = await events.send(new PutRuleCommand({ Name, ScheduleExpression: scheduleExpression, Description: `Runs ${functionName} (console blueprint)` }));
  try {
    await lambda.send(new AddPermissionCommand({
      FunctionName: functionName, StatementId: `${Name}-events`, Action: "lambda:InvokeFunction", Principal: "events.amazonaws.com", SourceArn: RuleArn,
    }));
  } catch (error) {
    // Re-timing the same rule: its statement (same id, same rule ARN) is already there.
    if (error?.name !== "ResourceConflictException") throw error;
  }
  await events.send(new PutTargetsCommand({ Rule: Name, Targets: [{ Id: functionName.slice(0, 64), Arn: functionArn }] }));
  return { name: Name, arn: RuleArn };
}
