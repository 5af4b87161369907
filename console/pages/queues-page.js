/**
 * SQS queues: the list with message counts, create and delete; one queue's page sends messages, peeks at
 * them, purges the queue and, for a dead-letter queue, redrives its messages back to their source.
 */
import {
  CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ListQueuesCommand, PurgeQueueCommand,
  ReceiveMessageCommand, SendMessageCommand, StartMessageMoveTaskCommand, ListDeadLetterSourceQueuesCommand,
} from "@aws-sdk/client-sqs";
import { sqs } from "../api.js";
import { errorBox, h, replace, runAction, toast } from "../dom.js";

const COUNTS = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"];
const nameOfUrl = (url) => decodeURIComponent(url.slice(url.lastIndexOf("/") + 1));

async function listAllQueues() {
  const urls = [];
  let NextToken;
  do {
    const page = await sqs().send(new ListQueuesCommand({ NextToken, MaxResults: 1000 }));
    urls.push(...(page.QueueUrls ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return urls;
}

const attributesOf = async (QueueUrl) => (await sqs().send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }))).Attributes ?? {};

export async function queuesPage(container) {
  const errors = errorBox();
  const body = h("tbody");
  const name = h("input", { name: "queue-name", placeholder: "orders or orders.fifo", "aria-label": "New queue name", required: true, pattern: "[A-Za-z0-9_-]{1,75}(\\.fifo)?" });
  const create = async (event) => {
    event.preventDefault();
    const QueueName = name.value.trim();
    try {
      await sqs().send(new CreateQueueCommand({ QueueName, Attributes: QueueName.endsWith(".fifo") ? { FifoQueue: "true" } : undefined }));
      toast(`Created ${QueueName}.`);
      name.value = "";
      await load();
    } catch (error) {
      errors.show(error);
    }
  };
  replace(container,
    h("div", { class: "page-head" }, h("h1", {}, "Queues")),
    h("form", { class: "toolbar", id: "create-queue", onsubmit: create }, name, h("button", { class: "primary", type: "submit" }, "Create queue"),
      h("span", { class: "hint" }, "A name ending in .fifo makes a FIFO queue.")),
    errors.el,
    h("table", { class: "list", id: "queues-table" },
      h("thead", {}, h("tr", {}, ["Queue", "Type", "Available", "In flight", "Delayed", ""].map((c) => h("th", {}, c)))), body));

  async function load() {
    try {
      const urls = (await listAllQueues()).sort();
      const rows = await Promise.all(urls.map(async (url) => ({ url, attributes: await attributesOf(url) })));
      errors.clear();
      if (rows.length === 0) return void replace(body, h("tr", {}, h("td", { colspan: 6, class: "empty" }, "No queues yet: create one.")));
      replace(body, rows.map(({ url, attributes }) => h("tr", { "data-queue": nameOfUrl(url) },
        h("td", {}, h("a", { href: `#/queues/${encodeURIComponent(nameOfUrl(url))}` }, nameOfUrl(url))),
        h("td", {}, attributes.FifoQueue === "true" ? "FIFO" : "Standard"),
        COUNTS.map((key) => h("td", { class: "num" }, attributes[key] ?? "0")),
        h("td", {}, h("button", { class: "link danger", onclick: () => void remove(url) }, "Delete")))));
    } catch (error) {
      errors.show(error);
    }
  }

  async function remove(QueueUrl) {
    if (!confirm(`Delete queue ${nameOfUrl(QueueUrl)} and every message in it?`)) return;
    try {
      await sqs().send(new DeleteQueueCommand({ QueueUrl }));
      toast(`Deleted ${nameOfUrl(QueueUrl)}.`);
      await load();
    } catch (error) {
      errors.show(error);
    }
  }

  await load();
}

/** One message as the peek list shows it: id, receive count, attributes and the body as text. */
function messageRow(message) {
  const attributes = Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => `${key}=${value.StringValue ?? "(binary)"}`).join(", ");
  return h("tr", { "data-message": message.MessageId },
    h("td", { class: "mono" }, message.MessageId),
    h("td", { class: "num" }, message.Attributes?.ApproximateReceiveCount ?? "–"),
    h("td", { class: "mono" }, attributes || "–"),
    h("td", {}, h("pre", { class: "message-body" }, message.Body ?? "")));
}

