/**
 * The S3 REST API (path-style and virtual-hosted): claims requests signed for `s3` or sent to a
 * `<bucket>.s3.localhost` host, routes them by method, bucket, key and sub-resource, and answers
 * errors in S3's XML. Uploads stream (see `streamsBody`) into the blob store; downloads stream out of it.
 */
import type { Logger } from "pino";
import { DeliveryOutbox, type OutboxOwner } from "../../async/delivery-outbox.js";
import { createHash } from "node:crypto";
import type { UnkaiRequest, UnkaiResponse, Service } from "../../protocol/http.js";
import { targetOf, virtualHostBucket } from "./addressing.js";
import { bucketLocation, createBucket, deleteBucket, headBucket, listBuckets } from "./bucket-ops.js";
import type { S3Context } from "./context.js";
import { ConditionalWrites } from "./write-conditions.js";
import { deleteObjects } from "./delete-objects.js";
import { S3_ERRORS, S3Error, s3AuthRefusal, s3ErrorResponse } from "./errors.js";
import { listObjectsV1, listObjectsV2 } from "./list-ops.js";
import { abortUpload, completeUpload, createUpload, listParts, uploadPart } from "./multipart-ops.js";
import { listUploads } from "./list-uploads.js";
import { getNotification, putNotification } from "./notification-ops.js";
import { deleteObjectTagging, getObjectTagging, putObjectTagging } from "./tagging-ops.js";
import { getBucketVersioning, listObjectVersions, putBucketVersioning } from "./version-ops.js";
import { copyObject, getObject, putObject } from "./object-ops.js";
import { deleteObject } from "./object-delete.js";
import { isPostObject, postObject } from "./post-object.js";
import { serveWebsite, websiteTarget } from "./website.js";
import { S3Notifications } from "../../sources/s3-notifications.js";
import { ObjectBodies } from "../../store/objects/object-bodies.js";
import type { Platform, ServiceModule } from "../module.js";
import { s3Actions, UNSUPPORTED_BUCKET_SUBRESOURCES } from "./authorization.js";
import { checkEncryptionRequest, encrypted, headerValues } from "./sse.js";
import { routeBucketSetting } from "./bucket-settings.js";
import { corsRules, preflight, withCors } from "./cors-ops.js";
import { matchingRule } from "./cors.js";
import { AnonymousAccess } from "../../auth/anonymous-access.js";
import { LifecycleTimers } from "./lifecycle-timers.js";
import { checkAclHeaders, getObjectAcl, putObjectAcl } from "./acl-ops.js";
import { getObjectAttributes } from "./object-attributes.js";
import { uploadPartCopy } from "./upload-part-copy.js";
import { bucketPolicyLookup } from "../../auth/resource-policies.js";

export type { S3Context } from "./context.js";

function notImplemented(what: string): S3Error {
  return new S3Error("NotImplemented", `Unkai does not implement ${what} yet.`);
}

/** Checks Content-MD5 on the small bodies S3 reads whole (DeleteObjects, notification configurations). */
function checkBufferedMd5(request: UnkaiRequest): void {
  const header = request.headers["content-md5"];
  // Streamed uploads are checked as they stream (payload.ts).
  if (header === undefined || request.bodyStream !== undefined) return;
  if (Buffer.from(header, "base64").length !== 16) throw new S3Error("InvalidDigest", "The Content-MD5 you specified is not valid.");
  if (createHash("md5").update(request.body).digest("base64") !== header) throw new S3Error("BadDigest", "The Content-MD5 you specified did not match what we received.");
}

/** PUT of an object, a part, a copy or a bucket, and POST that starts or completes an upload, take space. */
function growsStorage(method: string, query: URLSearchParams, key: string | undefined): boolean {
  if (method === "PUT") return key !== undefined || query.size === 0;
  return method === "POST" && key !== undefined && (query.has("uploads") || query.has("uploadId"));
}

