/**
 * What the AWS console does when it wires a service to a function: AddPermission letting the service's
 * principal invoke the function for that one source (a bucket, a topic), so the wiring also works under
 * `--iam enforce`, where S3 and SNS invoke a function only if its policy allows them.
 */
import { AddPermissionCommand } from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand, GetQueueUrlCommand, SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { lambda, sqs } from "./api.js";

/** Adds the statement once: the id is derived from the service and source, so wiring twice keeps one. */
export async function allowService(functionArn, principal, sourceArn) {
  const source = sourceArn.slice(sourceArn.lastIndexOf(":") + 1).replace(/[^A-Za-z0-9_-]/g, "-");
  const StatementId = `${principal.split(".")[0]}-${source}`.slice(0, 100);
  try {
    await lambda().send(new AddPermissionCommand({ FunctionName: functionArn, StatementId, Action: "lambda:InvokeFunction", Principal: principal, SourceArn: sourceArn }));
  } catch (error) {
    if (error?.name !== "ResourceConflictException") throw error;
  }
}

/**
 * What the SQS console does when it subscribes a queue to a topic: a statement in the queue's policy
 * letting the service send for that one source, beside the statements already there (same id: replaced).
 */
export async function allowServiceToQueue(queueArn, principal, sourceArn) {
  const [, , , , account, QueueName] = queueArn.split(":");
  const { QueueUrl } = await sqs().send(new GetQueueUrlCommand({ QueueName, QueueOwnerAWSAccountId: account }));
  const { Attributes } = await sqs().send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Policy"] }));
  const policy = Attributes?.Policy ? JSON.parse(Attributes.Policy) : { Version: "2012-10-17", Statement: [] };
  const Sid = `${principal.split(".")[0]}-${sourceArn.slice(sourceArn.lastIndexOf(":") + 1)}`.replace(/[^A-Za-z0-9]/g, "");
  const statements = [policy.Statement ?? []].flat().filter((s) => s.Sid !== Sid);
  statements.push({ Sid, Effect: "Allow", Principal: { Service: principal }, Action: "sqs:SendMessage", Resource: queueArn, Condition: { ArnEquals: { "aws:SourceArn": sourceArn } } });
  await sqs().send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: JSON.stringify({ ...policy, Statement: statements }) } }));
}
