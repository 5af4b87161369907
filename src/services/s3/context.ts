/** What every S3 operation works with, and the small lookups they share. */
import type { Logger } from "pino";
import type { FreeSpace } from "../../store/disk-space.js";
import type { ActionRequest } from "../../core/iam-policy/index.js";
import type { UnkaiRequest } from "../../protocol/http.js";
import { chunkChain } from "../../protocol/sigv4-chunks.js";
import type { CredentialLookup } from "../../protocol/sigv4-verify.js";
import type { S3Notifications} from "../../sources/s3-notifications.js";
import { type NotificationConfiguration, type ObjectChange } from "../../sources/s3-notifications.js";
import type { ObjectBodies } from "../../store/objects/object-bodies.js";
import type { BucketSetting } from "../../core/s3-bucket-settings.js";
import type { PendingDelivery } from "../../core/events/resources.js";
import type { BucketRecord, DocumentStore, ObjectRecord, ObjectStore, QueuedEventRow, Store, WriteUnitResult } from "../../store/ports.js";
import type { ChunkSignatureCheck } from "./aws-chunked.js";
import { S3Error } from "./errors.js";
import type { ConditionalWrites } from "./write-conditions.js";
import { markerHeaders, noSuchKey, noSuchVersion } from "./versions.js";

export interface S3Context {
  readonly store: ObjectStore;
  /** Bucket policies, CORS rules and bucket tags (bucket-settings.ts). */
  readonly settings: DocumentStore<BucketSetting>;
  readonly bodies: ObjectBodies;
  /** The unit of work: object rows commit with the notification events announcing them. */
  readonly commit: Store["commit"];
  readonly notifications: S3Notifications;
  /** Whether a Lambda function of that name exists (notification destinations are validated). */
  readonly functionExists: (name: string) => Promise<boolean>;
  /**
   * Under IAM enforcement: whether a function's policy lets s3.amazonaws.com invoke it for a bucket ARN
   * (checked when a configuration names it, and again before each notification is queued).
   */
  readonly s3MayInvoke?: (functionArn: string, bucketArn: string) => Promise<boolean>;
  readonly accountId: string;
  readonly logger: Logger;
  /** Uploads and new buckets are refused (503 ServiceUnavailable) while the data directory is low on space. */
  readonly space: FreeSpace;
  /** The keys signatures are checked against (for the per-chunk signatures of signed aws-chunked uploads). */
  readonly credentials: CredentialLookup;
  /**
   * IAM's verdict on a request whose signature S3 checked itself (a browser-based upload's form):
   * undefined when allowed or IAM is off, else AWS's denial sentence. The front door decides the rest.
   */
  readonly authorize?: (request: UnkaiRequest, needs: readonly ActionRequest[]) => Promise<string | undefined>;
  /**
   * Whether the bucket policy grants everyone (`Principal "*"`) every permission in `needs`: an unsigned
   * request a form carries without a policy (an anonymous browser-based upload) is served only then.
   */
  readonly anonymousAllows?: (request: UnkaiRequest, needs: readonly ActionRequest[]) => Promise<boolean>;
  /** Re-times a bucket's background lifecycle sweep after its configuration changed (lifecycle-timers.ts). */
  readonly lifecycle?: { changed(bucket: string, hasRules: boolean): Promise<void> };
  /** Conditional writes in flight on this node (one at a time per key). */
  readonly conditionalWrites: ConditionalWrites;
}

/**
 * The per-chunk check of a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]` upload, chained from the
 * request's verified signature; other bodies (unsigned payloads, plain bodies) have no chunk signatures.
 */