async function route(context: S3Context, request: UnkaiRequest): Promise<UnkaiResponse> {
  const { bucket, key } = targetOf(request);
  const { method, query } = request;
  const shortfall = growsStorage(method, query, key) ? context.space.shortfall() : undefined;
  if (shortfall) throw new S3Error("ServiceUnavailable", shortfall);
  if (bucket === undefined) {
    if (method === "GET") return listBuckets(context, request);
    throw new S3Error("MethodNotAllowed", `The specified method ${method} is not allowed against the service endpoint.`);
  }
  checkBufferedMd5(request);
  if (method === "OPTIONS") return preflight(context, request, bucket);
  if (key === undefined) {
    const setting = routeBucketSetting(context, request, bucket);
    if (setting) return setting;
    const unsupported = UNSUPPORTED_BUCKET_SUBRESOURCES.find((name) => query.has(name));
    if (unsupported) throw notImplemented(`the bucket ${unsupported} sub-resource`);
    if (query.has("notification")) {
      if (method === "GET") return getNotification(context, bucket);
      if (method === "PUT") return putNotification(context, request, bucket);
    }
    if (query.has("versions") && method === "GET") return listObjectVersions(context, request, bucket);
    if (query.has("versioning") && method === "GET") return getBucketVersioning(context, bucket);
    if (query.has("versioning") && method === "PUT") return putBucketVersioning(context, request, bucket);
    if (method === "GET" && query.has("location")) return bucketLocation(context, bucket, request.caller.region);
    if (method === "GET" && query.has("uploads")) return listUploads(context, request, bucket);
    if (method === "GET" && query.get("list-type") === "2") return listObjectsV2(context, request, bucket);
    if (method === "GET") return listObjectsV1(context, request, bucket);
    if (method === "POST" && query.has("delete")) return deleteObjects(context, request, bucket);
    if (isPostObject(request, key)) return encrypted(postObject(context, request, bucket));
    if (method === "PUT") checkAclHeaders(context, request, "bucket", true);
    if (method === "PUT") return createBucket(context, request, bucket);
    if (method === "HEAD") return headBucket(context, request, bucket);
    if (method === "DELETE") return deleteBucket(context, bucket);
    throw new S3Error("MethodNotAllowed", `The specified method ${method} is not allowed against this bucket.`);
  }
  const uploadId = query.get("uploadId");
  if (query.has("tagging")) {
    if (method === "PUT") return putObjectTagging(context, request, bucket, key);
    if (method === "GET") return getObjectTagging(context, bucket, key);
    if (method === "DELETE") return deleteObjectTagging(context, request, bucket, key);
    throw new S3Error("MethodNotAllowed", `The specified method ${method} is not allowed against this resource.`);
  }
  if (query.has("acl")) {
    if (method === "PUT") return putObjectAcl(context, request, bucket, key);
    if (method === "GET") return getObjectAcl(context, request, bucket, key);
    throw new S3Error("MethodNotAllowed", `The specified method ${method} is not allowed against this resource.`);
  }
  if (query.has("attributes")) {
    if (method === "GET") return getObjectAttributes(context, request, bucket, key);
    throw new S3Error("MethodNotAllowed", `The specified method ${method} is not allowed against this resource.`);
  }
  if (query.has("retention") || query.has("legal-hold")) throw notImplemented("object retention and legal holds");
  // ACLs are disabled (BucketOwnerEnforced): a write may ask for no more than owner FULL_CONTROL.
  if ((method === "PUT" && uploadId === null) || (method === "POST" && query.has("uploads"))) {
    checkAclHeaders(context, request, "object");
    checkEncryptionRequest(headerValues(request));
  }
  if (method === "PUT" && uploadId !== null) {
    if (request.headers["x-amz-copy-source"] !== undefined) return encrypted(uploadPartCopy(context, request, bucket, key, uploadId));
    return encrypted(uploadPart(context, request, bucket, key, uploadId));
  }
  if (method === "PUT") return encrypted(request.headers["x-amz-copy-source"] !== undefined ? copyObject(context, request, bucket, key) : putObject(context, request, bucket, key));
  if (method === "POST" && query.has("uploads")) return encrypted(createUpload(context, request, bucket, key));
  if (method === "POST" && uploadId !== null) return encrypted(completeUpload(context, request, bucket, key, uploadId));
  if (method === "GET" && uploadId !== null) return listParts(context, request, bucket, key, uploadId);
  if (method === "GET" || method === "HEAD") return encrypted(getObject(context, request, bucket, key, method === "HEAD"));
  if (method === "DELETE" && uploadId !== null) return abortUpload(context, bucket, key, uploadId);
  if (method === "DELETE") return deleteObject(context, request, bucket, key);
  throw new S3Error("MethodNotAllowed", `The specified method ${method} is not allowed against this resource.`);
}

/**
 * A presigned-URL-shaped request whose signature could not even be read (so it names no service):
 * presigned URLs are S3's, so S3 answers it (AuthorizationQueryParametersError in XML). Paths under
 * `/_` are never buckets (bucket names start with a letter or digit): they stay Unkai's own.
 */
