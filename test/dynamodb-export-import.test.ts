/**
 * DynamoDB exports to S3 and imports from S3 through Unkai's own S3, over HTTP with the SDK v3 and boto3:
 * an export of varied items is read back through the S3 API in AWS's layout (manifests, gzipped
 * DynamoDB JSON data files) and imported into a new table with the same items; a CSV import with a header
 * list; counted bad records; a missing bucket fails the export or import with a FAILED status; PITR
 * off, a past ExportTime, incremental exports and bad tokens get DynamoDB's own errors.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, it } from "node:test";
import {
  CreateTableCommand,
  DescribeExportCommand,
  DescribeImportCommand,
  DynamoDBClient,
  ExportTableToPointInTimeCommand,
  ImportTableCommand,
  ListExportsCommand,
  ListImportsCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateContinuousBackupsCommand,
  type AttributeValue,
  type ExportDescription,
  type ImportTableDescription,
} from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutBucketNotificationConfigurationCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DEFAULT_CREDENTIALS, signedFetch } from "./helpers/clients.js";
import { runBoto3 } from "./helpers/boto3.js";
import { allowServicesToSend } from "./helpers/service-access.js";
import { s3 } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";
import { startUnkai } from "./helpers/unkai-server.js";
import { waitFor } from "./helpers/wait.js";

const KEYS = { KeySchema: [{ AttributeName: "pk", KeyType: "HASH" as const }, { AttributeName: "sk", KeyType: "RANGE" as const }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" as const }, { AttributeName: "sk", AttributeType: "N" as const }] };

/** Items of every type: a 38-digit number, binaries, the three sets, nested maps and lists, empty strings. */
const ITEMS: Record<string, AttributeValue>[] = [
  { pk: { S: "a" }, sk: { N: "1" }, big: { N: "12345678901234567890123456789012345678" }, tiny: { N: "-0.000000000000000000000000000000000001" }, empty: { S: "" } },
  { pk: { S: "a" }, sk: { N: "2" }, bin: { B: Uint8Array.from([0, 1, 254, 255]) }, bs: { BS: [Uint8Array.from([1]), Uint8Array.from([2, 3])] }, flag: { BOOL: false }, nothing: { NULL: true } },
  { pk: { S: "b é ✓" }, sk: { N: "3" }, ss: { SS: ["x", "y"] }, ns: { NS: ["1", "2.5"] }, map: { M: { inner: { M: { deep: { L: [{ S: "" }, { N: "0" }, { M: {} }] } } } } } },
];