export async function queuePage(container, queueName) {
  const { QueueUrl } = await sqs().send(new GetQueueUrlCommand({ QueueName: queueName }));
  const errors = errorBox();
  const facts = h("div", { class: "facts", id: "queue-facts" });
  const messages = h("tbody");
  const fifo = queueName.endsWith(".fifo");
  const text = h("textarea", { name: "message-body", rows: 4, "aria-label": "Message body", class: "mono" });
  const group = h("input", { name: "message-group", placeholder: "Message group id", "aria-label": "Message group id", hidden: !fifo });
  const redrive = h("div", { id: "redrive" });

  const showFacts = async () => {
    const attributes = await attributesOf(QueueUrl);
    replace(facts, h("span", {}, fifo ? "FIFO" : "Standard"), COUNTS.map((key) => h("span", { "data-count": key }, `${key.replace("ApproximateNumberOf", "")}: ${attributes[key] ?? 0}`)),
      h("span", { title: attributes.QueueArn }, attributes.QueueArn));
    const sources = (await sqs().send(new ListDeadLetterSourceQueuesCommand({ QueueUrl }))).queueUrls ?? [];
    replace(redrive, sources.length === 0 ? [] : [
      h("span", { class: "hint" }, `Dead-letter queue of ${sources.map(nameOfUrl).join(", ")}. `),
      h("button", { id: "redrive-button", onclick: () => void act(async () => {
        await sqs().send(new StartMessageMoveTaskCommand({ SourceArn: attributes.QueueArn }));
        toast("Redrive started: messages move back to their source queues.");
      }) }, "Redrive to source"),
    ]);
  };
  const act = (work) => runAction(errors, work, () => showFacts());
  const send = (event) => {
    event.preventDefault();
    return act(async () => {
      const sent = await sqs().send(new SendMessageCommand({
        QueueUrl, MessageBody: text.value,
        ...(fifo ? { MessageGroupId: group.value || "console", MessageDeduplicationId: crypto.randomUUID() } : {}),
      }));
      toast(`Sent message ${sent.MessageId}.`);
      text.value = "";
    });
  };
  // A peek receives with a zero visibility timeout so the messages stay available to consumers; each peek
  // still counts as a receive (ApproximateReceiveCount), as it does in AWS's console.
  const peek = () => act(async () => {
    const got = await sqs().send(new ReceiveMessageCommand({
      QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0, AttributeNames: ["All"], MessageAttributeNames: ["All"],
    }));
    const list = got.Messages ?? [];
    replace(messages, list.length ? list.map(messageRow) : h("tr", {}, h("td", { colspan: 4, class: "empty" }, "No messages available.")));
  });
  const purge = () => {
    if (!confirm(`Purge every message in ${queueName}?`)) return;
    return act(async () => {
      await sqs().send(new PurgeQueueCommand({ QueueUrl }));
      replace(messages);
      toast(`Purged ${queueName}.`);
    });
  };

  replace(container,
    h("div", { class: "page-head" },
      h("div", {}, h("div", { class: "crumbs" }, h("a", { href: "#/queues" }, "Queues"), " / "), h("h1", {}, queueName)),
      h("span", { class: "spacer" }), facts),
    errors.el,
    h("form", { class: "card form", id: "send-message", onsubmit: send },
      h("h3", {}, "Send a message"), text, group, h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Send"))),
    h("div", { class: "card" },
      h("div", { class: "toolbar" }, h("h3", {}, "Messages"), h("span", { class: "spacer" }),
        h("button", { id: "peek-button", onclick: () => void peek() }, "Peek"),
        h("button", { class: "danger", id: "purge-button", onclick: () => void purge() }, "Purge"), redrive),
      h("table", { class: "list", id: "messages-table" },
        h("thead", {}, h("tr", {}, ["Message id", "Receives", "Attributes", "Body"].map((c) => h("th", {}, c)))), messages)));
  await showFacts();
}
