/**
 * SQS's IAM actions, derived from its model: `sqs:<Operation>` on the queue the input names
 * (`arn:aws:sqs:<region>:<account>:<name>`), the batch operations as their single action (the Service
 * Authorization Reference has no SendMessageBatch action), listings on `*`. test/iam-actions.test.ts.
 */
import type { Account } from "../../core/arn.js";
import { derivedAuthorization, stringMember, type AuthorizationTable } from "../../protocol/codecs/derived-authorization.js";
import type { ServiceModel } from "../../protocol/codecs/model.js";

const BATCH_ACTIONS = { SendMessageBatch: "SendMessage", DeleteMessageBatch: "DeleteMessage", ChangeMessageVisibilityBatch: "ChangeMessageVisibility" } as const;

/** The queue's name in a queue URL (`…/<account>/<name>`), as addresses.ts reads it; the whole text when it is no URL. */
function nameInUrl(url: string): string {
  const last = /\/\d{12}\/([^/?]+)\/?$/.exec(url)?.[1] ?? "";
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

export function sqsAuthorization(model: ServiceModel, account: Account): AuthorizationTable {
  const arn = (name: string) => (name === "" ? "*" : `arn:aws:sqs:${account.region}:${account.accountId}:${name}`);
  return derivedAuthorization(model, {
    prefix: "sqs",
    actions: BATCH_ACTIONS,
    resourceOf: (_operation, input) => {
      const url = stringMember(input, "QueueUrl");
      if (url !== undefined) return arn(nameInUrl(url));
      const name = stringMember(input, "QueueName");
      if (name !== undefined) return arn(name);
      // StartMessageMoveTask, ListMessageMoveTasks: the source queue's ARN.
      return stringMember(input, "SourceArn") ?? "*";
    },
  });
}