function unreadablePresignedUrl(request: UnkaiRequest): boolean {
  const { query } = request;
  const presigned = query.has("X-Amz-Signature") || query.has("X-Amz-Credential") || query.has("X-Amz-Algorithm");
  return presigned && request.caller.service === undefined && request.headers.authorization === undefined && !request.path.startsWith("/_");
}

/** An unsigned request to a path-style bucket address (first segment a bucket name: never `/_…`, never the root). */
function unsignedBucketRequest(request: UnkaiRequest): boolean {
  if (request.headers.authorization !== undefined || request.caller.service !== undefined) return false;
  return /^\/[a-z0-9][a-z0-9.-]{2,62}(\/|$)/.test(request.path);
}

/** Whether the request is a PutObject or UploadPart whose body should stream; false when its path cannot be read (answered later). */
function streamsUpload(request: UnkaiRequest): boolean {
  if (request.method === "POST") return postsForm(request);
  // PutObjectTagging's and PutObjectAcl's small XML documents are read whole.
  if (request.method !== "PUT" || request.headers["x-amz-copy-source"] !== undefined || request.query.has("tagging") || request.query.has("acl")) return false;
  try {
    return targetOf(request).key !== undefined;
  } catch {
    return false;
  }
}

/** A browser-based upload (POST Object): the form carries its own signed policy, checked by post-object.ts. */
function postsForm(request: UnkaiRequest): boolean {
  try {
    const { bucket, key } = targetOf(request);
    return bucket !== undefined && isPostObject(request, key);
  } catch {
    return false;
  }
}

/** Whether a request carries a signature of any kind (header or presigned URL). */
function signed(request: UnkaiRequest): boolean {
  const { query } = request;
  return request.headers.authorization !== undefined || query.has("X-Amz-Signature") || query.has("X-Amz-Credential") || query.has("X-Amz-Algorithm");
}

/** The bucket a request addresses; undefined for the service root or an address that does not parse. */
function bucketOf(request: UnkaiRequest): string | undefined {
  try {
    return targetOf(request).bucket;
  } catch {
    return undefined;
  }
}

/**
 * Unsigned requests S3 serves: CORS preflights (answered from the bucket's rules alone), and requests
 * the bucket's policy allows everyone to make (a public-read bucket; src/auth/anonymous-access.ts), and
 * browser-based uploads (their form carries a signed policy, checked by post-object.ts).
 */
async function servedUnsigned(request: UnkaiRequest, anonymous: AnonymousAccess | undefined): Promise<boolean> {
  // The website address is anonymous by design; website.ts asks the bucket policy object by object.
  if (websiteTarget(request) !== undefined) return true;
  if (signed(request) || bucketOf(request) === undefined) return false;
  if (request.method === "OPTIONS" || postsForm(request)) return true;
  return anonymous !== undefined && (await anonymous.allowed(request, s3Actions(request)));
}

/**
 * The front door refuses pages of other origins unless one of the bucket's CORS rules allows the
 * origin this method; a preflight is always let through, as it is answered from those rules (403
 * when none allows it).
 */
async function bucketAllowsOrigin(context: S3Context, request: UnkaiRequest, origin: string): Promise<boolean> {
  const bucket = bucketOf(request);
  if (bucket === undefined) return false;
  if (request.method === "OPTIONS") return true;
  const rules = await corsRules(context, bucket);
  return rules !== undefined && matchingRule(rules, origin, request.method) !== undefined;
}

export function s3Service(context: S3Context, anonymous?: AnonymousAccess): Service {
  return {
    name: "s3",
    signingNames: ["s3"],
    authorize: s3Actions,
    matches: (request) => request.caller.service === "s3" || virtualHostBucket(request.headers.host) !== undefined || unreadablePresignedUrl(request) || websiteTarget(request) !== undefined,
    answersUnclaimed: unsignedBucketRequest,
    // PutObject and UploadPart bodies go to disk as they arrive; CopyObject has no body to speak of.
    rejectUnauthenticated: s3AuthRefusal,
    streamsBody: streamsUpload,
    public: (request) => servedUnsigned(request, anonymous),
    allowsOrigin: (request, origin) => bucketAllowsOrigin(context, request, origin),
    async handle(request) {
      const website = websiteTarget(request);
      const response = website ? await answer(context, request, () => serveWebsite(context, anonymous, request, website)) : await answer(context, request);
      return request.headers.origin === undefined ? response : withCors(context, request, bucketOf(request), response).catch(() => response);
    },
  };
}

