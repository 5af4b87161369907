/**
 * What subscribers receive: SNS's JSON envelope (SQS and HTTP subscribers), the Lambda event
 * (`Records[0].Sns`, with `SigningCertUrl`/`UnsubscribeUrl` spelled as Lambda spells them), and the
 * SubscriptionConfirmation an http/https endpoint gets first. Every one is signed.
 */
import type { SnsMessageAttribute } from "../../core/event-pattern/sns.js";
import type { SigningIdentity } from "./certificate.js";
import { signMessage } from "./signing.js";

/** One published message as it fans out. */
export interface Published {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject: string | undefined;
  /** The message for each protocol (MessageStructure json) or the same for all. */
  messageFor(protocol: string): string;
  readonly attributes: Readonly<Record<string, SnsMessageAttribute>>;
  readonly timestamp: string;
  readonly fifo: { readonly groupId: string; readonly deduplicationId: string; readonly sequenceNumber: string } | undefined;
}

export interface Signer {
  readonly identity: SigningIdentity;
  /** Where SigningCertURL, SubscribeURL and UnsubscribeURL point: Unkai's address as the publisher reached it. */
  readonly baseUrl: string;
  readonly version: "1" | "2";
}

export const certificateUrl = (signer: Signer) => `${signer.baseUrl}/_aws/sns/${signer.identity.fileName}`;
export const unsubscribeUrl = (baseUrl: string, subscriptionArn: string) => `${baseUrl}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscriptionArn)}`;

function envelopeAttributes(attributes: Readonly<Record<string, SnsMessageAttribute>>): Record<string, { Type: string; Value: string }> {
  return Object.fromEntries(Object.entries(attributes).map(([name, a]) => [name, {
    Type: a.DataType, Value: a.StringValue ?? Buffer.from(a.BinaryValue ?? new Uint8Array()).toString("base64"),
  }]));
}

/** The JSON envelope, as a record whose key order is SNS's. */
export function notification(message: Published, protocol: string, subscriptionArn: string, signer: Signer): Record<string, unknown> {
  const unsigned: Record<string, unknown> = {
    Type: "Notification",
    MessageId: message.messageId,
    ...(message.fifo ? { SequenceNumber: message.fifo.sequenceNumber } : {}),
    TopicArn: message.topicArn,
    ...(message.subject !== undefined ? { Subject: message.subject } : {}),
    Message: message.messageFor(protocol),
    Timestamp: message.timestamp,
  };
  return {
    ...unsigned,
    SignatureVersion: signer.version,
    Signature: signMessage(signer.identity, unsigned, signer.version),
    SigningCertURL: certificateUrl(signer),
    UnsubscribeURL: unsubscribeUrl(signer.baseUrl, subscriptionArn),
    ...(Object.keys(message.attributes).length > 0 ? { MessageAttributes: envelopeAttributes(message.attributes) } : {}),
  };
}

/** The event a Lambda subscriber is invoked with. */
export function lambdaEvent(message: Published, subscriptionArn: string, signer: Signer): Record<string, unknown> {
  const envelope = notification(message, "lambda", subscriptionArn, signer);
  const { SigningCertURL, UnsubscribeURL, MessageAttributes, Subject, ...rest } = envelope;
  return {
    Records: [{
      EventSource: "aws:sns", EventVersion: "1.0", EventSubscriptionArn: subscriptionArn,
      Sns: { ...rest, Subject: Subject ?? null, SigningCertUrl: SigningCertURL, UnsubscribeUrl: UnsubscribeURL, MessageAttributes: MessageAttributes ?? {} },
    }],
  };
}

export function subscriptionConfirmation(topicArn: string, token: string, messageId: string, timestamp: string, signer: Signer): Record<string, unknown> {
  const unsigned = {
    Type: "SubscriptionConfirmation",
    MessageId: messageId,
    Token: token,
    TopicArn: topicArn,
    Message: `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: `${signer.baseUrl}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${token}`,
    Timestamp: timestamp,
  };
  return { ...unsigned, SignatureVersion: signer.version, Signature: signMessage(signer.identity, unsigned, signer.version), SigningCertURL: certificateUrl(signer) };
}
