/**
 * SQS's operations by model name. The codec hands each one its decoded, model-validated input
 * (member names as in the model) and encodes what it returns in the protocol the client spoke, so
 * these are plain functions of plain objects; the casts name the members each operation reads.
 */
import type { Caller, SqsContext } from "./context.js";
import { createQueue, deleteQueue, getQueueAttributes, getQueueUrl, listDeadLetterSourceQueues, listQueues, purgeQueue, setQueueAttributes } from "./queue-ops.js";
import { changeMessageVisibility, changeMessageVisibilityBatch, deleteMessage, deleteMessageBatch, receiveMessage } from "./receive-ops.js";
import { sendMessage, sendMessageBatch } from "./send-ops.js";
import { addPermission, removePermission } from "./permission-ops.js";
import { listQueueTags, tagQueue, untagQueue } from "./tag-ops.js";
import type { MoveTasks } from "./move-tasks.js";

export type SqsOperation = (input: Readonly<Record<string, unknown>>, caller: Caller) => Promise<object>;

/** `op(f)`: an operation whose input is the model's shape `I`, which the codec has already checked. */
function op<I>(run: (input: I, caller: Caller) => Promise<object>): SqsOperation {
  return (input, caller) => run(input as unknown as I, caller);
}


export function sqsOperations(context: SqsContext, moves: MoveTasks): Readonly<Record<string, SqsOperation>> {
  return {
    CreateQueue: op((input: Parameters<typeof createQueue>[1], caller) => createQueue(context, input, caller)),
    GetQueueUrl: op((input: Parameters<typeof getQueueUrl>[1], caller) => getQueueUrl(context, input, caller)),
    ListQueues: op((input: Parameters<typeof listQueues>[1], caller) => listQueues(context, input, caller)),
    GetQueueAttributes: op((input: Parameters<typeof getQueueAttributes>[1]) => getQueueAttributes(context, input)),
    SetQueueAttributes: op((input: Parameters<typeof setQueueAttributes>[1]) => setQueueAttributes(context, input)),
    DeleteQueue: op((input: Parameters<typeof deleteQueue>[1]) => deleteQueue(context, input)),
    PurgeQueue: op((input: Parameters<typeof purgeQueue>[1]) => purgeQueue(context, input)),
    ListDeadLetterSourceQueues: op((input: Parameters<typeof listDeadLetterSourceQueues>[1], caller) => listDeadLetterSourceQueues(context, input, caller)),
    TagQueue: op((input: Parameters<typeof tagQueue>[1]) => tagQueue(context, input)),
    UntagQueue: op((input: Parameters<typeof untagQueue>[1]) => untagQueue(context, input)),
    ListQueueTags: op((input: Parameters<typeof listQueueTags>[1]) => listQueueTags(context, input)),
    SendMessage: op((input: Parameters<typeof sendMessage>[1], caller) => sendMessage(context, input, caller)),
    SendMessageBatch: op((input: Parameters<typeof sendMessageBatch>[1], caller) => sendMessageBatch(context, input, caller)),
    ReceiveMessage: op((input: Parameters<typeof receiveMessage>[1]) => receiveMessage(context, input)),
    DeleteMessage: op((input: Parameters<typeof deleteMessage>[1]) => deleteMessage(context, input)),
    DeleteMessageBatch: op((input: Parameters<typeof deleteMessageBatch>[1]) => deleteMessageBatch(context, input)),
    ChangeMessageVisibility: op((input: Parameters<typeof changeMessageVisibility>[1]) => changeMessageVisibility(context, input)),
    ChangeMessageVisibilityBatch: op((input: Parameters<typeof changeMessageVisibilityBatch>[1]) => changeMessageVisibilityBatch(context, input)),
    AddPermission: op((input: Parameters<typeof addPermission>[1]) => addPermission(context, input)),
    RemovePermission: op((input: Parameters<typeof removePermission>[1]) => removePermission(context, input)),
    StartMessageMoveTask: op((input: Parameters<MoveTasks["start"]>[0]) => moves.start(input)),
    ListMessageMoveTasks: op((input: Parameters<MoveTasks["list"]>[0]) => moves.list(input)),
    CancelMessageMoveTask: op((input: Parameters<MoveTasks["cancel"]>[0]) => moves.cancel(input)),
  };
}
