/**
 * S3's events for EventBridge (`EventBridgeConfiguration`): once a bucket turns it on, every object
 * change goes to the account's `default` event bus, whatever the bucket's other configurations filter
 * (S3 user guide, "Using EventBridge" and "EventBridge event message structure"). The message travels
 * through the destinations seam to the event bus target, which wraps it in EventBridge's envelope:
 * `source` aws.s3, `detail-type` "Object Created", "Object Deleted", "Object Tags Added" or "Object
 * Tags Deleted", `resources` [the bucket ARN].
 */
import type { OutboundMessage } from "../async/destinations.js";
import type { ChangeContext, ObjectChange } from "./s3-notifications.js";

/** The API behind a change, as the event's `reason` names it. */
const CREATED_REASONS: Readonly<Record<string, string>> = {
  "ObjectCreated:Put": "PutObject",
  "ObjectCreated:Post": "POST Object",
  "ObjectCreated:Copy": "CopyObject",
  "ObjectCreated:CompleteMultipartUpload": "CompleteMultipartUpload",
};

export const defaultBusArn = (region: string, accountId: string) => `arn:aws:events:${region}:${accountId}:event-bus/default`;

/**
 * Tag changes. AWS shows no example of their detail; they carry the documented fields that apply (the
 * object's key, etag and version, who asked, from where) and none of a write's (size, sequencer, reason).
 */
const TAG_DETAIL_TYPES: Readonly<Record<string, string>> = {
  "ObjectTagging:Put": "Object Tags Added",
  "ObjectTagging:Delete": "Object Tags Deleted",
};

interface Kind {
  readonly detailType: string;
  readonly fields: Record<string, string>;
  /** Whether the object's size and the sequencer belong in the detail (writes and deletes), or only its identity (tags). */
  readonly written: boolean;
}

/** The `detail-type` and the detail fields that say what happened, or undefined for a change S3 does not send. */
function kindOf(eventName: string): Kind | undefined {
  const reason = CREATED_REASONS[eventName];
  if (reason) return { detailType: "Object Created", fields: { reason }, written: true };
  const tags = TAG_DETAIL_TYPES[eventName];
  if (tags) return { detailType: tags, fields: {}, written: false };
  const [kind, what] = eventName.split(":");
  if (kind !== "ObjectRemoved" && kind !== "LifecycleExpiration") return undefined;
  return {
    detailType: "Object Deleted",
    fields: {
      reason: kind === "ObjectRemoved" ? "DeleteObject" : "Lifecycle Expiration",
      "deletion-type": what === "DeleteMarkerCreated" ? "Delete Marker Created" : "Permanently Deleted",
    },
    written: true,
  };
}

/**
 * The message for the default bus announcing `change`. Keys are written as they are (EventBridge
 * events are JSON, not the form-encoded keys of S3's own notification records); a change S3 made
 * itself (lifecycle) names `s3.amazonaws.com` as the requester and carries no source address.
 */
export function eventBridgeMessage(bucket: string, change: ObjectChange, context: ChangeContext, accountId: string, sequencer: string): OutboundMessage | undefined {
  const kind = kindOf(change.eventName);
  if (!kind) return undefined;
  const object: Record<string, unknown> = { key: change.key };
  if (change.size !== undefined && kind.written) object.size = change.size;
  if (change.eTag !== undefined) object.etag = change.eTag;
  if (change.versionId !== undefined) object["version-id"] = change.versionId;
  if (kind.written) object.sequencer = sequencer;
  const byS3 = context.principalId !== undefined;
  const detail = {
    version: "0",
    bucket: { name: bucket },
    object,
    "request-id": context.requestId,
    requester: byS3 ? context.principalId : accountId,
    ...(byS3 ? {} : { "source-ip-address": context.sourceIp }),
    ...kind.fields,
  };
  return { body: JSON.stringify(detail), attributes: { Source: "aws.s3", DetailType: kind.detailType, Resources: `arn:aws:s3:::${bucket}` } };
}
