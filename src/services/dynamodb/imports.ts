/**
 * ImportTable, DescribeImport and ListImports: a new table loaded from the objects under an S3 prefix of
 * Unkai's own S3 (DynamoDB JSON or CSV, gzipped or not). The table is created by CreateTable's own rules
 * while the request is answered (a name in use is ResourceInUseException); every object is then read as a
 * stream and its items written through the write path BatchWriteItem uses (write-plans.ts), so keys,
 * sizes, index entries and stream records follow the one set of rules. A record that cannot be imported
 * (not JSON, a missing or mistyped key, too big) is counted in ErrorCount and logged to Unkai's log, and
 * the import goes on, as DynamoDB counts them; an import that cannot read its source at all is FAILED and
 * its table deleted.
 */
import type { Readable } from "node:stream";
import { setImmediate as yieldLoop } from "node:timers/promises";
import { createGunzip } from "node:zlib";
import type { DynamoTransferRecord } from "../../core/dynamodb-transfers.js";
import type { UnkaiRequest } from "../../protocol/http.js";
import { UnkaiError } from "../../core/errors.js";
import type { DynamoItemKey, ObjectRecord } from "../../store/ports.js";
import { keyId } from "./batches.js";
import { itemOf } from "./keys.js";
import { csvRecords, dynamoJsonRecords, ImportRecordError } from "./import-formats.js";
import { createTable, deleteTable } from "./table-operations.js";
import { invalid, tableArn, type AttributeDefinition } from "./table-definition.js";
import { Closing, described, listPage, repeated, transferId, type TransferContext } from "./transfers.js";
import { planPut, writesOf, type WritePlan } from "./write-plans.js";

/** Items written per store transaction. */
const BATCH_ITEMS = 100;
/** Record errors logged per import (DynamoDB logs up to 10,000 to CloudWatch Logs; Unkai logs these to its own log). */
const LOGGED_ERRORS = 100;

interface TableCreationParameters {
  readonly TableName: string;
  readonly AttributeDefinitions: AttributeDefinition[];
  readonly KeySchema: object[];
  readonly [member: string]: unknown;
}

export interface ImportInput {
  readonly ClientToken?: string;
  readonly S3BucketSource: { readonly S3Bucket: string; readonly S3BucketOwner?: string; readonly S3KeyPrefix?: string };
  readonly InputFormat: string;
  readonly InputFormatOptions?: { readonly Csv?: { readonly Delimiter?: string; readonly HeaderList?: string[] } };
  readonly InputCompressionType?: string;
  readonly TableCreationParameters: TableCreationParameters;
}

function checkInput(input: ImportInput): void {
  if (input.InputFormat === "ION") throw invalid("Unkai does not import the ION format yet; use DYNAMODB_JSON or CSV.");
  if (input.InputCompressionType === "ZSTD") throw invalid("Unkai does not import ZSTD-compressed sources yet; use GZIP or NONE.");
  if (input.InputFormatOptions?.Csv !== undefined && input.InputFormat !== "CSV") throw invalid("InputFormatOptions.Csv is only valid with InputFormat CSV.");
}

