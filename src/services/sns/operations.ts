/**
 * SNS's operations by model name. The codec hands each one its decoded, model-validated input
 * (member names as in the model) and encodes what it returns as Query XML.
 */
import type { Caller, SnsContext } from "./context.js";
import type { Publisher } from "./publish-ops.js";
import { confirmSubscription, getSubscriptionAttributes, listSubscriptions, listSubscriptionsByTopic, setSubscriptionAttributes, subscribe, unsubscribe, type OnPending } from "./subscription-ops.js";
import { addPermission, removePermission } from "./topic-permissions.js";
import { createTopic, deleteTopic, getTopicAttributes, listTagsForResource, listTopics, setTopicAttributes, tagResource, untagResource } from "./topic-ops.js";

export type SnsOperation = (input: Readonly<Record<string, unknown>>, caller: Caller) => Promise<object>;

function op<I>(run: (input: I, caller: Caller) => Promise<object>): SnsOperation {
  return (input, caller) => run(input as unknown as I, caller);
}


export function snsOperations(context: SnsContext, onPending: OnPending, publisher: Publisher): Readonly<Record<string, SnsOperation>> {
  return {
    CreateTopic: op((input: Parameters<typeof createTopic>[1]) => createTopic(context, input)),
    DeleteTopic: op((input: Parameters<typeof deleteTopic>[1]) => deleteTopic(context, input)),
    ListTopics: op((input: Parameters<typeof listTopics>[1]) => listTopics(context, input)),
    GetTopicAttributes: op((input: Parameters<typeof getTopicAttributes>[1]) => getTopicAttributes(context, input)),
    SetTopicAttributes: op((input: Parameters<typeof setTopicAttributes>[1]) => setTopicAttributes(context, input)),
    TagResource: op((input: Parameters<typeof tagResource>[1]) => tagResource(context, input)),
    UntagResource: op((input: Parameters<typeof untagResource>[1]) => untagResource(context, input)),
    ListTagsForResource: op((input: Parameters<typeof listTagsForResource>[1]) => listTagsForResource(context, input)),
    Subscribe: op((input: Parameters<typeof subscribe>[2], caller) => subscribe(context, onPending, input, caller)),
    ConfirmSubscription: op((input: Parameters<typeof confirmSubscription>[1]) => confirmSubscription(context, input)),
    Unsubscribe: op((input: Parameters<typeof unsubscribe>[1]) => unsubscribe(context, input)),
    ListSubscriptions: op((input: Parameters<typeof listSubscriptions>[1]) => listSubscriptions(context, input)),
    ListSubscriptionsByTopic: op((input: Parameters<typeof listSubscriptionsByTopic>[1]) => listSubscriptionsByTopic(context, input)),
    GetSubscriptionAttributes: op((input: Parameters<typeof getSubscriptionAttributes>[1]) => getSubscriptionAttributes(context, input)),
    SetSubscriptionAttributes: op((input: Parameters<typeof setSubscriptionAttributes>[1]) => setSubscriptionAttributes(context, input)),
    Publish: op((input: Parameters<Publisher["publish"]>[0], caller) => publisher.publish(input, caller)),
    PublishBatch: op((input: Parameters<Publisher["publishBatch"]>[0], caller) => publisher.publishBatch(input, caller)),
    AddPermission: op((input: Parameters<typeof addPermission>[1]) => addPermission(context, input)),
    RemovePermission: op((input: Parameters<typeof removePermission>[1]) => removePermission(context, input)),
  };
}
