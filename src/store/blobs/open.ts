/** Opens the blob store `unkai start --blobs` names: a directory (the data directory by default) or `s3://bucket/prefix`. */
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { BlobStore } from "./blob-store.js";
import { openLocalBlobs } from "./local-blobs.js";

export interface BlobSettings {
  /** "" (the data directory), an absolute directory, or `s3://bucket[/prefix]` (checked by src/server/config.ts). */
  readonly location: string;
  readonly dataDir: string;
  readonly endpoint: string;
  readonly region: string;
  /** Empty: the AWS SDK's own credential chain. */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

export interface OpenedBlobs {
  readonly store: BlobStore;
  /**
   * How old an unreferenced blob must be before a crash sweep may delete it. A store other than the
   * data directory may be shared by several nodes, and another node may be between storing a blob and
   * committing the row that names it; an hour is far beyond that gap (and beyond any upload's length).
   */
  readonly sweepGraceMs: number;
}

const SHARED_GRACE_MS = 60 * 60_000;

export async function openBlobStore(settings: BlobSettings): Promise<OpenedBlobs> {
  const { location, dataDir } = settings;
  // Before the blob store, S3 wrote its temp files here; a crash of that version may have left some.
  rmSync(join(dataDir, "objects", "tmp"), { recursive: true, force: true });
  if (location === "" || location === dataDir) return { store: await openLocalBlobs(dataDir, 0), sweepGraceMs: 0 };
  if (!location.startsWith("s3://")) return { store: await openLocalBlobs(location, SHARED_GRACE_MS), sweepGraceMs: SHARED_GRACE_MS };
  const [bucket = "", ...folders] = location.slice("s3://".length).split("/");
  const credentials = settings.accessKeyId === ""
    ? undefined
    : { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey, ...(settings.sessionToken ? { sessionToken: settings.sessionToken } : {}) };
  // Loaded only when used: the AWS SDK would add a few hundred milliseconds to every start.
  const { openS3Blobs } = await import("./s3-blobs.js");
  const store = await openS3Blobs({
    bucket,
    prefix: folders.filter((folder) => folder !== "").join("/"),
    endpoint: settings.endpoint === "" ? undefined : settings.endpoint,
    region: settings.region,
    credentials,
  });
  return { store, sweepGraceMs: SHARED_GRACE_MS };
}