export async function importTable(ctx: TransferContext, input: ImportInput, caller: UnkaiRequest | undefined): Promise<object> {
  checkInput(input);
  const now = ctx.now();
  const { ClientToken: token, ...parameters } = input;
  const request = JSON.stringify(parameters);
  const store = ctx.transfers.imports;
  const earlier = await repeated(store, token, request, now, () => new UnkaiError("ImportConflictException", `An import with client token ${token ?? ""} was requested earlier with other parameters.`));
  if (earlier) return { ImportTableDescription: described(earlier) };
  const created = (await createTable(ctx, input.TableCreationParameters as Parameters<typeof createTable>[1])) as { TableDescription: { TableName: string; TableId: string } };
  const table = created.TableDescription;
  const arn = tableArn(ctx.account.region, ctx.account.accountId, table.TableName);
  const description = {
    ImportArn: `${arn}/import/${transferId(now)}`, ImportStatus: "IN_PROGRESS", TableArn: arn, TableId: table.TableId, ...(token !== undefined ? { ClientToken: token } : {}),
    S3BucketSource: input.S3BucketSource, ErrorCount: 0, InputFormat: input.InputFormat, ...(input.InputFormatOptions ? { InputFormatOptions: input.InputFormatOptions } : {}),
    InputCompressionType: input.InputCompressionType ?? "NONE", TableCreationParameters: input.TableCreationParameters, StartTime: now,
    ProcessedSizeBytes: 0, ProcessedItemCount: 0, ImportedItemCount: 0,
  };
  const record: DynamoTransferRecord = { arn: description.ImportArn, tableArn: arn, clientToken: token ?? "", request, startedAt: now, description };
  await store.put(record.arn, record);
  ctx.jobs.run(() => runImport(ctx, record, input, caller), ctx.transfers.logger);
  return { ImportTableDescription: described(record) };
}

interface Counts {
  ProcessedSizeBytes: number;
  ProcessedItemCount: number;
  ImportedItemCount: number;
  ErrorCount: number;
}

