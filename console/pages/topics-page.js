/**
 * SNS topics: the list with subscription counts, create (a name ending in .fifo makes a FIFO topic) and
 * delete, and the local mailbox of email subscriptions; one topic's page lists its subscriptions with
 * their state, subscribes an endpoint (SQS queue, Lambda function, HTTP(S) URL, email address),
 * unsubscribes, and publishes a message.
 */
import {
  CreateTopicCommand, DeleteTopicCommand, GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, ListTopicsCommand,
  PublishCommand, SubscribeCommand, UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import { getCredentials, sns } from "../api.js";
import { errorBox, h, replace, runAction, toast } from "../dom.js";
import { allowService, allowServiceToQueue } from "../service-permission.js";
import { mailboxCard } from "./mailbox-card.js";

const nameOfArn = (arn) => arn.slice(arn.lastIndexOf(":") + 1);
const PROTOCOLS = ["sqs", "lambda", "http", "https", "email", "email-json"];

async function listAllTopics() {
  const arns = [];
  let NextToken;
  do {
    const page = await sns().send(new ListTopicsCommand({ NextToken }));
    arns.push(...(page.Topics ?? []).map((t) => t.TopicArn));
    NextToken = page.NextToken;
  } while (NextToken);
  return arns;
}

const attributesOf = async (TopicArn) => (await sns().send(new GetTopicAttributesCommand({ TopicArn }))).Attributes ?? {};

export async function topicsPage(container) {
  const errors = errorBox();
  const body = h("tbody");
  const mail = mailboxCard();
  const name = h("input", { name: "topic-name", placeholder: "alerts or alerts.fifo", "aria-label": "New topic name", required: true, pattern: "[A-Za-z0-9_-]{1,251}(\\.fifo)?" });
  const create = async (event) => {
    event.preventDefault();
    const Name = name.value.trim();
    try {
      await sns().send(new CreateTopicCommand({ Name, Attributes: Name.endsWith(".fifo") ? { FifoTopic: "true" } : undefined }));
      toast(`Created ${Name}.`);
      name.value = "";
      await load();
    } catch (error) {
      errors.show(error);
    }
  };
  replace(container,
    h("div", { class: "page-head" }, h("h1", {}, "Topics")),
    h("form", { class: "toolbar", id: "create-topic", onsubmit: create }, name, h("button", { class: "primary", type: "submit" }, "Create topic"),
      h("span", { class: "hint" }, "A name ending in .fifo makes a FIFO topic.")),
    errors.el,
    h("table", { class: "list", id: "topics-table" },
      h("thead", {}, h("tr", {}, ["Topic", "Type", "Confirmed", "Pending", ""].map((c) => h("th", {}, c)))), body),
    mail.el);

  async function load() {
    try {
      const arns = (await listAllTopics()).sort();
      const rows = await Promise.all(arns.map(async (arn) => ({ arn, attributes: await attributesOf(arn) })));
      errors.clear();
      if (rows.length === 0) return void replace(body, h("tr", {}, h("td", { colspan: 5, class: "empty" }, "No topics yet: create one.")));
      replace(body, rows.map(({ arn, attributes }) => h("tr", { "data-topic": nameOfArn(arn) },
        h("td", {}, h("a", { href: `#/topics/${encodeURIComponent(nameOfArn(arn))}`, title: arn }, nameOfArn(arn))),
        h("td", {}, attributes.FifoTopic === "true" ? "FIFO" : "Standard"),
        h("td", { class: "num" }, attributes.SubscriptionsConfirmed ?? "0"),
        h("td", { class: "num" }, attributes.SubscriptionsPending ?? "0"),
        h("td", {}, h("button", { class: "link danger", onclick: () => void remove(arn) }, "Delete")))));
    } catch (error) {
      errors.show(error);
    }
  }

  async function remove(TopicArn) {
    if (!confirm(`Delete topic ${nameOfArn(TopicArn)} and its subscriptions?`)) return;
    try {
      await sns().send(new DeleteTopicCommand({ TopicArn }));
      toast(`Deleted ${nameOfArn(TopicArn)}.`);
      await load();
    } catch (error) {
      errors.show(error);
    }
  }

  await Promise.all([load(), mail.load()]);
}

/** The topic's ARN from its name: topics live in the caller's account and the console's region. */
async function topicArnOf(topicName) {
  const arn = (await listAllTopics()).find((a) => nameOfArn(a) === topicName);
  if (!arn) throw new Error(`No topic named ${topicName} in ${getCredentials().region}.`);
  return arn;
}

function subscriptionRow(subscription, unsubscribe) {
  const pending = subscription.SubscriptionArn === "PendingConfirmation";
  return h("tr", { "data-subscription": subscription.Endpoint },
    h("td", {}, subscription.Protocol),
    h("td", { class: "mono" }, subscription.Endpoint),
    h("td", {}, pending ? "Pending confirmation" : "Confirmed"),
    h("td", {}, pending ? "" : h("button", { class: "link danger", onclick: () => void unsubscribe(subscription.SubscriptionArn) }, "Unsubscribe")));
}

export async function topicPage(container, topicName) {
  const TopicArn = await topicArnOf(topicName);
  const fifo = topicName.endsWith(".fifo");
  const errors = errorBox();
  const subscriptions = h("tbody");
  const protocol = h("select", { name: "protocol", "aria-label": "Protocol" }, PROTOCOLS.map((p) => h("option", { value: p }, p)));
  const endpoint = h("input", { name: "endpoint", "aria-label": "Endpoint", placeholder: "queue or function ARN, URL, or email address", required: true, class: "mono" });
  const subject = h("input", { name: "subject", "aria-label": "Subject", placeholder: "Subject (optional)" });
  const message = h("textarea", { name: "message", rows: 4, "aria-label": "Message", class: "mono", required: true });
  const group = h("input", { name: "message-group", placeholder: "Message group id", "aria-label": "Message group id", hidden: !fifo });

  const act = (work) => runAction(errors, work, () => showSubscriptions());
  const showSubscriptions = async () => {
    const list = [];
    let NextToken;
    do {
      const page = await sns().send(new ListSubscriptionsByTopicCommand({ TopicArn, NextToken }));
      list.push(...(page.Subscriptions ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    replace(subscriptions, list.length ? list.map((s) => subscriptionRow(s, unsubscribe)) : h("tr", {}, h("td", { colspan: 4, class: "empty" }, "No subscriptions yet.")));
  };
  const unsubscribe = (SubscriptionArn) => act(async () => {
    await sns().send(new UnsubscribeCommand({ SubscriptionArn }));
    toast("Unsubscribed.");
  });
  const subscribe = (event) => {
    event.preventDefault();
    return act(async () => {
      // As the AWS console does for a Lambda endpoint: let SNS invoke the function for this topic.
      if (protocol.value === "lambda") await allowService(endpoint.value.trim(), "sns.amazonaws.com", TopicArn);
      // As the SQS console does when it subscribes a queue: let SNS send to it for this topic.
      if (protocol.value === "sqs") await allowServiceToQueue(endpoint.value.trim(), "sns.amazonaws.com", TopicArn);
      await sns().send(new SubscribeCommand({ TopicArn, Protocol: protocol.value, Endpoint: endpoint.value.trim(), ReturnSubscriptionArn: true }));
      toast(`Subscribed ${endpoint.value.trim()}.`);
      endpoint.value = "";
    });
  };
  const publish = (event) => {
    event.preventDefault();
    return act(async () => {
      const sent = await sns().send(new PublishCommand({
        TopicArn, Message: message.value, ...(subject.value ? { Subject: subject.value } : {}),
        ...(fifo ? { MessageGroupId: group.value || "console", MessageDeduplicationId: crypto.randomUUID() } : {}),
      }));
      toast(`Published message ${sent.MessageId}.`);
      message.value = "";
    });
  };

  replace(container,
    h("div", { class: "page-head" },
      h("div", {}, h("div", { class: "crumbs" }, h("a", { href: "#/topics" }, "Topics"), " / "), h("h1", {}, topicName)),
      h("span", { class: "spacer" }), h("div", { class: "facts" }, h("span", {}, fifo ? "FIFO" : "Standard"), h("span", { class: "mono" }, TopicArn))),
    errors.el,
    h("form", { class: "card form", id: "publish-message", onsubmit: publish },
      h("h3", {}, "Publish a message"), subject, message, group, h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Publish"))),
    h("div", { class: "card" },
      h("h3", {}, "Subscriptions"),
      h("form", { class: "toolbar", id: "subscribe", onsubmit: subscribe }, protocol, endpoint, h("button", { type: "submit" }, "Subscribe")),
      h("table", { class: "list", id: "subscriptions-table" },
        h("thead", {}, h("tr", {}, ["Protocol", "Endpoint", "State", ""].map((c) => h("th", {}, c)))), subscriptions)));
  await showSubscriptions();
}
