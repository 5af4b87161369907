/**
 * What DynamoDB's exports to S3 (exports.ts) and imports from S3 (imports.ts) share: their stored
 * documents, the background jobs that do the work after the request is answered, ids and ARNs, client
 * tokens, and List paging. A job runs on the node that took the request; one a stopped Unkai left
 * IN_PROGRESS is marked FAILED when the service starts again (with a store of its own: on a shared store
 * another node may still be running it).
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { UnkaiRequest } from "../../protocol/http.js";
import type { DynamoTransferRecord } from "../../core/dynamodb-transfers.js";
import type { UnkaiError } from "../../core/errors.js";
import type { DocumentStore } from "../../store/ports.js";
import type { ObjectAccess } from "../s3/object-access.js";
import type { DynamoContext } from "./context.js";
import { invalid } from "./table-definition.js";

export interface TransferDeps {
  readonly exports: DocumentStore<DynamoTransferRecord>;
  readonly imports: DocumentStore<DynamoTransferRecord>;
  readonly s3: ObjectAccess;
  readonly logger: Logger;
  /**
   * Under IAM enforcement: whether the request's caller may `s3:GetObject` one object. An import asks it of
   * every object it reads, as AWS reads them with the caller's own permissions: the request's one check on
   * `<bucket>/<prefix>*` cannot see a Deny on a narrower path (such as `<bucket>/secret/*`).
   */
  readonly mayRead?: ((request: UnkaiRequest, bucket: string, key: string) => Promise<boolean>) | undefined;
}

export interface TransferContext extends DynamoContext {
  readonly transfers: TransferDeps;
  readonly jobs: TransferJobs;
}

/** How long a client token answers with its first request's export or import (AWS: 8 hours). */
export const CLIENT_TOKEN_MS = 8 * 60 * 60 * 1000;

/** Thrown inside a job when Unkai is closing: the job stops and leaves its record as it is. */
export class Closing extends Error {}

/** The jobs running on this node, so close() can stop them between steps and wait for them. */
export class TransferJobs {
  private readonly running = new Set<Promise<void>>();
  private closing = false;

  /** Runs `job` in the background; its failure is logged (a job records its own outcome). */
  run(job: () => Promise<void>, logger: Logger): void {
    const running: Promise<void> = job()
      .catch((error: unknown) => {
        if (!(error instanceof Closing)) logger.error({ err: error }, "a DynamoDB export or import failed unexpectedly");
      })
      .finally(() => this.running.delete(running));
    this.running.add(running);
  }

  /** Called by a job between steps: throws once Unkai is closing. */
  check(): void {
    if (this.closing) throw new Closing("Unkai is closing");
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.running]);
  }
}

/** Marks the records a stopped Unkai left IN_PROGRESS as FAILED (called at start on a store of this node's own). */
export async function failInterrupted(store: DocumentStore<DynamoTransferRecord>, statusMember: string, now: number): Promise<void> {
  for (const record of await store.list()) {
    if (record.description[statusMember] !== "IN_PROGRESS") continue;
    await store.put(record.arn, { ...record, description: { ...record.description, [statusMember]: "FAILED", EndTime: now, FailureCode: "UnkaiRestarted", FailureMessage: "Unkai stopped before this finished; start it again." } });
  }
}

/** An id as DynamoDB's: the start time in milliseconds, 14 digits, and 8 hex digits (`01604474914028-a1b2c3d4`). */
export function transferId(now: number): string {
  return `${String(now).padStart(14, "0")}-${randomBytes(4).toString("hex")}`;
}

/**
 * The record a repeated request under the same live client token answers, or undefined for a new
 * request; the same token with other parameters is `conflict`.
 */
export async function repeated(store: DocumentStore<DynamoTransferRecord>, token: string | undefined, request: string, now: number, conflict: () => UnkaiError): Promise<DynamoTransferRecord | undefined> {
  if (token === undefined) return undefined;
  const earlier = (await store.list()).find((record) => record.clientToken === token && record.startedAt + CLIENT_TOKEN_MS > now);
  if (earlier === undefined) return undefined;
  if (earlier.request !== request) throw conflict();
  return earlier;
}

const TIMES = new Set(["StartTime", "EndTime", "ExportTime"]);

/** A stored description as the API answers it: its epoch-millisecond times as Dates. */
export function described(record: DynamoTransferRecord): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record.description).map(([name, value]) => [name, TIMES.has(name) && typeof value === "number" ? new Date(value) : value]));
}

/**
 * A List page: records of `tableArn` (all when absent), oldest first, after the one the token names. The
 * token is the last ARN in hex, padded with zeros to a multiple of 16 digits and at least 112 (the
 * shape ListImports' NextToken must have).
 */
export async function listPage(store: DocumentStore<DynamoTransferRecord>, tableArn: string | undefined, limit: number, token: string | undefined): Promise<{ page: DynamoTransferRecord[]; next: string | undefined }> {
  const all = (await store.list()).filter((record) => tableArn === undefined || record.tableArn === tableArn).sort((a, b) => a.startedAt - b.startedAt || (a.arn < b.arn ? -1 : 1));
  let start = 0;
  if (token !== undefined) {
    const after = tokenArn(token);
    start = all.findIndex((record) => record.arn === after) + 1;
    if (start === 0) throw invalid("The provided NextToken is not valid.");
  }
  const page = all.slice(start, start + limit);
  const next = start + limit < all.length ? nextToken((page[page.length - 1] as DynamoTransferRecord).arn) : undefined;
  return { page, next };
}

function nextToken(arn: string): string {
  const hex = Buffer.from(arn).toString("hex");
  return hex.padEnd(Math.max(112, Math.ceil(hex.length / 16) * 16), "0");
}

function tokenArn(token: string): string {
  if (!/^(?:[0-9a-f]{2})+$/.test(token)) throw invalid("The provided NextToken is not valid.");
  return Buffer.from(token.replace(/(?:00)+$/, ""), "hex").toString();
}
