/**
 * ExportTableToPointInTime, DescribeExport and ListExports: a table's items written to Unkai's own S3 in
 * AWS's layout — `<prefix>/AWSDynamoDB/<ExportId>/_started`, `data/<random>.json.gz` (one
 * `{"Item":{…}}` DynamoDB JSON line per item, gzipped), `manifest-files.json` (one line per data file)
 * and `manifest-summary.json` — then COMPLETED (or FAILED with FailureCode and FailureMessage). The
 * table is read a page at a time and streamed through gzip into each object, so a big table is never
 * held in memory and the event loop is yielded between pages. Unkai keeps no item history: the export
 * is of the table as it is while the export runs, so only an ExportTime at about now is accepted.
 */
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { setImmediate as yieldLoop } from "node:timers/promises";
import { createGzip } from "node:zlib";
import type { DynamoTransferRecord } from "../../core/dynamodb-transfers.js";
import { UnkaiError } from "../../core/errors.js";
import type { DynamoItemRow } from "../../store/ports.js";
import { loadTable, tableNameOf, type LoadedTable } from "./context.js";
import { Closing, described, listPage, repeated, transferId, type TransferContext } from "./transfers.js";
import { invalid } from "./table-definition.js";

/** How far ExportTime may be from now, either way (clocks differ; Unkai has no earlier state to export). */
const EXPORT_TIME_SLACK_MS = 5 * 60 * 1000;
/** Items per data file, and per page read from the table. */
const ITEMS_PER_FILE = 100_000;
const PAGE_ITEMS = 500;

export interface ExportInput {
  readonly TableArn: string;
  readonly ExportTime?: Date;
  readonly ClientToken?: string;
  readonly S3Bucket: string;
  readonly S3BucketOwner?: string;
  readonly S3Prefix?: string;
  readonly S3SseAlgorithm?: string;
  readonly S3SseKmsKeyId?: string;
  readonly ExportFormat?: string;
  readonly ExportType?: string;
  readonly IncrementalExportSpecification?: object;
}

/** The export's table: TableNotFoundException when there is none, PointInTimeRecoveryUnavailableException without PITR. */
async function exportedTable(ctx: TransferContext, arn: string): Promise<LoadedTable> {
  if (!arn.startsWith("arn:")) throw invalid(`Invalid TableArn: ${arn}. TableArn must be the Amazon Resource Name of a table.`);
  let table: LoadedTable;
  try {
    table = await loadTable(ctx, tableNameOf(ctx, arn));
  } catch (error) {
    if (error instanceof UnkaiError && error.code === "ResourceNotFoundException") throw new UnkaiError("TableNotFoundException", `Table not found: ${arn}`);
    throw error;
  }
  if (table.definition.PointInTimeRecovery === undefined) throw new UnkaiError("PointInTimeRecoveryUnavailableException", `Point in time recovery is not enabled for table '${table.name}'`);
  return table;
}

function checkInput(input: ExportInput, now: number): number {
  if (input.ExportType === "INCREMENTAL_EXPORT" || input.IncrementalExportSpecification !== undefined) {
    throw invalid("Unkai does not support incremental exports (ExportType INCREMENTAL_EXPORT): it keeps no history of item changes. Use FULL_EXPORT.");
  }
  if (input.ExportFormat === "ION") throw invalid("Unkai does not export in the ION format yet; use ExportFormat DYNAMODB_JSON.");
  if (input.S3SseAlgorithm === "KMS") throw invalid("Unkai does not encrypt exports with KMS keys (S3SseAlgorithm KMS); use AES256 or leave it out.");
  const exportTime = input.ExportTime?.getTime() ?? now;
  if (exportTime > now + EXPORT_TIME_SLACK_MS) throw new UnkaiError("InvalidExportTimeException", "ExportTime cannot be in the future.");
  if (exportTime < now - EXPORT_TIME_SLACK_MS) {
    throw new UnkaiError("InvalidExportTimeException", "Unkai keeps no history of a table's items, so it exports a table only as it is now: give an ExportTime within 5 minutes of now, or none.");
  }
  return exportTime;
}