describe("DynamoDB exports to and imports from S3", () => {
  const suite = unkaiSuite();
  let client: DynamoDBClient;
  const db = () => (client ??= new DynamoDBClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 }));
  const bucketClient = () => s3(suite.unkai.url);
  const arnOf = (table: string) => `arn:aws:dynamodb:us-east-1:000000000000:table/${table}`;

  async function table(name: string, pitr = true): Promise<void> {
    await db().send(new CreateTableCommand({ TableName: name, BillingMode: "PAY_PER_REQUEST", ...KEYS }));
    if (pitr) await db().send(new UpdateContinuousBackupsCommand({ TableName: name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
  }

  async function exported(arn: string): Promise<ExportDescription> {
    return waitFor(`export ${arn}`, async () => {
      const d = (await db().send(new DescribeExportCommand({ ExportArn: arn }))).ExportDescription;
      return d?.ExportStatus === "IN_PROGRESS" ? undefined : d;
    });
  }

  async function imported(arn: string): Promise<ImportTableDescription> {
    return waitFor(`import ${arn}`, async () => {
      const d = (await db().send(new DescribeImportCommand({ ImportArn: arn }))).ImportTableDescription;
      return d?.ImportStatus === "IN_PROGRESS" ? undefined : d;
    });
  }

  async function object(bucket: string, key: string): Promise<Buffer> {
    const got = await bucketClient().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  }

  const scanAll = async (name: string) => (await db().send(new ScanCommand({ TableName: name }))).Items ?? [];
  const sorted = (items: Record<string, AttributeValue>[]) => [...items].sort((a, b) => Number(a.sk?.N) - Number(b.sk?.N));

  async function raw(operation: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await signedFetch(suite.unkai.url, {
      method: "POST", service: "dynamodb", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${operation}` }, body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  it("SDK v3: an export writes AWS's layout to S3, its data files hold every item, and importing them gives the same items", async () => {
    await table("exp-src");
    for (const Item of ITEMS) await db().send(new PutItemCommand({ TableName: "exp-src", Item }));
    await bucketClient().send(new CreateBucketCommand({ Bucket: "exports" }));
    const started = (await db().send(new ExportTableToPointInTimeCommand({ TableArn: arnOf("exp-src"), S3Bucket: "exports", S3Prefix: "daily/run1", ExportFormat: "DYNAMODB_JSON" }))).ExportDescription;
    assert.equal(started?.ExportStatus, "IN_PROGRESS");
    assert.match(started?.ExportArn ?? "", /^arn:aws:dynamodb:us-east-1:000000000000:table\/exp-src\/export\/\d{14}-[0-9a-f]{8}$/);
    const done = await exported(started?.ExportArn ?? "");
    assert.equal(done.ExportStatus, "COMPLETED", done.FailureMessage);
    assert.equal(done.ItemCount, 3);
    assert.equal(done.ExportType, "FULL_EXPORT");
    assert.equal(done.ExportFormat, "DYNAMODB_JSON");
    const id = (started?.ExportArn ?? "").split("/").pop() ?? "";
    const base = `daily/run1/AWSDynamoDB/${id}`;
    assert.equal(done.ExportManifest, `${base}/manifest-summary.json`);

    const listed = (await bucketClient().send(new ListObjectsV2Command({ Bucket: "exports", Prefix: `${base}/` }))).Contents?.map((o) => o.Key) ?? [];
    assert.ok(listed.includes(`${base}/_started`) && listed.includes(`${base}/manifest-files.json`) && listed.includes(`${base}/manifest-summary.json`), listed.join());
    const summary = JSON.parse((await object("exports", `${base}/manifest-summary.json`)).toString()) as Record<string, unknown>;
    assert.equal(summary.version, "2020-06-30");
    assert.equal(summary.exportArn, started?.ExportArn);
    assert.equal(summary.tableArn, arnOf("exp-src"));
    assert.equal(summary.s3Bucket, "exports");
    assert.equal(summary.s3Prefix, "daily/run1");
    assert.equal(summary.itemCount, 3);
    assert.equal(summary.outputFormat, "DYNAMODB_JSON");
    assert.equal(summary.manifestFilesS3Key, `${base}/manifest-files.json`);
    for (const time of ["startTime", "endTime", "exportTime"]) assert.match(String(summary[time]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const files = (await object("exports", `${base}/manifest-files.json`)).toString().trim().split("\n").map((line) => JSON.parse(line) as { itemCount: number; md5Checksum: string; etag: string; dataFileS3Key: string });
    const lines: string[] = [];
    for (const file of files) {
      assert.match(file.dataFileS3Key, new RegExp(`^${base}/data/[0-9a-z]+\\.json\\.gz$`));
      const gz = await object("exports", file.dataFileS3Key);
      assert.equal(file.md5Checksum, (await import("node:crypto")).createHash("md5").update(gz).digest("base64"));
      const text = gunzipSync(gz).toString().trim();
      const fileLines = text === "" ? [] : text.split("\n");
      assert.equal(fileLines.length, file.itemCount);
      lines.push(...fileLines);
    }
    const items = lines.map((line) => (JSON.parse(line) as { Item: Record<string, unknown> }).Item);
    assert.equal(items.length, 3);
    const first = items.find((item) => JSON.stringify(item.sk) === '{"N":"1"}');
    assert.deepEqual(first?.big, { N: "12345678901234567890123456789012345678" });
    assert.deepEqual(first?.empty, { S: "" });
    const second = items.find((item) => JSON.stringify(item.sk) === '{"N":"2"}');
    assert.deepEqual(second?.bin, { B: Buffer.from([0, 1, 254, 255]).toString("base64") });

    const dataPrefix = `${base}/data/`;
    const imp = (await db().send(new ImportTableCommand({
      S3BucketSource: { S3Bucket: "exports", S3KeyPrefix: dataPrefix }, InputFormat: "DYNAMODB_JSON", InputCompressionType: "GZIP",
      TableCreationParameters: { TableName: "exp-copy", BillingMode: "PAY_PER_REQUEST", ...KEYS },
    }))).ImportTableDescription;
    assert.equal(imp?.ImportStatus, "IN_PROGRESS");
    assert.match(imp?.ImportArn ?? "", /^arn:aws:dynamodb:us-east-1:000000000000:table\/exp-copy\/import\/\d{14}-[0-9a-f]{8}$/);
    const result = await imported(imp?.ImportArn ?? "");
    assert.equal(result.ImportStatus, "COMPLETED", result.FailureMessage);
    assert.equal(result.ImportedItemCount, 3);
    assert.equal(result.ProcessedItemCount, 3);
    assert.equal(result.ErrorCount, 0);
    assert.ok((result.ProcessedSizeBytes ?? 0) > 0);
    assert.deepEqual(sorted(await scanAll("exp-copy")), sorted(await scanAll("exp-src")));

    const exportsListed = await db().send(new ListExportsCommand({ TableArn: arnOf("exp-src") }));
    assert.deepEqual(exportsListed.ExportSummaries, [{ ExportArn: started?.ExportArn, ExportStatus: "COMPLETED", ExportType: "FULL_EXPORT" }]);
    const importsListed = await db().send(new ListImportsCommand({ TableArn: arnOf("exp-copy") }));
    assert.equal(importsListed.ImportSummaryList?.[0]?.ImportArn, imp?.ImportArn);
  });

  it("SDK v3: a CSV import with a header list types the keys as the table defines them, counts bad rows, and fills a GSI", async () => {
    await bucketClient().send(new CreateBucketCommand({ Bucket: "csv-source" }));
    const csv = 'a;1;"hello; ""world"""\nb;2;plain\nc;not-a-number;x\n\nd;4;"two\nlines"\n';
    await bucketClient().send(new PutObjectCommand({ Bucket: "csv-source", Key: "in/part-1.csv", Body: csv }));
    await bucketClient().send(new PutObjectCommand({ Bucket: "csv-source", Key: "in/part-2.csv.gz", Body: gzipSync(`big;6;"${"q".repeat(1_500_000)}"\ne;5;gz\n`) }));
    const start = async (name: string, key: string, compression: "GZIP" | "NONE") => (await db().send(new ImportTableCommand({
      S3BucketSource: { S3Bucket: "csv-source", S3KeyPrefix: key }, InputFormat: "CSV", InputCompressionType: compression,
      InputFormatOptions: { Csv: { Delimiter: ";", HeaderList: ["pk", "sk", "note"] } },
      TableCreationParameters: {
        TableName: name, BillingMode: "PAY_PER_REQUEST", ...KEYS, AttributeDefinitions: [...KEYS.AttributeDefinitions, { AttributeName: "note", AttributeType: "S" }],
        GlobalSecondaryIndexes: [{ IndexName: "by-note", KeySchema: [{ AttributeName: "note", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } }],
      },
    }))).ImportTableDescription?.ImportArn ?? "";
    const result = await imported(await start("csv-table", "in/part-1", "NONE"));
    assert.equal(result.ImportStatus, "COMPLETED", result.FailureMessage);
    assert.equal(result.ImportedItemCount, 3);
    assert.equal(result.ErrorCount, 1, "the row whose numeric sort key is not a number");
    assert.deepEqual(sorted(await scanAll("csv-table")), [
      { pk: { S: "a" }, sk: { N: "1" }, note: { S: 'hello; "world"' } },
      { pk: { S: "b" }, sk: { N: "2" }, note: { S: "plain" } },
      { pk: { S: "d" }, sk: { N: "4" }, note: { S: "two\nlines" } },
    ]);
    const byNote = await db().send(new QueryCommand({ TableName: "csv-table", IndexName: "by-note", KeyConditionExpression: "note = :n", ExpressionAttributeValues: { ":n": { S: "plain" } } }));
    assert.deepEqual(byNote.Items?.map((item) => item.pk?.S), ["b"]);
    const gz = await imported(await start("csv-gz", "in/part-2", "GZIP"));
    assert.equal(gz.ImportStatus, "COMPLETED", gz.FailureMessage);
    assert.equal(gz.ErrorCount, 1, "the row over the record limit");
    assert.deepEqual(await scanAll("csv-gz"), [{ pk: { S: "e" }, sk: { N: "5" }, note: { S: "gz" } }]);
  });

  it("DynamoDB JSON imports count lines that are not items, keep the last of a repeated key, and a table name in use is ResourceInUseException", async () => {
    await bucketClient().send(new CreateBucketCommand({ Bucket: "json-source" }));
    const body = ['{"Item":{"pk":{"S":"x"},"sk":{"N":"1"},"v":{"S":"first"}}}', "not json", '{"NoItem":{}}', '{"Item":{"pk":{"N":"5"},"sk":{"N":"1"}}}', '{"Item":{"pk":{"S":"x"},"sk":{"N":"1"},"v":{"S":"second"}}}', ""].join("\n");
    await bucketClient().send(new PutObjectCommand({ Bucket: "json-source", Key: "items.json", Body: body }));
    // A 2 MB line (no item is over 400 KB) is one error, skipped without holding it; the next line imports.
    await bucketClient().send(new PutObjectCommand({ Bucket: "json-source", Key: "items2.json", Body: `{"Item":{"pk":{"S":"${"h".repeat(2_000_000)}"}}}\n{"Item":{"pk":{"S":"z"},"sk":{"N":"9"}}}` }));
    const params = { S3BucketSource: { S3Bucket: "json-source", S3KeyPrefix: "items" }, InputFormat: "DYNAMODB_JSON" as const, TableCreationParameters: { TableName: "json-table", BillingMode: "PAY_PER_REQUEST" as const, ...KEYS } };
    const first = (await db().send(new ImportTableCommand({ ...params, ClientToken: "tok-1" }))).ImportTableDescription;
    const again = (await db().send(new ImportTableCommand({ ...params, ClientToken: "tok-1" }))).ImportTableDescription;
    assert.equal(again?.ImportArn, first?.ImportArn, "the same client token answers the same import");
    await assert.rejects(db().send(new ImportTableCommand({ ...params, ClientToken: "tok-1", InputCompressionType: "GZIP" })), { name: "ImportConflictException" });
    const result = await imported(first?.ImportArn ?? "");
    assert.equal(result.ImportStatus, "COMPLETED");
    assert.equal(result.ProcessedItemCount, 7);
    assert.equal(result.ErrorCount, 4);
    assert.deepEqual(await scanAll("json-table"), [{ pk: { S: "x" }, sk: { N: "1" }, v: { S: "second" } }, { pk: { S: "z" }, sk: { N: "9" } }]);
    await assert.rejects(db().send(new ImportTableCommand(params)), { name: "ResourceInUseException" });
  });

  it("a missing bucket fails the export and the import with FAILED and a clear message; the import leaves no table", async () => {
    await table("exp-nobucket");
    const started = (await db().send(new ExportTableToPointInTimeCommand({ TableArn: arnOf("exp-nobucket"), S3Bucket: "no-such-bucket" }))).ExportDescription;
    const done = await exported(started?.ExportArn ?? "");
    assert.equal(done.ExportStatus, "FAILED");
    assert.equal(done.FailureCode, "S3NoSuchBucket");
    assert.match(done.FailureMessage ?? "", /bucket does not exist.*no-such-bucket/);
    const imp = (await db().send(new ImportTableCommand({ S3BucketSource: { S3Bucket: "no-such-bucket" }, InputFormat: "DYNAMODB_JSON", TableCreationParameters: { TableName: "imp-nobucket", ...KEYS, BillingMode: "PAY_PER_REQUEST" } }))).ImportTableDescription;
    const failed = await imported(imp?.ImportArn ?? "");
    assert.equal(failed.ImportStatus, "FAILED");
    assert.equal(failed.FailureCode, "S3NoSuchBucket");
    assert.match(String((await raw("DescribeTable", { TableName: "imp-nobucket" })).json.__type), /ResourceNotFoundException$/);
    // A bucket owner that is not this account's (every Unkai bucket is) fails as S3 refuses it: access denied.
    await bucketClient().send(new CreateBucketCommand({ Bucket: "owned-here" }));
    const foreign = (await db().send(new ExportTableToPointInTimeCommand({ TableArn: arnOf("exp-nobucket"), S3Bucket: "owned-here", S3BucketOwner: "111122223333" }))).ExportDescription;
    const denied = await exported(foreign?.ExportArn ?? "");
    assert.equal(denied.FailureCode, "S3AccessDenied");
    const foreignImport = (await db().send(new ImportTableCommand({ S3BucketSource: { S3Bucket: "owned-here", S3BucketOwner: "111122223333" }, InputFormat: "DYNAMODB_JSON", TableCreationParameters: { TableName: "imp-foreign", ...KEYS, BillingMode: "PAY_PER_REQUEST" } }))).ImportTableDescription;
    assert.equal((await imported(foreignImport?.ImportArn ?? "")).FailureCode, "S3AccessDenied");
  });

  it("bad inputs get DynamoDB's errors: PITR off, a past ExportTime, incremental, ION, unknown ARNs and tokens", async () => {
    await table("exp-nopitr", false);
    await assert.rejects(db().send(new ExportTableToPointInTimeCommand({ TableArn: arnOf("exp-nopitr"), S3Bucket: "exports" })), { name: "PointInTimeRecoveryUnavailableException", message: "Point in time recovery is not enabled for table 'exp-nopitr'" });
    await assert.rejects(db().send(new ExportTableToPointInTimeCommand({ TableArn: arnOf("no-such-table"), S3Bucket: "exports" })), { name: "TableNotFoundException" });
    await table("exp-bad");
    await assert.rejects(db().send(new ExportTableToPointInTimeCommand({ TableArn: arnOf("exp-bad"), S3Bucket: "exports", ExportTime: new Date(Date.now() - 3_600_000) })), { name: "InvalidExportTimeException", message: /no history/ });
    await assert.rejects(db().send(new ExportTableToPointInTimeCommand({ TableArn: arnOf("exp-bad"), S3Bucket: "exports", ExportType: "INCREMENTAL_EXPORT" })), { name: "ValidationException", message: /incremental/ });
    await assert.rejects(db().send(new ExportTableToPointInTimeCommand({ TableArn: arnOf("exp-bad"), S3Bucket: "exports", ExportFormat: "ION" })), { name: "ValidationException", message: /ION/ });
    await assert.rejects(db().send(new ExportTableToPointInTimeCommand({ TableArn: arnOf("exp-bad"), S3Bucket: "bad bucket!" })), { name: "ValidationException" });
    await assert.rejects(db().send(new DescribeExportCommand({ ExportArn: `${arnOf("exp-bad")}/export/01234567890123-abcdef12` })), { name: "ExportNotFoundException" });
    await assert.rejects(db().send(new DescribeImportCommand({ ImportArn: `${arnOf("exp-bad")}/import/01234567890123-abcdef12` })), { name: "ImportNotFoundException" });
    await assert.rejects(db().send(new ListImportsCommand({ NextToken: "0".repeat(112) })), { name: "ValidationException" });
    await assert.rejects(db().send(new ImportTableCommand({ S3BucketSource: { S3Bucket: "exports" }, InputFormat: "ION", TableCreationParameters: { TableName: "ion-table", ...KEYS } })), { name: "ValidationException", message: /ION/ });
    await assert.rejects(db().send(new ImportTableCommand({ S3BucketSource: { S3Bucket: "exports" }, InputFormat: "CSV", InputCompressionType: "ZSTD", TableCreationParameters: { TableName: "zstd-table", ...KEYS } })), { name: "ValidationException", message: /ZSTD/ });
    const badKeys = await raw("ImportTable", { S3BucketSource: { S3Bucket: "exports" }, InputFormat: "CSV", TableCreationParameters: { TableName: "bad-keys", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [] } });
    assert.equal(badKeys.status, 400);
    assert.match(String(badKeys.json.__type), /ValidationException$/);
  });

  it("ListExports pages with MaxResults and its NextToken", async () => {
    await table("exp-paged");
    await bucketClient().send(new CreateBucketCommand({ Bucket: "paged" }));
    const arns: string[] = [];
    for (let i = 0; i < 3; i++) arns.push((await db().send(new ExportTableToPointInTimeCommand({ TableArn: arnOf("exp-paged"), S3Bucket: "paged", S3Prefix: `p${i}` }))).ExportDescription?.ExportArn ?? "");
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await db().send(new ListExportsCommand({ TableArn: arnOf("exp-paged"), MaxResults: 2, NextToken: token }));
      assert.ok((page.ExportSummaries?.length ?? 0) <= 2);
      seen.push(...(page.ExportSummaries ?? []).map((s) => s.ExportArn ?? ""));
      token = page.NextToken;
    } while (token !== undefined);
    assert.deepEqual(seen, arns);
    for (const arn of arns) assert.equal((await exported(arn)).ExportStatus, "COMPLETED");
  });

  it("a table of thousands of items goes through import and export a page at a time, counts and index entries kept", async () => {
    await bucketClient().send(new CreateBucketCommand({ Bucket: "bulk" }));
    const count = 2_600;
    const lines = Array.from({ length: count }, (_, i) => JSON.stringify({ Item: { pk: { S: `p${i % 7}` }, sk: { N: String(i) }, pad: { S: "x".repeat(200) }, ...(i % 2 === 0 ? { note: { S: "even" } } : {}) } }));
    await bucketClient().send(new PutObjectCommand({ Bucket: "bulk", Key: "src/items.json.gz", Body: gzipSync(`${lines.join("\n")}\n`) }));
    const imp = (await db().send(new ImportTableCommand({
      S3BucketSource: { S3Bucket: "bulk", S3KeyPrefix: "src/" }, InputFormat: "DYNAMODB_JSON", InputCompressionType: "GZIP",
      TableCreationParameters: {
        TableName: "bulk-table", BillingMode: "PAY_PER_REQUEST", ...KEYS, AttributeDefinitions: [...KEYS.AttributeDefinitions, { AttributeName: "note", AttributeType: "S" }],
        GlobalSecondaryIndexes: [{ IndexName: "by-note", KeySchema: [{ AttributeName: "note", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } }],
      },
    }))).ImportTableDescription;
    const result = await imported(imp?.ImportArn ?? "");
    assert.equal(result.ImportedItemCount, count, result.FailureMessage);
    const even = await db().send(new QueryCommand({ TableName: "bulk-table", IndexName: "by-note", KeyConditionExpression: "note = :n", ExpressionAttributeValues: { ":n": { S: "even" } }, Select: "COUNT" }));
    assert.equal(even.Count, count / 2);
    await db().send(new UpdateContinuousBackupsCommand({ TableName: "bulk-table", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    const started = (await db().send(new ExportTableToPointInTimeCommand({ TableArn: arnOf("bulk-table"), S3Bucket: "bulk", S3Prefix: "out" }))).ExportDescription;
    const done = await exported(started?.ExportArn ?? "");
    assert.equal(done.ItemCount, count);
    const id = (started?.ExportArn ?? "").split("/").pop() ?? "";
    const files = (await object("bulk", `out/AWSDynamoDB/${id}/manifest-files.json`)).toString().trim().split("\n").map((line) => JSON.parse(line) as { dataFileS3Key: string });
    const keys = new Set<string>();
    for (const file of files) {
      for (const line of gunzipSync(await object("bulk", file.dataFileS3Key)).toString().trim().split("\n")) keys.add((JSON.parse(line) as { Item: { sk: { N: string } } }).Item.sk.N);
    }
    assert.equal(keys.size, count, "every item once");
  });

  it("the export's objects announce themselves as any PutObject does: a queue the bucket notifies gets ObjectCreated:Put for each", async () => {
    const sqs = new SQSClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "export-events" }))).QueueUrl ?? "";
    await allowServicesToSend(sqs, queueUrl, "arn:aws:sqs:us-east-1:000000000000:export-events", [{ service: "s3.amazonaws.com", sourceArn: "arn:aws:s3:::*" }]);
    await bucketClient().send(new CreateBucketCommand({ Bucket: "notified" }));
    await bucketClient().send(new PutBucketNotificationConfigurationCommand({ Bucket: "notified", NotificationConfiguration: { QueueConfigurations: [{
      QueueArn: "arn:aws:sqs:us-east-1:000000000000:export-events", Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "suffix", Value: ".json" }] } },
    }] } }));
    await table("exp-notified");
    const arn = (await db().send(new ExportTableToPointInTimeCommand({ TableArn: arnOf("exp-notified"), S3Bucket: "notified" }))).ExportDescription?.ExportArn ?? "";
    assert.equal((await exported(arn)).ExportStatus, "COMPLETED");
    const id = arn.split("/").pop() ?? "";
    const seen: { eventName: string; key: string; principalId: string }[] = [];
    await waitFor("the notifications", async () => {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      for (const message of got.Messages ?? []) {
        const body = JSON.parse(message.Body ?? "{}") as { Records?: { eventName: string; userIdentity: { principalId: string }; s3: { object: { key: string } } }[] };
        for (const r of body.Records ?? []) seen.push({ eventName: r.eventName, key: r.s3.object.key, principalId: r.userIdentity.principalId });
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
      return seen.length >= 2 ? seen : undefined;
    });
    assert.deepEqual(seen.map((e) => e.key).sort(), [`AWSDynamoDB/${id}/manifest-files.json`, `AWSDynamoDB/${id}/manifest-summary.json`]);
    assert.ok(seen.every((e) => e.eventName === "ObjectCreated:Put" && e.principalId === "dynamodb.amazonaws.com"), JSON.stringify(seen));
    sqs.destroy();
  });

  it("boto3: export_table_to_point_in_time and describe_export", async () => {
    await table("exp-py");
    await db().send(new PutItemCommand({ TableName: "exp-py", Item: { pk: { S: "p" }, sk: { N: "7" } } }));
    await bucketClient().send(new CreateBucketCommand({ Bucket: "py-exports" }));
    const out = (await runBoto3([
      "import boto3, json, sys, time",
      `db = boto3.client("dynamodb", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")`,
      `arn = db.export_table_to_point_in_time(TableArn="arn:aws:dynamodb:us-east-1:000000000000:table/exp-py", S3Bucket="py-exports")["ExportDescription"]["ExportArn"]`,
      "for _ in range(200):",
      "    d = db.describe_export(ExportArn=arn)['ExportDescription']",
      "    if d['ExportStatus'] != 'IN_PROGRESS': break",
      "    time.sleep(0.05)",
      `print(json.dumps({"status": d["ExportStatus"], "count": d["ItemCount"], "manifest": d["ExportManifest"]}))`,
    ], [suite.unkai.url])) as { status: string; count: number; manifest: string };
    assert.equal(out.status, "COMPLETED");
    assert.equal(out.count, 1);
    assert.match(out.manifest, /^AWSDynamoDB\/\d{14}-[0-9a-f]{8}\/manifest-summary\.json$/);
    assert.equal((JSON.parse((await object("py-exports", out.manifest)).toString()) as { itemCount: number }).itemCount, 1);
  });
});