async function runImport(ctx: TransferContext, record: DynamoTransferRecord, input: ImportInput, caller: UnkaiRequest | undefined): Promise<void> {
  const { s3 } = ctx.transfers;
  const counts: Counts = { ProcessedSizeBytes: 0, ProcessedItemCount: 0, ImportedItemCount: 0, ErrorCount: 0 };
  const save = (changes: Record<string, unknown>) => ctx.transfers.imports.put(record.arn, { ...record, description: { ...record.description, ...counts, ...changes } });
  const fail = async (code: string, message: string) => {
    // Only the table this import made: one deleted and made again under the name meanwhile is someone else's.
    const name = input.TableCreationParameters.TableName;
    const current = await ctx.store.table(name);
    const made = current !== undefined && (JSON.parse(current.definition) as { TableId?: string }).TableId === record.description.TableId;
    if (made) await deleteTable(ctx, { TableName: name }).catch(() => undefined);
    await save({ ImportStatus: "FAILED", FailureCode: code, FailureMessage: message, EndTime: ctx.now() });
  };
  const { S3Bucket: bucket, S3KeyPrefix: prefix = "" } = input.S3BucketSource;
  try {
    if (!(await s3.bucket(bucket))) return await fail("S3NoSuchBucket", `The specified bucket does not exist (S3 bucket ${bucket})`);
    const owner = input.S3BucketSource.S3BucketOwner;
    if (owner !== undefined && owner !== ctx.account.accountId) return await fail("S3AccessDenied", `Access denied: the bucket ${bucket} is not owned by account ${owner} (S3BucketOwner)`);
    let objects = 0;
    for await (const object of s3.list(bucket, prefix)) {
      ctx.jobs.check();
      objects++;
      const mayRead = ctx.transfers.mayRead;
      // Without the request no caller can be checked: refused, never read unchecked.
      if (mayRead && (caller === undefined || !(await mayRead(caller, bucket, object.key)))) return await fail("S3AccessDenied", `Access denied: the caller may not s3:GetObject ${bucket}/${object.key}`);
      await importObject(ctx, record, input, object, counts);
      counts.ProcessedSizeBytes += object.size;
      await save({});
    }
    if (objects === 0) return await fail("S3NoSuchKey", `No objects were found under the S3 prefix '${prefix}' of bucket ${bucket}`);
    await save({ ImportStatus: "COMPLETED", EndTime: ctx.now() });
  } catch (error) {
    if (error instanceof Closing) throw error;
    await fail("UnknownError", `The import could not be completed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The object's text, decompressed as the input says. */
async function* textOf(body: Readable, compression: string | undefined): AsyncGenerator<string> {
  const stream = compression === "GZIP" ? body.pipe(createGunzip()) : body;
  if (compression === "GZIP") body.on("error", (error) => stream.destroy(error));
  stream.setEncoding("utf8");
  for await (const chunk of stream) yield chunk as string;
}

async function importObject(ctx: TransferContext, record: DynamoTransferRecord, input: ImportInput, object: ObjectRecord, counts: Counts): Promise<void> {
  const body = await ctx.transfers.s3.read(object);
  if (body === undefined) throw new Error(`The object ${object.key} was removed while the import read it`);
  const text = textOf(body, input.InputCompressionType);
  const csv = input.InputFormatOptions?.Csv;
  const records = input.InputFormat === "CSV"
    ? csvRecords(text, csv?.Delimiter ?? ",", csv?.HeaderList, input.TableCreationParameters.AttributeDefinitions)
    : dynamoJsonRecords(text);
  const batch = new Map<string, WritePlan>();
  const error = (message: string) => {
    counts.ErrorCount++;
    if (counts.ErrorCount <= LOGGED_ERRORS) ctx.transfers.logger.warn({ importArn: record.arn, object: object.key }, `an item could not be imported: ${message}`);
  };
  try {
    for await (const item of records) {
      counts.ProcessedItemCount++;
      if (item instanceof ImportRecordError) {
        error(item.message);
        continue;
      }
      let plan: WritePlan;
      try {
        plan = await planPut(ctx, { TableName: input.TableCreationParameters.TableName, Item: item });
      } catch (refused) {
        // A table gone meanwhile (DeleteTable) ends the import; anything else is this record's fault.
        if (!(refused instanceof UnkaiError) || refused.code === "ResourceNotFoundException") throw refused;
        error(refused.message);
        continue;
      }
      // A key seen again in the batch: what came before is written first, so the later item wins.
      if (batch.has(keyId(plan.key))) await flush(ctx, batch, counts);
      batch.set(keyId(plan.key), plan);
      if (batch.size >= BATCH_ITEMS) await flush(ctx, batch, counts);
    }
  } catch (unreadable) {
    // A stream that cannot be read on (bad gzip, bad UTF-8 is replaced, not thrown) ends this object with one error.
    if (unreadable instanceof Closing) throw unreadable;
    error(`The object ${object.key} could not be read on: ${unreadable instanceof Error ? unreadable.message : String(unreadable)}`);
  }
  await flush(ctx, batch, counts);
}

async function flush(ctx: TransferContext, batch: Map<string, WritePlan>, counts: Counts): Promise<void> {
  if (batch.size === 0) return;
  ctx.jobs.check();
  const plans = [...batch.values()];
  batch.clear();
  const keys: DynamoItemKey[] = plans.map((plan) => plan.key);
  await ctx.store.transact(keys, (rows) => {
    const now = ctx.now();
    return { writes: plans.flatMap((plan, i) => writesOf(plan, itemOf(rows[i]), plan.next(itemOf(rows[i])), now)), result: undefined };
  });
  counts.ImportedItemCount += plans.length;
  await yieldLoop();
}

export async function describeImport(ctx: TransferContext, input: { ImportArn: string }): Promise<object> {
  const record = await ctx.transfers.imports.get(input.ImportArn);
  if (record === undefined) throw new UnkaiError("ImportNotFoundException", `Import not found: ${input.ImportArn}`);
  return { ImportTableDescription: described(record) };
}

export async function listImports(ctx: TransferContext, input: { TableArn?: string; PageSize?: number; NextToken?: string }): Promise<object> {
  const { page, next } = await listPage(ctx.transfers.imports, input.TableArn, input.PageSize ?? 25, input.NextToken);
  const summaries = page.map((record) => {
    const d = described(record);
    return { ImportArn: d.ImportArn, ImportStatus: d.ImportStatus, TableArn: d.TableArn, S3BucketSource: d.S3BucketSource, InputFormat: d.InputFormat, StartTime: d.StartTime, ...(d.EndTime !== undefined ? { EndTime: d.EndTime } : {}) };
  });
  return { ImportSummaryList: summaries, ...(next !== undefined ? { NextToken: next } : {}) };
}
