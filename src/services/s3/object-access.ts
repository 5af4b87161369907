/**
 * S3's objects as another service reaches them (DynamoDB's exports write here, its imports read here):
 * the same object rows and blob bodies S3 serves, written through the store's unit of work as PutObject
 * writes them (a new version on a versioned bucket, the bodies it replaced removed), with the bucket's
 * notifications queued in the same unit. No HTTP call to Unkai's own S3 API; no IAM check here (the
 * calling service's authorization asks for the S3 actions AWS documents for its operation).
 */
import type { Readable } from "node:stream";
import type { S3Notifications } from "../../sources/s3-notifications.js";
import { ObjectBodies } from "../../store/objects/object-bodies.js";
import type { BucketRecord, ObjectRecord, ObjectStore, Store } from "../../store/ports.js";
import type { Platform } from "../module.js";
import { notificationOf } from "./context.js";
import { s3NotificationParts } from "./index.js";
import { newVersion, shownVersion } from "./versions.js";
import { Md5Through } from "./object-ops.js";

export interface ObjectAccessDeps {
  readonly objects: ObjectStore;
  readonly bodies: ObjectBodies;
  readonly commit: Store["commit"];
  /** Present: the bucket's notification configuration is honoured, as for any PutObject. */
  readonly notifications?: S3Notifications | undefined;
  /** Under IAM enforcement: whether a function's policy lets s3.amazonaws.com invoke it for the bucket. */
  readonly mayInvoke?: ((functionArn: string, bucketArn: string) => Promise<boolean>) | undefined;
}

/** What a written object is: its ETag (MD5 hex) and size, and the MD5 in base64 (DynamoDB's manifests list it). */
export interface WrittenObject {
  readonly etag: string;
  readonly size: number;
  readonly md5Base64: string;
}

export class ObjectAccess {
  constructor(private readonly deps: ObjectAccessDeps) {}

  bucket(name: string): Promise<BucketRecord | undefined> {
    return this.deps.objects.bucket(name);
  }

  /** The current objects (no delete markers) whose keys start with `prefix`, in key order, a page at a time. */
  async *list(bucket: string, prefix: string, pageSize = 1000): AsyncGenerator<ObjectRecord> {
    let after = "";
    for (;;) {
      const page = await this.deps.objects.listObjects(bucket, prefix, after, pageSize);
      yield* page;
      if (page.length < pageSize) return;
      after = (page[page.length - 1] as ObjectRecord).key;
    }
  }

  /** An object's body; undefined when an overwrite removed it after the row was read. */
  read(object: ObjectRecord): Promise<Readable | undefined> {
    return this.deps.bodies.reader(object.blob);
  }

  /**
   * Streams `body` into a new object `bucket`/`key` (the key's new current version), committed once the
   * body is whole, with the notifications `principalId` makes. Fails when the bucket is gone.
   */
  async put(bucket: string, key: string, body: Readable, contentType: string, principalId: string): Promise<WrittenObject> {
    const measured = new Md5Through();
    body.on("error", (error) => measured.destroy(error));
    const blob = await this.deps.bodies.write(body.pipe(measured));
    try {
      const target = await this.deps.objects.bucket(bucket);
      if (!target) throw new Error(`The bucket ${bucket} does not exist`);
      const md5 = measured.hash.digest();
      const record: ObjectRecord = {
        bucket, key, blob, size: measured.size, etag: md5.toString("hex"), lastModified: Date.now(), headers: { "content-type": contentType }, ...newVersion(target),
      };
      const done = await this.deps.commit({ putObjects: [record], ...(await this.notificationsOf(target, record, principalId)) });
      await this.deps.notifications?.announce(done.events, done.deliveries);
      for (const gone of done.discarded) if (gone.blob !== "" && gone.blob !== blob) await this.deps.bodies.remove(gone.blob);
      return { etag: record.etag, size: record.size, md5Base64: md5.toString("base64") };
    } catch (error) {
      await this.deps.bodies.remove(blob);
      throw error;
    }
  }

  private async notificationsOf(bucket: BucketRecord, record: ObjectRecord, principalId: string) {
    const notifications = this.deps.notifications;
    let config = notificationOf(bucket);
    if (!notifications || !config) return {};
    const mayInvoke = this.deps.mayInvoke;
    if (mayInvoke && config.lambda.length > 0) {
      const allowed = await Promise.all(config.lambda.map((c) => mayInvoke(c.functionArn, `arn:aws:s3:::${bucket.name}`)));
      config = { ...config, lambda: config.lambda.filter((_, i) => allowed[i]) };
    }
    const change = { eventName: "ObjectCreated:Put", key: record.key, size: record.size, eTag: record.etag, ...(bucket.versioning !== undefined ? { versionId: shownVersion(record) } : {}) };
    const context = { requestId: record.sequence ?? "", sourceIp: "127.0.0.1", accessKeyId: undefined, principalId };
    const events = notifications.eventsFor(bucket.name, config, change, context);
    const deliveries = notifications.deliveriesFor(bucket.name, config, change, context);
    return { events: () => events, deliveries: () => deliveries };
  }
}

/**
 * S3's objects for another module, from the platform's parts: the bucket's notifications are made as
 * S3 makes them, their first attempt at once and retries by S3's own outbox loop (it reads the same
 * pending deliveries).
 */
export function platformObjectAccess(p: Platform): ObjectAccess {
  const { notifications, mayInvoke } = s3NotificationParts(p, p.logger("s3"));
  return new ObjectAccess({ objects: p.store.objects, bodies: new ObjectBodies(p.blobs.store), commit: (unit) => p.store.commit(unit), notifications, mayInvoke });
}