describe("DynamoDB exports and imports across a restart", () => {
  it("their descriptions survive a restart of Unkai on the same data directory", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-ddb-transfers-"));
    try {
      const first = await startUnkai({}, dataDir);
      const db = new DynamoDBClient({ endpoint: first.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
      await db.send(new CreateTableCommand({ TableName: "kept", BillingMode: "PAY_PER_REQUEST", ...KEYS }));
      await db.send(new UpdateContinuousBackupsCommand({ TableName: "kept", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
      await s3(first.url).send(new CreateBucketCommand({ Bucket: "kept-bucket" }));
      const arn = (await db.send(new ExportTableToPointInTimeCommand({ TableArn: "arn:aws:dynamodb:us-east-1:000000000000:table/kept", S3Bucket: "kept-bucket" }))).ExportDescription?.ExportArn ?? "";
      const before = await waitFor("the export", async () => {
        const d = (await db.send(new DescribeExportCommand({ ExportArn: arn }))).ExportDescription;
        return d?.ExportStatus === "COMPLETED" ? d : undefined;
      });
      db.destroy();
      assert.equal(await first.stop(), 0);
      const second = await startUnkai({}, dataDir);
      const again = new DynamoDBClient({ endpoint: second.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
      const after = (await again.send(new DescribeExportCommand({ ExportArn: arn }))).ExportDescription;
      assert.deepEqual(after, before);
      assert.equal((await again.send(new ListExportsCommand({}))).ExportSummaries?.length, 1);
      again.destroy();
      assert.equal(await second.stop(), 0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("DynamoDB exports a crash interrupts", () => {
  it("an export still IN_PROGRESS when Unkai is killed is FAILED (UnkaiRestarted) once it starts again", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-ddb-export-crash-"));
    try {
      const first = await startUnkai({}, dataDir);
      const db = new DynamoDBClient({ endpoint: first.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
      await s3(first.url).send(new CreateBucketCommand({ Bucket: "crash-bucket" }));
      const lines = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ Item: { pk: { S: `p${i}` }, sk: { N: "1" }, pad: { S: "y".repeat(300) } } }));
      await s3(first.url).send(new PutObjectCommand({ Bucket: "crash-bucket", Key: "src/items.json.gz", Body: gzipSync(lines.join("\n")) }));
      const imp = (await db.send(new ImportTableCommand({
        S3BucketSource: { S3Bucket: "crash-bucket", S3KeyPrefix: "src/" }, InputFormat: "DYNAMODB_JSON", InputCompressionType: "GZIP",
        TableCreationParameters: { TableName: "crashing", BillingMode: "PAY_PER_REQUEST", ...KEYS },
      }))).ImportTableDescription?.ImportArn ?? "";
      await waitFor("the import", async () => ((await db.send(new DescribeImportCommand({ ImportArn: imp }))).ImportTableDescription?.ImportStatus === "COMPLETED" ? true : undefined), 60_000);
      await db.send(new UpdateContinuousBackupsCommand({ TableName: "crashing", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
      const arn = (await db.send(new ExportTableToPointInTimeCommand({ TableArn: "arn:aws:dynamodb:us-east-1:000000000000:table/crashing", S3Bucket: "crash-bucket", S3Prefix: "out" }))).ExportDescription?.ExportArn ?? "";
      const exited = new Promise((resolve) => first.process.once("exit", resolve));
      first.process.kill("SIGKILL");
      await exited;
      db.destroy();
      const second = await startUnkai({}, dataDir);
      const again = new DynamoDBClient({ endpoint: second.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
      const after = await waitFor("the interrupted export's end", async () => {
        const d = (await again.send(new DescribeExportCommand({ ExportArn: arn }))).ExportDescription;
        return d?.ExportStatus === "IN_PROGRESS" ? undefined : d;
      });
      assert.equal(after.ExportStatus, "FAILED");
      assert.equal(after.FailureCode, "UnkaiRestarted");
      // A stop while an export runs stops the export between pages and exits cleanly.
      await again.send(new ExportTableToPointInTimeCommand({ TableArn: "arn:aws:dynamodb:us-east-1:000000000000:table/crashing", S3Bucket: "crash-bucket", S3Prefix: "again" }));
      again.destroy();
      assert.equal(await second.stop(), 0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("DynamoDB exports and imports under --iam enforce", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  const table = "arn:aws:dynamodb:us-east-1:000000000000:table";

  async function user(name: string, statements: object[]): Promise<DynamoDBClient> {
    const iam = new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await iam.send(new CreateUserCommand({ UserName: name }));
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "inline", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: statements }) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    iam.destroy();
    return new DynamoDBClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" }, maxAttempts: 1 });
  }

  it("an export needs dynamodb:ExportTableToPointInTime on the table and S3's write actions; an import dynamodb:ImportTable and S3's read actions", async () => {
    const root = new DynamoDBClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await root.send(new CreateTableCommand({ TableName: "guarded", BillingMode: "PAY_PER_REQUEST", ...KEYS }));
    await root.send(new UpdateContinuousBackupsCommand({ TableName: "guarded", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    await s3(suite.unkai.url).send(new CreateBucketCommand({ Bucket: "guarded-bucket" }));
    const dynamoOnly = await user("dynamo-only", [{ Effect: "Allow", Action: ["dynamodb:ExportTableToPointInTime", "dynamodb:ImportTable"], Resource: `${table}/*` }]);
    const exportInput = { TableArn: `${table}/guarded`, S3Bucket: "guarded-bucket", S3Prefix: "x" };
    await assert.rejects(dynamoOnly.send(new ExportTableToPointInTimeCommand(exportInput)), { name: "AccessDeniedException", message: /s3:AbortMultipartUpload|s3:PutObject/ });
    const importInput = { S3BucketSource: { S3Bucket: "guarded-bucket", S3KeyPrefix: "x/" }, InputFormat: "DYNAMODB_JSON" as const, TableCreationParameters: { TableName: "guarded-copy", BillingMode: "PAY_PER_REQUEST" as const, ...KEYS } };
    await assert.rejects(dynamoOnly.send(new ImportTableCommand(importInput)), { name: "AccessDeniedException", message: /s3:GetObject|s3:ListBucket/ });
    const full = await user("pipeline", [
      { Effect: "Allow", Action: ["dynamodb:ExportTableToPointInTime", "dynamodb:ImportTable", "dynamodb:DescribeExport"], Resource: `${table}/*` },
      { Effect: "Allow", Action: ["s3:AbortMultipartUpload", "s3:PutObject", "s3:PutObjectAcl", "s3:GetObject", "s3:ListBucket"], Resource: ["arn:aws:s3:::guarded-bucket", "arn:aws:s3:::guarded-bucket/*"] },
    ]);
    const started = (await full.send(new ExportTableToPointInTimeCommand(exportInput))).ExportDescription;
    assert.equal(started?.ExportStatus, "IN_PROGRESS");
    assert.equal((await full.send(new ImportTableCommand(importInput))).ImportTableDescription?.ImportStatus, "IN_PROGRESS");
    await assert.rejects(dynamoOnly.send(new DescribeExportCommand({ ExportArn: started?.ExportArn })), { name: "AccessDeniedException" });
    for (const client of [root, dynamoOnly, full]) client.destroy();
  });

  it("an import reads each object as the caller: a Deny on a narrower path than the prefix fails it, and nothing denied is imported", async () => {
    const bucket = s3(suite.unkai.url);
    await bucket.send(new CreateBucketCommand({ Bucket: "mixed-bucket" }));
    await bucket.send(new PutObjectCommand({ Bucket: "mixed-bucket", Key: "data/open.json", Body: '{"Item":{"pk":{"S":"open"}}}\n' }));
    await bucket.send(new PutObjectCommand({ Bucket: "mixed-bucket", Key: "secret/hidden.json", Body: '{"Item":{"pk":{"S":"secret"}}}\n' }));
    bucket.destroy();
    const reader = await user("narrow-deny", [
      { Effect: "Allow", Action: ["dynamodb:ImportTable", "dynamodb:DescribeImport", "dynamodb:Scan"], Resource: `${table}/*` },
      { Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: ["arn:aws:s3:::mixed-bucket", "arn:aws:s3:::mixed-bucket/*"] },
      { Effect: "Deny", Action: "s3:GetObject", Resource: "arn:aws:s3:::mixed-bucket/secret/*" },
    ]);
    const started = (await reader.send(new ImportTableCommand({
      S3BucketSource: { S3Bucket: "mixed-bucket", S3KeyPrefix: "" }, InputFormat: "DYNAMODB_JSON",
      TableCreationParameters: { TableName: "mixed-copy", BillingMode: "PAY_PER_REQUEST", ...KEYS },
    }))).ImportTableDescription;
    const ended = await waitFor("the import ends", async () => {
      const described = (await reader.send(new DescribeImportCommand({ ImportArn: started?.ImportArn }))).ImportTableDescription;
      return described?.ImportStatus === "IN_PROGRESS" ? undefined : described;
    }, 20_000);
    assert.equal(ended.ImportStatus, "FAILED");
    assert.equal(ended.FailureCode, "S3AccessDenied");
    assert.match(ended.FailureMessage ?? "", /mixed-bucket\/secret\/hidden\.json/);
    reader.destroy();
  });
});
