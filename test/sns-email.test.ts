/**
 * `email` and `email-json` subscriptions delivered to the local mailbox (`<dataDir>/mail/<address>/`):
 * a confirmation mail whose link confirms the subscription (PendingConfirmation until then), then one
 * RFC 5322 file per message; addresses that could leave the mailbox directory are refused.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { CreateTopicCommand, GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";

/** The mails of one address, oldest first, as header map and body. */
function mails(dataDir: string, address: string): { headers: Record<string, string>; body: string; raw: string }[] {
  const dir = join(dataDir, "mail", address);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(".eml")).sort().map((file) => {
    const raw = readFileSync(join(dir, file), "utf8");
    const split = raw.indexOf("\r\n\r\n");
    const head = raw.slice(0, split);
    const body = raw.slice(split + 4);
    const headers = Object.fromEntries(head.split("\r\n").map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]));
    return { headers, body, raw };
  });
}

describe("SNS email subscriptions (local mailbox)", () => {
  const suite = unkaiSuite();
  let sns: SNSClient;
  before(() => {
    sns = new SNSClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  });

  it("email: a confirmation mail whose link confirms, then the message with its subject in an RFC 5322 file", async () => {
    const { TopicArn = "" } = await sns.send(new CreateTopicCommand({ Name: "alerts", Attributes: { DisplayName: "Ops Alerts" } }));
    const subscribed = await aws(suite.unkai.url, ["sns", "subscribe", "--topic-arn", TopicArn, "--protocol", "email", "--notification-endpoint", "Ops.Team+alerts@Example.com", "--return-subscription-arn"]);
    assert.equal(subscribed.code, 0, subscribed.stderr);
    const { SubscriptionArn = "" } = JSON.parse(subscribed.stdout) as { SubscriptionArn?: string };
    const attributes = async () => (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes ?? {};
    assert.equal((await attributes()).PendingConfirmation, "true");
    await sns.send(new PublishCommand({ TopicArn, Message: "not yet" }));

    const address = "ops.team+alerts@example.com";
    const [confirmation] = await waitFor("the confirmation mail", () => (mails(suite.unkai.dataDir, address).length > 0 ? mails(suite.unkai.dataDir, address) : undefined), 30_000);
    assert.ok(confirmation);
    assert.equal(confirmation.headers.Subject, "AWS Notification - Subscription Confirmation");
    assert.equal(confirmation.headers.From, "Ops Alerts <no-reply@sns.amazonaws.com>");
    assert.equal(confirmation.headers.To, "Ops.Team+alerts@Example.com");
    assert.match(confirmation.headers.Date ?? "", /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    assert.match(confirmation.body, new RegExp(`You have chosen to subscribe to the topic:\r\n${TopicArn}`));
    const link = /Confirm subscription: (\S+)/.exec(confirmation.body)?.[1] ?? "";
    assert.ok(link.startsWith(`${suite.unkai.url}/?Action=ConfirmSubscription&TopicArn=`), link);
    assert.equal((await fetch(link)).status, 200, "the link is Unkai's ConfirmSubscription, unsigned as from a mail client");
    assert.equal((await attributes()).PendingConfirmation, "false");

    const published = await sns.send(new PublishCommand({ TopicArn, Subject: "Disk ナビ full", Message: "disk /var is 95% full\nsecond line" }));
    const [, notification] = mails(suite.unkai.dataDir, address);
    assert.equal(mails(suite.unkai.dataDir, address).length, 2, "written before Publish answered; nothing from before the confirmation");
    assert.ok(notification);
    assert.equal(notification.headers.Subject, `=?UTF-8?B?${Buffer.from("Disk ナビ full").toString("base64")}?=`);
    assert.equal(notification.headers["Message-ID"], `<${published.MessageId}@sns.unkai.local>`);
    assert.equal(notification.headers["Content-Type"], "text/plain; charset=UTF-8");
    assert.ok(notification.body.startsWith("disk /var is 95% full\r\nsecond line\r\n\r\n--\r\n"), notification.body);
    assert.match(notification.body, /\?Action=Unsubscribe&SubscriptionArn=arn%3Aaws%3Asns%3A/);
    await sns.send(new PublishCommand({ TopicArn, Message: "no subject" }));
    assert.equal(mails(suite.unkai.dataDir, address)[2]?.headers.Subject, "AWS Notification Message");
  });

  it("email-json: the confirmation and the messages are SNS's JSON documents", async () => {
    const { TopicArn = "" } = await sns.send(new CreateTopicCommand({ Name: "json-alerts" }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "email-json", Endpoint: "robot@example.org" }));
    const [confirmation] = await waitFor("the confirmation mail", () => (mails(suite.unkai.dataDir, "robot@example.org").length > 0 ? mails(suite.unkai.dataDir, "robot@example.org") : undefined), 30_000);
    const document = JSON.parse(confirmation?.body.trim() ?? "{}") as { Type: string; SubscribeURL: string; Token: string };
    assert.equal(document.Type, "SubscriptionConfirmation");
    assert.equal((await fetch(document.SubscribeURL)).status, 200);
    const listed = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions ?? [];
    assert.match(listed[0]?.SubscriptionArn ?? "", /^arn:aws:sns:/, "confirmed");
    const published = await sns.send(new PublishCommand({ TopicArn, Message: "as json" }));
    const envelope = JSON.parse(mails(suite.unkai.dataDir, "robot@example.org")[1]?.body.trim() ?? "{}") as { Type: string; MessageId: string; Message: string };
    assert.deepEqual([envelope.Type, envelope.MessageId, envelope.Message], ["Notification", published.MessageId, "as json"]);
  });

  it("refuses addresses that could leave the mailbox directory, and protocols it does not deliver", async () => {
    const { TopicArn = "" } = await sns.send(new CreateTopicCommand({ Name: "escape" }));
    const odd = ["../../etc@example.com", "..@example.com", "a/../../b@example.com", "a\\b@example.com", ".hidden@example.com", "a..b@example.com", "a@example..com",
      "a@../example.com", "a@example", "not-an-address", "", "a@example.com/../../x", "a@exa mple.com", "a\n@example.com", `${"a".repeat(250)}@example.com`];
    for (const endpoint of odd) {
      await assert.rejects(sns.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: endpoint })), { name: "InvalidParameterException", message: "Invalid parameter: Email address" }, JSON.stringify(endpoint));
    }
    assert.deepEqual(readdirSync(join(suite.unkai.dataDir, "mail")).sort(), ["ops.team+alerts@example.com", "robot@example.org"], "nothing else was created");
    const fifo = await sns.send(new CreateTopicCommand({ Name: "escape.fifo", Attributes: { FifoTopic: "true" } }));
    await assert.rejects(sns.send(new SubscribeCommand({ TopicArn: fifo.TopicArn, Protocol: "email", Endpoint: "a@example.com" })), { message: "Invalid parameter: Invalid protocol type: email" });
    await assert.rejects(sns.send(new SubscribeCommand({ TopicArn, Protocol: "sms", Endpoint: "+15555550100" })), /Unkai does not deliver to the sms protocol/);
  });
});