export async function exportTableToPointInTime(ctx: TransferContext, input: ExportInput): Promise<object> {
  const now = ctx.now();
  const exportTime = checkInput(input, now);
  const table = await exportedTable(ctx, input.TableArn);
  const { ClientToken: token, ExportTime: _time, ...parameters } = input;
  const request = JSON.stringify(parameters);
  const store = ctx.transfers.exports;
  const earlier = await repeated(store, token, request, now, () => new UnkaiError("ExportConflictException", `An export with client token ${token ?? ""} was requested earlier with other parameters.`));
  if (earlier) return { ExportDescription: described(earlier) };
  const id = transferId(now);
  const prefix = input.S3Prefix ?? "";
  const description = {
    ExportArn: `${table.arn}/export/${id}`, ExportStatus: "IN_PROGRESS", StartTime: now, TableArn: table.arn, TableId: table.definition.TableId, ExportTime: exportTime,
    ...(token !== undefined ? { ClientToken: token } : {}), S3Bucket: input.S3Bucket, ...(input.S3BucketOwner !== undefined ? { S3BucketOwner: input.S3BucketOwner } : {}),
    ...(prefix !== "" ? { S3Prefix: prefix } : {}), S3SseAlgorithm: input.S3SseAlgorithm ?? "AES256", ExportFormat: "DYNAMODB_JSON", ExportType: "FULL_EXPORT",
  };
  const record: DynamoTransferRecord = { arn: description.ExportArn, tableArn: table.arn, clientToken: token ?? "", request, startedAt: now, description };
  await store.put(record.arn, record);
  ctx.jobs.run(() => runExport(ctx, record, table, id, prefix), ctx.transfers.logger);
  return { ExportDescription: described(record) };
}

/** The key of an object of the export: `<prefix>/AWSDynamoDB/<id>/<name>` (no leading slash without a prefix). */
function keyOf(prefix: string, id: string, name: string): string {
  const base = `AWSDynamoDB/${id}/${name}`;
  return prefix === "" ? base : `${prefix.replace(/\/+$/, "")}/${base}`;
}

interface DataFile {
  readonly itemCount: number;
  readonly md5Checksum: string;
  readonly etag: string;
  readonly dataFileS3Key: string;
}

async function runExport(ctx: TransferContext, record: DynamoTransferRecord, table: LoadedTable, id: string, prefix: string): Promise<void> {
  const { s3 } = ctx.transfers;
  const bucket = record.description.S3Bucket as string;
  const finish = (changes: Record<string, unknown>) => ctx.transfers.exports.put(record.arn, { ...record, description: { ...record.description, ...changes, EndTime: ctx.now() } });
  if (!(await s3.bucket(bucket))) {
    await finish({ ExportStatus: "FAILED", FailureCode: "S3NoSuchBucket", FailureMessage: `The specified bucket does not exist (S3 bucket ${bucket})` });
    return;
  }
  const owner = record.description.S3BucketOwner as string | undefined;
  if (owner !== undefined && owner !== ctx.account.accountId) {
    await finish({ ExportStatus: "FAILED", FailureCode: "S3AccessDenied", FailureMessage: `Access denied: the bucket ${bucket} is not owned by account ${owner} (S3BucketOwner)` });
    return;
  }
  const put = (name: string, body: Readable, type: string) => s3.put(bucket, keyOf(prefix, id, name), body, type, "dynamodb.amazonaws.com");
  try {
    await put("_started", Readable.from([]), "application/octet-stream");
    const rows = tableRows(ctx, table.name);
    const files: DataFile[] = [];
    let itemCount = 0;
    let billedSizeBytes = 0;
    // At least one data file, as DynamoDB writes one for an empty partition.
    for (let more = true; more || files.length === 0;) {
      ctx.jobs.check();
      const name = `data/${randomBytes(13).toString("hex")}.json.gz`;
      const counted = { items: 0, bytes: 0, more: false };
      const written = await put(name, gzipped(Readable.from(dataLines(rows, counted))), "application/x-gzip");
      files.push({ itemCount: counted.items, md5Checksum: written.md5Base64, etag: written.etag, dataFileS3Key: keyOf(prefix, id, name) });
      itemCount += counted.items;
      billedSizeBytes += counted.bytes;
      more = counted.more;
    }
    const manifestFilesKey = keyOf(prefix, id, "manifest-files.json");
    await put("manifest-files.json", Readable.from([files.map((file) => `${JSON.stringify(file)}\n`).join("")]), "application/json");
    const endTime = ctx.now();
    const summary = {
      version: "2020-06-30", exportArn: record.arn, startTime: new Date(record.startedAt).toISOString(), endTime: new Date(endTime).toISOString(), tableArn: table.arn,
      tableId: table.definition.TableId, exportTime: new Date(record.description.ExportTime as number).toISOString(), s3Bucket: bucket, s3Prefix: prefix === "" ? null : prefix,
      s3SseAlgorithm: record.description.S3SseAlgorithm, s3SseKmsKeyId: null, manifestFilesS3Key: manifestFilesKey, billedSizeBytes, itemCount, outputFormat: "DYNAMODB_JSON",
    };
    await put("manifest-summary.json", Readable.from([JSON.stringify(summary)]), "application/json");
    await finish({ ExportStatus: "COMPLETED", ExportManifest: keyOf(prefix, id, "manifest-summary.json"), ItemCount: itemCount, BilledSizeBytes: billedSizeBytes });
  } catch (error) {
    if (error instanceof Closing) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const gone = !(await s3.bucket(bucket));
    await finish({ ExportStatus: "FAILED", FailureCode: gone ? "S3NoSuchBucket" : "UnknownError", FailureMessage: gone ? `The specified bucket does not exist (S3 bucket ${bucket})` : `The export could not be written: ${message}` });
  }
}