export async function chunkCheckFor(context: S3Context, request: UnkaiRequest): Promise<ChunkSignatureCheck | undefined> {
  if (!(request.headers["x-amz-content-sha256"] ?? "").startsWith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")) return undefined;
  const chain = await chunkChain(request.headers, request.query, context.credentials);
  if (!chain) throw new S3Error("SignatureDoesNotMatch", "A signed aws-chunked upload must be signed in its Authorization header.");
  return (chunk) => {
    if (!chain(chunk.signature, chunk.sha256)) {
      throw new S3Error("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided (an aws-chunked chunk's signature).");
    }
  };
}

export async function requireBucket(context: S3Context, name: string): Promise<BucketRecord> {
  const bucket = await context.store.bucket(name);
  if (!bucket) throw new S3Error("NoSuchBucket", "The specified bucket does not exist", `/${name}`, { BucketName: name });
  return bucket;
}

/**
 * The key's current version, or the one `version` names (`{ id: undefined }`: the `null` version).
 * A current delete marker is a 404 NoSuchKey; a delete marker named by id is 405, as S3 answers both.
 */
export async function requireObject(context: S3Context, bucket: string, key: string, version?: { id: string | undefined }): Promise<ObjectRecord> {
  if (version) {
    const object = await context.store.objectVersion(bucket, key, version.id);
    if (!object) throw noSuchVersion(bucket, key, version.id);
    if (object.deleteMarker) throw new S3Error("MethodNotAllowed", "The specified method is not allowed against this resource.", `/${bucket}/${key}`, { Method: "GET", ResourceType: "DeleteMarker" }, markerHeaders(object));
    return object;
  }
  const object = await context.store.object(bucket, key);
  if (!object || object.deleteMarker) throw noSuchKey(bucket, key, object);
  return object;
}

export function notificationOf(bucket: BucketRecord): NotificationConfiguration | undefined {
  return bucket.notification ? (JSON.parse(bucket.notification) as NotificationConfiguration) : undefined;
}

/** Who made a change, as the notification records name them. */
function changeContext(request: UnkaiRequest) {
  return { requestId: request.requestId, sourceIp: request.remoteAddress.replace(/^::ffff:/, ""), accessKeyId: request.caller.accessKeyId };
}

/**
 * After a commit: wakes the worker for the Lambda events it queued and makes the first attempt of the
 * queue, topic and EventBridge deliveries it stored, before the request is answered.
 */
export async function announce(context: S3Context, done: Pick<WriteUnitResult, "events" | "deliveries">): Promise<void> {
  await context.notifications.announce(done.events, done.deliveries);
}

/**
 * The bucket's configuration without the functions whose policy no longer lets S3 invoke them (a
 * permission removed after the configuration was put): as on AWS, their events are not delivered.
 */
export async function deliverableNotification(context: S3Context, bucket: BucketRecord): Promise<NotificationConfiguration | undefined> {
  const config = notificationOf(bucket);
  const mayInvoke = context.s3MayInvoke;
  if (!config || !mayInvoke || config.lambda.length === 0) return config;
  const bucketArn = `arn:aws:s3:::${bucket.name}`;
  const allowed = await Promise.all(config.lambda.map((c) => mayInvoke(c.functionArn, bucketArn)));
  const denied = config.lambda.filter((_, i) => !allowed[i]).map((c) => c.functionArn);
  if (denied.length === 0) return config;
  context.logger.warn({ bucket: bucket.name, functions: denied }, "S3 is not allowed to invoke these notification functions (their policy does not allow s3.amazonaws.com for the bucket); their events are dropped");
  return { ...config, lambda: config.lambda.filter((_, i) => allowed[i]) };
}

/** The notification events one change on `bucket` queues under `config` (deliverableNotification), for the caller to commit with the change. */
export function eventsFor(context: S3Context, bucket: BucketRecord, config: NotificationConfiguration | undefined, change: ObjectChange, request: UnkaiRequest): QueuedEventRow[] {
  return context.notifications.eventsFor(bucket.name, config, change, changeContext(request));
}

/** The queue, topic and event bus deliveries one change on `bucket` stores under `config`, for the caller to commit with the change. */
export function deliveriesFor(context: S3Context, bucket: BucketRecord, config: NotificationConfiguration | undefined, change: ObjectChange, request: UnkaiRequest): PendingDelivery[] {
  return context.notifications.deliveriesFor(bucket.name, config, change, changeContext(request));
}

/** Request headers S3 stores with an object and returns on GET and HEAD. */
const STORED_HEADERS = ["content-type", "content-disposition", "content-language", "cache-control", "expires", "x-amz-website-redirect-location"];

export function storedHeaders(request: UnkaiRequest): Record<string, string> {
  const redirect = request.headers["x-amz-website-redirect-location"];
  if (redirect !== undefined && !/^(\/|https?:\/\/)/.test(redirect)) {
    throw new S3Error("InvalidArgument", "The website redirect location must have a prefix of 'http://' or 'https://' or '/'.", undefined, { ArgumentName: "x-amz-website-redirect-location", ArgumentValue: redirect });
  }
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  // aws-chunked is how the body travelled, not how it is stored.
  const encoding = (request.headers["content-encoding"] ?? "").split(",").map((e) => e.trim()).filter((e) => e !== "" && e !== "aws-chunked");
  if (encoding.length > 0) headers["content-encoding"] = encoding.join(", ");
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith("x-amz-meta-") && value !== undefined) headers[name] = value;
  }
  return headers;
}

/** ISO-8601 with milliseconds, as S3's XML writes times. */
export const isoTime = (ms: number): string => new Date(ms).toISOString();
export const quoted = (etag: string): string => `"${etag}"`;