async function answer(context: S3Context, request: UnkaiRequest, serve = () => route(context, request)): Promise<UnkaiResponse> {
  try {
    const response = await serve();
    return { ...response, headers: { ...response.headers, "x-amz-request-id": request.requestId } };
  } catch (error) {
    // A client still sending a body it will not read an answer before finishing: discard the rest.
    if (request.bodyStream && !request.bodyStream.readableEnded) request.bodyStream.unpipe().resume();
    if (error instanceof S3Error) return s3ErrorResponse(error, request.requestId, request.method);
    context.logger.error({ err: error, method: request.method, path: request.path }, "S3 request failed");
    return s3ErrorResponse(new S3Error("InternalError", "We encountered an internal error. Please try again."), request.requestId, request.method);
  }
}

/**
 * S3 keeps object bodies in the platform's blob store (`<dataDir>/objects/` by default, or --blobs);
 * at start it removes the bodies a crash left behind (no row references them), and close waits for
 * that sweep. On a shared blob store only blobs older than the sharing grace are swept, so another
 * node's upload whose row is about to commit is never taken.
 */
/**
 * S3's notifications to queues, topics and the default bus: a destination that is gone is dropped at
 * once, as S3 drops it. S3 has no dead-letter queue, so `sourceAttribute` names nothing anyone reads.
 */
const S3_OUTBOX: OutboxOwner = { service: "S3", sourceAttribute: "BUCKET_ARN", missingTargetNotRetried: true };

export const s3Module: ServiceModule = {
  name: "s3",
  errors: { kind: "xml", table: S3_ERRORS, heading: "## S3 errors" },
  compatibility: "docs/compatibility/s3.md",
  create: createS3,
};

/**
 * How S3 makes a change's notifications from the platform's parts: its delivery outbox (retries), the
 * notifications themselves, and, under IAM enforcement, whether a function's policy lets S3 invoke it for a
 * bucket. S3's own service and other services writing S3 objects (s3/object-access.ts) make them alike.
 */
export function s3NotificationParts(p: Platform, logger: Logger) {
  const outbox = new DeliveryOutbox(p.store.s3Deliveries, p.destinations, p.retryTiming, Date.now, logger, S3_OUTBOX);
  const notifications = new S3Notifications(p.account.region, p.account.accountId, () => p.worker.wake(), (arn, message) => p.destinations.send(arn, message), outbox, p.s3NotificationDelayMs, logger);
  const mayInvoke = p.iamEnforcer && (async (functionArn: string, bucketArn: string) => (await p.destinations.permission(functionArn, { principal: "s3.amazonaws.com", arn: bucketArn })).allowed);
  return { outbox, notifications, mayInvoke };
}

function createS3(p: Platform): Service {
  const bodies = new ObjectBodies(p.blobs.store);
  const logger = p.logger("s3");
  const lifecycle = new LifecycleTimers(p.store.scheduleTimers, { owner: p.nodeName, dayMs: p.s3LifecycleDayMs, now: Date.now }, logger);
  p.onDeadLeasesFreed(() => lifecycle.runner.wake());
  const anonymous = new AnonymousAccess(bucketPolicyLookup(p.store.bucketSettings));
  const { outbox, notifications, mayInvoke } = s3NotificationParts(p, logger);
  const context: S3Context = {
    store: p.store.objects, settings: p.store.bucketSettings, bodies, commit: (unit) => p.store.commit(unit), notifications,
    functionExists: async (name) => (await p.functions.find(name)) !== undefined,
    ...(mayInvoke ? { s3MayInvoke: mayInvoke } : {}),
    accountId: p.account.accountId, credentials: p.credentials, logger, space: p.space,
    conditionalWrites: new ConditionalWrites(), lifecycle,
    authorize: p.iamEnforcer && ((request, needs) => p.iamEnforcer?.check(request, needs, "s3") ?? Promise.resolve(undefined)),
    anonymousAllows: (request, needs) => anonymous.allowed(request, needs),
  };
  const service = s3Service(context, anonymous);
  let sweep: Promise<unknown> | undefined;
  return {
    ...service,
    start() {
      lifecycle.start(context);
      outbox.start();
      sweep ??= bodies.sweep(Date.now() - p.blobs.sweepGraceMs, (blob) => p.store.objects.referencesBlob(blob), async (id) => (await p.store.objects.upload(id)) !== undefined).then(
        (removed) => removed > 0 && logger.info({ removed }, "removed S3 bodies a crash left behind"),
        (error: unknown) => logger.warn({ err: error }, "could not sweep S3 bodies a crash left behind"),
      );
    },
    async close() {
      await Promise.all([sweep, lifecycle.close(), outbox.close()]);
    },
  };
}