/** `source` through gzip, its failure (a read error, Unkai closing) failing the gzipped stream too. */
function gzipped(source: Readable): Readable {
  const gzip = createGzip();
  source.on("error", (error) => gzip.destroy(error));
  return source.pipe(gzip);
}

/** The table's rows in key order, a page at a time, yielding the event loop between pages. */
async function* tableRows(ctx: TransferContext, table: string): AsyncGenerator<DynamoItemRow> {
  let after: DynamoItemRow | undefined;
  for (;;) {
    ctx.jobs.check();
    const page = await ctx.store.scan(table, after && { partitionKey: after.partitionKey, sortKey: after.sortKey }, PAGE_ITEMS);
    yield* page;
    if (page.length < PAGE_ITEMS) return;
    after = page[page.length - 1];
    await yieldLoop();
  }
}

/** One data file's lines: up to ITEMS_PER_FILE rows of `rows`; `counted.more` says whether rows remain. */
async function* dataLines(rows: AsyncGenerator<DynamoItemRow>, counted: { items: number; bytes: number; more: boolean }): AsyncGenerator<string> {
  while (counted.items < ITEMS_PER_FILE) {
    const next = await rows.next();
    if (next.done === true) return;
    counted.items++;
    counted.bytes += next.value.size;
    // The stored JSON is DynamoDB JSON with binaries in base64: the line is written from it as it is.
    yield `{"Item":${next.value.item}}\n`;
  }
  counted.more = true;
}

export async function describeExport(ctx: TransferContext, input: { ExportArn: string }): Promise<object> {
  const record = await ctx.transfers.exports.get(input.ExportArn);
  if (record === undefined) throw new UnkaiError("ExportNotFoundException", `Export not found: ${input.ExportArn}`);
  return { ExportDescription: described(record) };
}

export async function listExports(ctx: TransferContext, input: { TableArn?: string; MaxResults?: number; NextToken?: string }): Promise<object> {
  const { page, next } = await listPage(ctx.transfers.exports, input.TableArn, input.MaxResults ?? 25, input.NextToken);
  const summaries = page.map((record) => ({ ExportArn: record.arn, ExportStatus: record.description.ExportStatus, ExportType: record.description.ExportType }));
  return { ExportSummaries: summaries, ...(next !== undefined ? { NextToken: next } : {}) };
}
