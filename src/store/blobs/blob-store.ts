/**
 * The seam for every large byte payload Unkai keeps (code packages, layers, S3 object bodies):
 * immutable blobs under relative keys, written whole or not at all, read as streams, by range.
 * Metadata (which blob a function or an object points at) lives in the metadata store; a blob is
 * written first and the row that points at it is committed after, so a crash leaves at most an
 * unreferenced blob, which the owner's sweep removes.
 */
import type { Readable } from "node:stream";

/** Inclusive byte offsets, as an HTTP Range. */
export interface BlobRange {
  readonly start: number;
  readonly end: number;
}

/** One stream, or several read one after the other (a multipart upload's parts). */
export type BlobSource = Readable | (() => AsyncIterable<Readable>);

export interface BlobInfo {
  /** The key, relative to the store's root (as given to put). */
  readonly key: string;
  /** When the blob was written (ms since the epoch). */
  readonly modifiedMs: number;
}

export interface BlobStore {
  /** Where the blobs live, for logs and `unkai doctor` (never includes credentials). */
  readonly location: string;
  /** Streams `source` into the blob `key`; the blob appears only once every byte is stored. */
  put(key: string, source: BlobSource): Promise<void>;
  /**
   * `put` for a key never used before that nothing refers to until this resolves (a fresh id): the
   * blob may be seen partly written meanwhile, and a crash may leave it partial, for the owner's sweep
   * (as a blob whose row was never committed). Once this resolves the blob is whole and durable; a
   * filesystem saves a rename and syncs the file and its folder at once.
   */
  putNew(key: string, source: BlobSource): Promise<void>;
  /** The blob's bytes (`range` inclusive when given); undefined when there is no such blob. */
  get(key: string, range?: BlobRange): Promise<Readable | undefined>;
  has(key: string): Promise<boolean>;
  /** Removes the blob; a missing one is fine. */
  delete(key: string): Promise<void>;
  /** Every blob whose key starts with `prefix` (a folder, ending in '/'). */
  list(prefix: string): AsyncIterable<BlobInfo>;
  close(): Promise<void>;
}

/** Segments are what Unkai itself names blobs with: hex digests, UUIDs, base64url upload ids, part numbers (never starting with '.'). */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const MAX_KEY_BYTES = 512;

/**
 * Refuses a key (or folder prefix, when `folder`) that is not a plain relative path of simple names:
 * no '..' or '.' segment, no leading '/', no empty segment, no '%' or '\' — so no backend can be led
 * outside its root or prefix, however it normalises paths.
 */
export function checkBlobKey(key: string, folder = false): void {
  const body = folder && key.endsWith("/") ? key.slice(0, -1) : key;
  const ok = body.length > 0 && Buffer.byteLength(key) <= MAX_KEY_BYTES && body.split("/").every((segment) => SEGMENT.test(segment));
  if (!ok) throw new Error(`Refusing blob key ${JSON.stringify(key)}: keys are relative paths of names made of letters, digits, '.', '_' and '-'.`);
}
