/**
 * The resource policies AWS requires before a service delivers to a function or a queue, for tests
 * that wire services together under `--iam enforce` (Unkai's default): a function's policy allowing
 * the service principal for the source (what `aws lambda add-permission` writes), and a queue policy
 * allowing `sqs:SendMessage` from the service for the source.
 */
import { AddPermissionCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { SetTopicAttributesCommand, type SNSClient } from "@aws-sdk/client-sns";
import { SetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";

let statements = 0;

/** Lets `service` (e.g. "s3.amazonaws.com") invoke the function for events from `sourceArn`. */
export async function allowServiceToInvoke(client: LambdaClient, functionName: string, service: string, sourceArn: string): Promise<void> {
  await client.send(new AddPermissionCommand({
    FunctionName: functionName, StatementId: `test-${service.split(".")[0]}-${++statements}`, Action: "lambda:InvokeFunction", Principal: service, SourceArn: sourceArn,
  }));
}

export interface Sender { readonly service: string; readonly sourceArn: string }

/** A queue policy letting each sender's service send for its source (replaces the queue's policy). */
export function queuePolicy(queueArn: string, senders: readonly Sender[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: senders.map((s, i) => ({
      Sid: `test-sender-${i}`, Effect: "Allow", Principal: { Service: s.service }, Action: "sqs:SendMessage", Resource: queueArn,
      Condition: { ArnLike: { "aws:SourceArn": s.sourceArn } },
    })),
  });
}

export async function allowServicesToSend(sqs: SQSClient, queueUrl: string, queueArn: string, senders: readonly Sender[]): Promise<void> {
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: queuePolicy(queueArn, senders) } }));
}

/** A topic policy letting each sender's service publish for its source (replaces the topic's policy). */
export async function allowServicesToPublish(sns: SNSClient, topicArn: string, senders: readonly Sender[]): Promise<void> {
  const Statement = senders.map((s, i) => ({
    Sid: `test-publisher-${i}`, Effect: "Allow", Principal: { Service: s.service }, Action: "sns:Publish", Resource: topicArn,
    Condition: { ArnLike: { "aws:SourceArn": s.sourceArn } },
  }));
  await sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: "Policy", AttributeValue: JSON.stringify({ Version: "2012-10-17", Statement }) }));
}
