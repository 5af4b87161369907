/**
 * Blobs in an S3-compatible store (AWS S3, MinIO, Ceph RGW, another Unkai) through the AWS SDK, under
 * `s3://bucket/prefix/`. Only a small, widely implemented subset is used: PUT (multipart for big
 * streams), GET with Range, HEAD, DELETE, ListObjectsV2 — no conditional writes: blobs are immutable
 * and written under fresh or content-addressed keys, so no two writers ever race on one key's bytes.
 */
import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { Readable } from "node:stream";
import { checkBlobKey, type BlobInfo, type BlobRange, type BlobSource, type BlobStore } from "./blob-store.js";

export interface S3BlobsOptions {
  readonly bucket: string;
  /** Folder inside the bucket, without leading or trailing '/'; "" for the whole bucket. */
  readonly prefix: string;
  /** A non-AWS server (`http://minio:9000`); path-style addressing is used with one. */
  readonly endpoint: string | undefined;
  readonly region: string;
  /** Undefined: the SDK's own chain (shared config files, container or instance roles). */
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
}

/** Streams are cut into parts of this size; an upload holds at most QUEUE_SIZE of them in memory. */
const PART_BYTES = 8 * 1024 * 1024;
const QUEUE_SIZE = 4;

/** Fails at start, with the reason, when the bucket cannot be reached (wrong endpoint, name or credentials). */
export async function openS3Blobs(options: S3BlobsOptions): Promise<BlobStore> {
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.endpoint !== undefined,
    credentials: options.credentials,
    // The SDK's newer default (a CRC on every request) is refused by older RGW and MinIO releases.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  try {
    await client.send(new HeadBucketCommand({ Bucket: options.bucket }));
  } catch (error) {
    client.destroy();
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const reason = status === 404 ? "no such bucket" : status === 403 ? "access denied (check the blob store's credentials)" : (error as Error).message || (error as Error).name;
    throw new Error(`The blob store s3://${options.bucket}/${options.prefix} cannot be used${options.endpoint ? ` at ${options.endpoint}` : ""}: ${reason}.`, { cause: error });
  }
  return new S3Blobs(client, options.bucket, options.prefix);
}

class S3Blobs implements BlobStore {
  readonly location: string;

  constructor(private readonly client: S3Client, private readonly bucket: string, private readonly prefix: string) {
    if (prefix !== "") checkBlobKey(prefix);
    this.location = `s3://${bucket}/${prefix}`;
  }

  async put(key: string, source: BlobSource): Promise<void> {
    const Key = this.fullKey(key);
    // Always a fresh stream: lib-storage sizes a body by any `size`, `byteLength` or `path` property it
    // finds (an S3 payload's running byte count would read as 0 and fail every multipart upload).
    const Body = Readable.from(concatenate(typeof source === "function" ? source() : [source]));
    // On any failure the SDK aborts its multipart upload: nothing appears under the key.
    const upload = new Upload({ client: this.client, params: { Bucket: this.bucket, Key, Body }, partSize: PART_BYTES, queueSize: QUEUE_SIZE, leavePartsOnError: false });
    await upload.done();
  }

  /** An upload appears whole or not at all anyway. */
  putNew(key: string, source: BlobSource): Promise<void> {
    return this.put(key, source);
  }

  async get(key: string, range?: BlobRange): Promise<Readable | undefined> {
    const Key = this.fullKey(key);
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }));
      return answer.Body as Readable;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async has(key: string): Promise<boolean> {
    const Key = this.fullKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }));
  }

  async *list(prefix: string): AsyncIterable<BlobInfo> {
    checkBlobKey(prefix, true);
    const root = this.prefix === "" ? "" : `${this.prefix}/`;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: root + prefix, ContinuationToken: token }));
      for (const item of page.Contents ?? []) {
        if (item.Key?.startsWith(root)) yield { key: item.Key.slice(root.length), modifiedMs: item.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private fullKey(key: string): string {
    checkBlobKey(key);
    return this.prefix === "" ? key : `${this.prefix}/${key}`;
  }
}

async function* concatenate(streams: AsyncIterable<Readable> | Iterable<Readable>): AsyncIterable<Buffer> {
  for await (const stream of streams) yield* stream as AsyncIterable<Buffer>;
}

/** The key is absent (HEAD answers a bare 404, named NotFound by the SDK). */
function isMissing(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === "NoSuchKey" || name === "NotFound";
}
