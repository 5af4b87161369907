/**
 * SNS message signatures as AWS's "Verifying the signatures of Amazon SNS messages" describes: the
 * listed fields, in order, each as `Name\nValue\n`, signed with SHA1withRSA (SignatureVersion 1) or
 * SHA256withRSA (SignatureVersion 2), base64.
 */
import { sign } from "node:crypto";
import type { SigningIdentity } from "./certificate.js";

const NOTIFICATION_FIELDS = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"] as const;
const CONFIRMATION_FIELDS = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"] as const;

/** The canonical string for a message: absent fields (a Notification without Subject) are left out. */
export function stringToSign(message: Readonly<Record<string, unknown>>): string {
  const fields = message.Type === "Notification" ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  return fields.filter((field) => typeof message[field] === "string").map((field) => `${field}\n${String(message[field])}\n`).join("");
}

export function signMessage(identity: SigningIdentity, message: Readonly<Record<string, unknown>>, version: "1" | "2"): string {
  return sign(version === "1" ? "sha1" : "sha256", Buffer.from(stringToSign(message), "utf8"), identity.key).toString("base64");
}
