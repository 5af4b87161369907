/**
 * DynamoDB on-demand backups over HTTP with the SDK v3 and boto3: CreateBackup snapshots a table's
 * definition and items, RestoreTableFromBackup makes a new table of them (its GSI answering queries, the
 * source's later changes absent, streams/TTL/tags not carried over, as on AWS), ListBackups filters and
 * pages, DeleteBackup removes one, a deleted table keeps its backups, a backup survives a restart, and bad
 * input gets DynamoDB's own error types.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  BackupNotFoundException,
  BatchWriteItemCommand,
  CreateBackupCommand,
  CreateTableCommand,
  DeleteBackupCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeBackupCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListBackupsCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  QueryCommand,
  RestoreTableFromBackupCommand,
  ScanCommand,
  TableAlreadyExistsException,
  TableNotFoundException,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { DEFAULT_CREDENTIALS, signedFetch } from "./helpers/clients.js";
import { runBoto3 } from "./helpers/boto3.js";
import { unkaiSuite } from "./helpers/suite.js";
import { startUnkai } from "./helpers/unkai-server.js";

const client = (url: string) => new DynamoDBClient({ endpoint: url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });

/** AWS's backup ARN: the table's ARN, then `/backup/`, the creation time in ms zero-padded to 14 digits, and 8 hex digits. */
const BACKUP_ARN = (table: string) => new RegExp(`^arn:aws:dynamodb:us-east-1:\\d{12}:table/${table}/backup/\\d{14}-[0-9a-f]{8}$`);

async function createOrders(sdk: DynamoDBClient, name: string): Promise<void> {
  await sdk.send(new CreateTableCommand({
    TableName: name,
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }, { AttributeName: "status", AttributeType: "S" }, { AttributeName: "bin", AttributeType: "B" }],
    GlobalSecondaryIndexes: [
      { IndexName: "byStatus", KeySchema: [{ AttributeName: "status", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }], Projection: { ProjectionType: "ALL" } },
      { IndexName: "byBin", KeySchema: [{ AttributeName: "bin", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } },
    ],
    BillingMode: "PAY_PER_REQUEST",
    StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
    Tags: [{ Key: "team", Value: "orders" }],
  }));
}

const order = (i: number, status: string): Record<string, AttributeValue> => ({
  pk: { S: `customer-${i % 3}` },
  sk: { N: String(i) },
  status: { S: status },
  bin: { B: Uint8Array.from([i, 0xff, 0]) },
  price: { N: `${i}.25` },
  tags: { SS: ["a", `t${i}`] },
  sizes: { NS: ["1", String(i + 2)] },
  blobs: { BS: [Uint8Array.from([1, 2]), Uint8Array.from([i + 3])] },
  nested: { M: { list: { L: [{ S: "x" }, { N: "1" }, { NULL: true }, { BOOL: false }] } } },
});

/** Every item of a table, sorted by key, as comparable JSON (binaries as base64). */
async function items(sdk: DynamoDBClient, table: string): Promise<string[]> {
  const all: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await sdk.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    all.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  const text = (item: Record<string, AttributeValue>) => JSON.stringify(item, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString("base64") : value));
  return all.map(text).sort();
}

/** An error body's type without the namespace some services prefix it with. */
const typeOf = (json: Record<string, unknown>) => String(json.__type).replace(/^.*#/, "");

const errorOf = (promise: Promise<unknown>) => promise.then(() => assert.fail("expected an error"), (error: unknown) => error as Error & { name: string; $metadata?: { httpStatusCode?: number } });

/** A short stream retention makes the background sweep (which also removes backup blobs no record names) run every second. */
const FAST_SWEEP = { UNKAI_STREAM_RETENTION_MS: "2000" };

describe("DynamoDB on-demand backups", () => {
  // Every backup below is made while the sweep runs: none may lose its items to it.
  const suite = unkaiSuite(FAST_SWEEP);
  let cached: DynamoDBClient | undefined;
  const sdk = () => (cached ??= client(suite.unkai.url));

  async function raw(operation: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await signedFetch(suite.unkai.url, {
      method: "POST", service: "dynamodb", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${operation}` }, body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  it("SDK v3: a backup keeps the items of its moment; the restored table has them, its GSIs answer, and the source's later changes are absent", async () => {
    await createOrders(sdk(), "orders");
    await sdk().send(new UpdateTimeToLiveCommand({ TableName: "orders", TimeToLiveSpecification: { AttributeName: "expires", Enabled: true } }));
    for (let i = 0; i < 30; i++) await sdk().send(new PutItemCommand({ TableName: "orders", Item: order(i, i % 2 === 0 ? "open" : "shipped") }));
    const atBackup = await items(sdk(), "orders");

    const before = Date.now();
    const created = await sdk().send(new CreateBackupCommand({ TableName: "orders", BackupName: "orders-nightly.1" }));
    const details = created.BackupDetails;
    assert.match(details?.BackupArn ?? "", BACKUP_ARN("orders"));
    assert.equal(details?.BackupName, "orders-nightly.1");
    assert.equal(details?.BackupStatus, "AVAILABLE", "the snapshot is stored before CreateBackup answers");
    assert.equal(details?.BackupType, "USER");
    assert.ok((details?.BackupSizeBytes ?? 0) > 0);
    const when = details?.BackupCreationDateTime?.getTime() ?? 0;
    assert.ok(when >= before - 1000 && when <= Date.now() + 1000, "created now");
    assert.equal(Number(/\/backup\/(\d{14})-/.exec(details?.BackupArn ?? "")?.[1]), when, "the ARN carries the creation time in ms");
    const backupArn = details?.BackupArn as string;

    // The source moves on: an update, a delete and a new item.
    await sdk().send(new UpdateItemCommand({ TableName: "orders", Key: { pk: { S: "customer-0" }, sk: { N: "0" } }, UpdateExpression: "SET #s = :s", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":s": { S: "cancelled" } } }));
    await sdk().send(new DeleteItemCommand({ TableName: "orders", Key: { pk: { S: "customer-1" }, sk: { N: "1" } } }));
    await sdk().send(new PutItemCommand({ TableName: "orders", Item: order(99, "open") }));

    const description = (await sdk().send(new DescribeBackupCommand({ BackupArn: backupArn }))).BackupDescription;
    assert.equal(description?.BackupDetails?.BackupArn, backupArn);
    assert.equal(description?.SourceTableDetails?.TableName, "orders");
    assert.equal(description?.SourceTableDetails?.ItemCount, 30);
    assert.equal(description?.SourceTableDetails?.BillingMode, "PAY_PER_REQUEST");
    assert.deepEqual(description?.SourceTableDetails?.KeySchema, [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }]);
    assert.deepEqual(description?.SourceTableFeatureDetails?.GlobalSecondaryIndexes?.map((i) => i.IndexName), ["byStatus", "byBin"]);
    assert.deepEqual(description?.SourceTableFeatureDetails?.StreamDescription, { StreamEnabled: true, StreamViewType: "NEW_IMAGE" });
    assert.deepEqual(description?.SourceTableFeatureDetails?.TimeToLiveDescription, { TimeToLiveStatus: "ENABLED", AttributeName: "expires" });

    const restored = await sdk().send(new RestoreTableFromBackupCommand({ TargetTableName: "orders-restored", BackupArn: backupArn }));
    const summary = restored.TableDescription?.RestoreSummary;
    assert.equal(summary?.SourceBackupArn, backupArn);
    assert.match(summary?.SourceTableArn ?? "", /:table\/orders$/);
    assert.ok(summary?.RestoreDateTime instanceof Date);
    assert.equal(restored.TableDescription?.TableName, "orders-restored");

    const table = (await sdk().send(new DescribeTableCommand({ TableName: "orders-restored" }))).Table;
    assert.equal(table?.TableStatus, "ACTIVE");
    assert.equal(table?.RestoreSummary?.RestoreInProgress, false);
    assert.equal(table?.ItemCount, 30);
    assert.deepEqual(table?.GlobalSecondaryIndexes?.map((i) => i.IndexName), ["byStatus", "byBin"]);
    assert.equal(table?.StreamSpecification, undefined, "a restored table has no stream (AWS: stream settings are set again)");
    assert.equal(table?.LatestStreamArn, undefined);
    assert.deepEqual((await sdk().send(new DescribeTimeToLiveCommand({ TableName: "orders-restored" }))).TimeToLiveDescription, { TimeToLiveStatus: "DISABLED" });
    assert.deepEqual((await sdk().send(new ListTagsOfResourceCommand({ ResourceArn: table?.TableArn }))).Tags, []);

    assert.deepEqual(await items(sdk(), "orders-restored"), atBackup, "exactly the backup-time items, every type intact");
    const open = await sdk().send(new QueryCommand({ TableName: "orders-restored", IndexName: "byStatus", KeyConditionExpression: "#s = :s", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":s": { S: "open" } } }));
    assert.deepEqual(open.Items?.map((i) => i.sk?.N), ["0", "2", "4", "6", "8", "10", "12", "14", "16", "18", "20", "22", "24", "26", "28"], "the GSI holds the backup-time statuses, not item 0's later one nor item 99");
    const byBin = await sdk().send(new QueryCommand({ TableName: "orders-restored", IndexName: "byBin", KeyConditionExpression: "bin = :b", ExpressionAttributeValues: { ":b": { B: Uint8Array.from([1, 0xff, 0]) } } }));
    assert.deepEqual(byBin.Items, [{ pk: { S: "customer-1" }, sk: { N: "1" }, bin: { B: Uint8Array.from([1, 0xff, 0]) } }], "the binary-keyed GSI answers the item the source has since deleted");

    // The restored table is a table like any other.
    await sdk().send(new PutItemCommand({ TableName: "orders-restored", Item: order(50, "open") }));
    assert.equal((await sdk().send(new DescribeTableCommand({ TableName: "orders-restored" }))).Table?.ItemCount, 31);
  });

  it("restores with overrides: billing, provisioned throughput and only the GSIs named", async () => {
    await createOrders(sdk(), "overrides");
    await sdk().send(new PutItemCommand({ TableName: "overrides", Item: order(1, "open") }));
    const backupArn = (await sdk().send(new CreateBackupCommand({ TableName: "overrides", BackupName: "ovr" }))).BackupDetails?.BackupArn as string;
    await sdk().send(new RestoreTableFromBackupCommand({
      TargetTableName: "overrides-2", BackupArn: backupArn, BillingModeOverride: "PROVISIONED", ProvisionedThroughputOverride: { ReadCapacityUnits: 7, WriteCapacityUnits: 3 },
      GlobalSecondaryIndexOverride: [{ IndexName: "byStatus", KeySchema: [{ AttributeName: "status", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }], Projection: { ProjectionType: "KEYS_ONLY" }, ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }],
    }));
    const table = (await sdk().send(new DescribeTableCommand({ TableName: "overrides-2" }))).Table;
    assert.equal(table?.BillingModeSummary, undefined);
    assert.deepEqual([table?.ProvisionedThroughput?.ReadCapacityUnits, table?.ProvisionedThroughput?.WriteCapacityUnits], [7, 3]);
    assert.deepEqual(table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.Projection?.ProjectionType]), [["byStatus", "KEYS_ONLY"]]);
    assert.deepEqual(table?.AttributeDefinitions?.map((d) => d.AttributeName).sort(), ["pk", "sk", "status"], "the left-out index's attribute is no longer defined");
    const open = await sdk().send(new QueryCommand({ TableName: "overrides-2", IndexName: "byStatus", KeyConditionExpression: "#s = :s", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":s": { S: "open" } } }));
    assert.deepEqual(open.Items, [{ pk: { S: "customer-1" }, sk: { N: "1" }, status: { S: "open" } }]);

    const unknownIndex = await errorOf(sdk().send(new RestoreTableFromBackupCommand({
      TargetTableName: "overrides-3", BackupArn: backupArn, GlobalSecondaryIndexOverride: [{ IndexName: "nope", KeySchema: [{ AttributeName: "status", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } }],
    })));
    assert.equal(unknownIndex.name, "ValidationException", unknownIndex.message);
    const ppr = await errorOf(sdk().send(new RestoreTableFromBackupCommand({ TargetTableName: "overrides-3", BackupArn: backupArn, ProvisionedThroughputOverride: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } })));
    assert.equal(ppr.name, "ValidationException", "throughput for a PAY_PER_REQUEST restore is refused, as CreateTable refuses it");
    assert.equal(typeOf((await raw("DescribeTable", { TableName: "overrides-3" })).json), "ResourceNotFoundException", "a refused restore leaves no table");
  });

  it("ListBackups filters by table, time and type, and pages with Limit and ExclusiveStartBackupArn", async () => {
    for (const name of ["list-a", "list-b"]) await sdk().send(new CreateTableCommand({ TableName: name, KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" }));
    const arns: string[] = [];
    for (const [table, name] of [["list-a", "a-1"], ["list-b", "b-1"], ["list-a", "a-2"], ["list-a", "a-3"]] as const) {
      arns.push((await sdk().send(new CreateBackupCommand({ TableName: table, BackupName: name }))).BackupDetails?.BackupArn as string);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const ofA = (await sdk().send(new ListBackupsCommand({ TableName: "list-a" }))).BackupSummaries ?? [];
    assert.deepEqual(ofA.map((s) => s.BackupName), ["a-1", "a-2", "a-3"]);
    assert.equal(ofA[0]?.TableName, "list-a");
    assert.match(ofA[0]?.TableArn ?? "", /:table\/list-a$/);
    assert.equal(ofA[0]?.BackupStatus, "AVAILABLE");
    assert.equal(ofA[0]?.BackupType, "USER");
    const byArn = (await sdk().send(new ListBackupsCommand({ TableName: ofA[0]?.TableArn }))).BackupSummaries ?? [];
    assert.deepEqual(byArn.map((s) => s.BackupName), ["a-1", "a-2", "a-3"], "TableName may be the table's ARN");

    const pages: string[][] = [];
    let start: string | undefined;
    do {
      const page = await sdk().send(new ListBackupsCommand({ TableName: "list-a", Limit: 2, ExclusiveStartBackupArn: start }));
      pages.push((page.BackupSummaries ?? []).map((s) => s.BackupName as string));
      start = page.LastEvaluatedBackupArn;
    } while (start !== undefined);
    assert.deepEqual(pages, [["a-1", "a-2"], ["a-3"]]);

    const second = ofA[1]?.BackupCreationDateTime as Date;
    const from = (await sdk().send(new ListBackupsCommand({ TableName: "list-a", TimeRangeLowerBound: second }))).BackupSummaries ?? [];
    assert.deepEqual(from.map((s) => s.BackupName), ["a-2", "a-3"], "the lower bound is inclusive");
    const until = (await sdk().send(new ListBackupsCommand({ TableName: "list-a", TimeRangeUpperBound: second }))).BackupSummaries ?? [];
    assert.deepEqual(until.map((s) => s.BackupName), ["a-1"], "the upper bound is exclusive");
    assert.deepEqual((await sdk().send(new ListBackupsCommand({ TableName: "list-a", BackupType: "SYSTEM" }))).BackupSummaries, [], "every backup here is a USER one");
    assert.equal((await sdk().send(new ListBackupsCommand({ TableName: "list-a", BackupType: "ALL" }))).BackupSummaries?.length, 3);
    const all = (await sdk().send(new ListBackupsCommand({}))).BackupSummaries ?? [];
    for (const arn of arns) assert.ok(all.some((s) => s.BackupArn === arn), `${arn} is listed without a filter`);
    assert.deepEqual((await sdk().send(new ListBackupsCommand({ TableName: "no-such-table" }))).BackupSummaries, []);
  });

  it("DeleteBackup answers DELETED, then the backup is not found; a deleted table keeps its backups", async () => {
    await sdk().send(new CreateTableCommand({ TableName: "keep", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" }));
    await sdk().send(new PutItemCommand({ TableName: "keep", Item: { pk: { S: "one" } } }));
    const first = (await sdk().send(new CreateBackupCommand({ TableName: "keep", BackupName: "first" }))).BackupDetails?.BackupArn as string;
    const second = (await sdk().send(new CreateBackupCommand({ TableName: "keep", BackupName: "second" }))).BackupDetails?.BackupArn as string;

    const deleted = await sdk().send(new DeleteBackupCommand({ BackupArn: first }));
    assert.equal(deleted.BackupDescription?.BackupDetails?.BackupStatus, "DELETED");
    assert.equal(deleted.BackupDescription?.SourceTableDetails?.TableName, "keep");
    for (const call of [
      sdk().send(new DescribeBackupCommand({ BackupArn: first })),
      sdk().send(new DeleteBackupCommand({ BackupArn: first })),
      sdk().send(new RestoreTableFromBackupCommand({ TargetTableName: "keep-restored", BackupArn: first })),
    ]) {
      const error = await errorOf(call);
      assert.ok(error instanceof BackupNotFoundException, `${error.name}: ${error.message}`);
    }
    assert.equal((await raw("DescribeTable", { TableName: "keep-restored" })).status, 400, "no table is left by the refused restore");

    await sdk().send(new DeleteTableCommand({ TableName: "keep" }));
    assert.deepEqual((await sdk().send(new ListBackupsCommand({ TableName: "keep" }))).BackupSummaries?.map((s) => s.BackupName), ["second"], "the deleted table's backup is still listed");
    await sdk().send(new RestoreTableFromBackupCommand({ TargetTableName: "keep", BackupArn: second }));
    assert.deepEqual(await items(sdk(), "keep"), [JSON.stringify({ pk: { S: "one" } })], "restored under the deleted table's own name");
  });

  it("refuses a restore onto an existing table, a backup of a missing table, and bad names and ARNs with DynamoDB's errors", async () => {
    await sdk().send(new CreateTableCommand({ TableName: "taken", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" }));
    await sdk().send(new CreateTableCommand({ TableName: "other", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" }));
    await sdk().send(new PutItemCommand({ TableName: "taken", Item: { pk: { S: "kept" } } }));
    const arn = (await sdk().send(new CreateBackupCommand({ TableName: "taken", BackupName: "b-1" }))).BackupDetails?.BackupArn as string;

    const exists = await errorOf(sdk().send(new RestoreTableFromBackupCommand({ TargetTableName: "other", BackupArn: arn })));
    assert.ok(exists instanceof TableAlreadyExistsException, `${exists.name}: ${exists.message}`);
    assert.equal(exists.message, "Table already exists: other");
    assert.deepEqual(await items(sdk(), "other"), [], "the existing table is untouched");

    const missing = await errorOf(sdk().send(new CreateBackupCommand({ TableName: "no-such-table", BackupName: "b-1" })));
    assert.ok(missing instanceof TableNotFoundException, `${missing.name}: ${missing.message}`);
    assert.equal(missing.message, "Table not found: no-such-table");
    const otherAccount = await errorOf(sdk().send(new CreateBackupCommand({ TableName: "arn:aws:dynamodb:us-east-1:999999999999:table/taken", BackupName: "b-1" })));
    assert.ok(otherAccount instanceof TableNotFoundException, `another account's table ARN names no table here: ${otherAccount.name}`);

    const forged = arn.replace(":table/taken/", ":table/other/");
    const wrongAccount = arn.replace(/:\d{12}:/, ":999999999999:");
    for (const bad of [forged, wrongAccount]) {
      const error = await errorOf(sdk().send(new DescribeBackupCommand({ BackupArn: bad })));
      assert.ok(error instanceof BackupNotFoundException, `${bad}: ${error.name}: ${error.message}`);
      const restore = await errorOf(sdk().send(new RestoreTableFromBackupCommand({ TargetTableName: "forged", BackupArn: bad })));
      assert.ok(restore instanceof BackupNotFoundException, `${bad}: ${restore.name}`);
    }
    const cases: [string, unknown, string][] = [
      ["CreateBackup", { TableName: "taken", BackupName: "ab" }, "ValidationException"],
      ["CreateBackup", { TableName: "taken", BackupName: "has space" }, "ValidationException"],
      ["CreateBackup", { TableName: "taken", BackupName: "x".repeat(256) }, "ValidationException"],
      ["CreateBackup", { TableName: "taken" }, "ValidationException"],
      ["CreateBackup", { TableName: "a/b", BackupName: "fine" }, "ValidationException"],
      ["DescribeBackup", { BackupArn: "arn:aws:dynamodb:us-east-1:000000000000:table/taken" }, "ValidationException"],
      ["DescribeBackup", { BackupArn: `${arn}/../../x` }, "ValidationException"],
      ["DescribeBackup", { BackupArn: arn.replace(/-[0-9a-f]{8}$/, "-zzzzzzzz") }, "ValidationException"],
      ["DeleteBackup", { BackupArn: "not an arn at all, but long enough to pass the length" }, "ValidationException"],
      ["RestoreTableFromBackup", { TargetTableName: "x", BackupArn: arn }, "ValidationException"],
      ["RestoreTableFromBackup", { TargetTableName: "bad name!", BackupArn: arn }, "ValidationException"],
      ["ListBackups", { Limit: 0 }, "ValidationException"],
      ["ListBackups", { BackupType: "WEEKLY" }, "ValidationException"],
      ["ListBackups", { TimeRangeLowerBound: 2_000_000_000, TimeRangeUpperBound: 1_000_000_000 }, "ValidationException"],
    ];
    for (const [operation, body, type] of cases) {
      const answer = await raw(operation, body);
      assert.equal(answer.status, 400, `${operation} ${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(answer.json)}`);
      assert.equal(typeOf(answer.json), type, `${operation} ${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(answer.json)}`);
    }
    assert.equal((await raw("DescribeTable", { TableName: "forged" })).status, 400, "no restore happened under a forged ARN");
  });

  it("backs up a larger table (items near 400 KB among 1,500 small ones) whole and restores it with its sizes and counts", async () => {
    await sdk().send(new CreateTableCommand({ TableName: "big", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" }));
    const large = "x".repeat(399 * 1024);
    for (let i = 0; i < 4; i++) await sdk().send(new PutItemCommand({ TableName: "big", Item: { pk: { S: `large-${i}` }, body: { S: large } } }));
    for (let start = 0; start < 1500; start += 25) {
      const puts = Array.from({ length: 25 }, (_, j) => ({ PutRequest: { Item: { pk: { S: `small-${start + j}` }, n: { N: String(start + j) } } } }));
      await sdk().send(new BatchWriteItemCommand({ RequestItems: { big: puts } }));
    }
    const source = (await sdk().send(new DescribeTableCommand({ TableName: "big" }))).Table;
    const backup = (await sdk().send(new CreateBackupCommand({ TableName: "big", BackupName: "big-1" }))).BackupDetails;
    assert.equal(backup?.BackupSizeBytes, source?.TableSizeBytes, "the backup's size is the table's");
    await sdk().send(new RestoreTableFromBackupCommand({ TargetTableName: "big-restored", BackupArn: backup?.BackupArn }));
    const restored = (await sdk().send(new DescribeTableCommand({ TableName: "big-restored" }))).Table;
    assert.equal(restored?.ItemCount, 1504);
    assert.equal(restored?.TableSizeBytes, source?.TableSizeBytes);
    assert.deepEqual(await items(sdk(), "big-restored"), await items(sdk(), "big"));
  });

  it("--iam enforce: CreateBackup on the table, DescribeBackup on the backup ARN, and a restore needs the backup and the item actions on its target", async () => {
    const iam = new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const userWith = async (name: string, statements: object[]) => {
      await iam.send(new CreateUserCommand({ UserName: name }));
      await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "backups", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: statements }) }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
      return new DynamoDBClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string }, maxAttempts: 1 });
    };
    await sdk().send(new CreateTableCommand({ TableName: "guarded", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" }));
    await sdk().send(new PutItemCommand({ TableName: "guarded", Item: { pk: { S: "secret" } } }));
    const tableArn = (await sdk().send(new DescribeTableCommand({ TableName: "guarded" }))).Table?.TableArn as string;
    const target = tableArn.replace(/guarded$/, "guarded-copy");
    const ITEM_ACTIONS = ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem"];

    const backer = await userWith("backer", [{ Effect: "Allow", Action: ["dynamodb:CreateBackup"], Resource: tableArn }, { Effect: "Allow", Action: ["dynamodb:DescribeBackup"], Resource: `${tableArn}/backup/*` }]);
    const arn = (await backer.send(new CreateBackupCommand({ TableName: "guarded", BackupName: "by-backer" }))).BackupDetails?.BackupArn as string;
    assert.equal((await backer.send(new DescribeBackupCommand({ BackupArn: arn }))).BackupDescription?.BackupDetails?.BackupName, "by-backer");
    const refusals = [() => backer.send(new ListBackupsCommand({ TableName: "guarded" })), () => backer.send(new DeleteBackupCommand({ BackupArn: arn })), () => backer.send(new CreateBackupCommand({ TableName: "other-table", BackupName: "nope" }))];
    for (const denied of refusals) assert.equal((await errorOf(denied())).name, "AccessDeniedException");

    const restoreOnly = await userWith("restore-only", [{ Effect: "Allow", Action: ["dynamodb:RestoreTableFromBackup"], Resource: arn }]);
    assert.equal((await errorOf(restoreOnly.send(new RestoreTableFromBackupCommand({ TargetTableName: "guarded-copy", BackupArn: arn })))).name, "AccessDeniedException", "without write permissions on the target");
    const itemsOnly = await userWith("items-only", [{ Effect: "Allow", Action: ITEM_ACTIONS, Resource: target }]);
    assert.equal((await errorOf(itemsOnly.send(new RestoreTableFromBackupCommand({ TargetTableName: "guarded-copy", BackupArn: arn })))).name, "AccessDeniedException", "without RestoreTableFromBackup on the backup");
    assert.equal(typeOf((await raw("DescribeTable", { TableName: "guarded-copy" })).json), "ResourceNotFoundException", "a refused restore creates nothing");

    const restorer = await userWith("restorer", [{ Effect: "Allow", Action: ["dynamodb:RestoreTableFromBackup"], Resource: arn }, { Effect: "Allow", Action: ITEM_ACTIONS, Resource: target }]);
    await restorer.send(new RestoreTableFromBackupCommand({ TargetTableName: "guarded-copy", BackupArn: arn }));
    assert.deepEqual(await items(sdk(), "guarded-copy"), [JSON.stringify({ pk: { S: "secret" } })]);
    assert.equal((await errorOf(restorer.send(new RestoreTableFromBackupCommand({ TargetTableName: "elsewhere", BackupArn: arn })))).name, "AccessDeniedException", "the item actions are on the target named");
    for (const c of [iam, backer, restoreOnly, itemsOnly, restorer]) c.destroy();
  });

  it("two restores onto one name at once: one makes the table, the other is refused", async () => {
    await sdk().send(new CreateTableCommand({ TableName: "race", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" }));
    for (let start = 0; start < 500; start += 25) {
      await sdk().send(new BatchWriteItemCommand({ RequestItems: { race: Array.from({ length: 25 }, (_, j) => ({ PutRequest: { Item: { pk: { S: `k${start + j}` } } } })) } }));
    }
    const arn = (await sdk().send(new CreateBackupCommand({ TableName: "race", BackupName: "race-1" }))).BackupDetails?.BackupArn as string;
    const outcomes = await Promise.allSettled([0, 1, 2].map(() => sdk().send(new RestoreTableFromBackupCommand({ TargetTableName: "race-copy", BackupArn: arn }))));
    assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 1);
    for (const o of outcomes) if (o.status === "rejected") assert.match((o.reason as Error).name, /^(TableAlreadyExistsException|TableInUseException)$/);
    assert.equal((await sdk().send(new DescribeTableCommand({ TableName: "race-copy" }))).Table?.ItemCount, 500);
  });

  it("boto3: create_backup, describe_backup, list_backups and restore_table_from_backup", async () => {
    await sdk().send(new CreateTableCommand({ TableName: "pyt", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" }));
    await sdk().send(new PutItemCommand({ TableName: "pyt", Item: { pk: { S: "from-js" }, n: { N: "7" } } }));
    const out = (await runBoto3([
      "import boto3, json, sys",
      "c = boto3.client('dynamodb', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')",
      "b = c.create_backup(TableName='pyt', BackupName='py-backup')['BackupDetails']",
      "d = c.describe_backup(BackupArn=b['BackupArn'])['BackupDescription']",
      "l = c.list_backups(TableName='pyt')['BackupSummaries']",
      "r = c.restore_table_from_backup(TargetTableName='pyt-restored', BackupArn=b['BackupArn'])['TableDescription']",
      "items = c.scan(TableName='pyt-restored')['Items']",
      "try:",
      "    c.describe_backup(BackupArn=b['BackupArn'].replace(':table/pyt/', ':table/pyx/'))",
      "    err = None",
      "except c.exceptions.BackupNotFoundException as e:",
      "    err = e.response['Error']['Code']",
      "print(json.dumps({'status': b['BackupStatus'], 'arn': b['BackupArn'], 'count': d['SourceTableDetails']['ItemCount'], 'listed': [s['BackupName'] for s in l], 'source': r['RestoreSummary']['SourceBackupArn'], 'items': items, 'err': err}))",
    ], [suite.unkai.url])) as { status: string; arn: string; count: number; listed: string[]; source: string; items: unknown[]; err: string };
    assert.equal(out.status, "AVAILABLE");
    assert.match(out.arn, BACKUP_ARN("pyt"));
    assert.equal(out.count, 1);
    assert.deepEqual(out.listed, ["py-backup"]);
    assert.equal(out.source, out.arn);
    assert.deepEqual(out.items, [{ pk: { S: "from-js" }, n: { N: "7" } }]);
    assert.equal(out.err, "BackupNotFoundException");
  });
});

describe("DynamoDB backups across a restart", () => {
  it("a backup made before Unkai restarts is listed and restored after it, with its items", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-dynamodb-backups-"));
    try {
      const first = await startUnkai(FAST_SWEEP, dataDir);
      const before = client(first.url);
      let arn: string;
      try {
        await createOrders(before, "durable");
        for (let i = 0; i < 120; i++) await before.send(new PutItemCommand({ TableName: "durable", Item: order(i, i % 3 === 0 ? "open" : "shipped") }));
        arn = (await before.send(new CreateBackupCommand({ TableName: "durable", BackupName: "before-restart" }))).BackupDetails?.BackupArn as string;
        await before.send(new DeleteTableCommand({ TableName: "durable" }));
      } finally {
        before.destroy();
        assert.equal(await first.stop(), 0);
      }
      // What a crash mid-backup leaves: items no backup record names.
      const orphan = join(dataDir, "dynamodb-backups", "left-by-a-crash");
      writeFileSync(orphan, '{"pk":{"S":"half"}}\n');
      utimesSync(orphan, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
      const second = await startUnkai(FAST_SWEEP, dataDir);
      const after = client(second.url);
      try {
        assert.deepEqual((await after.send(new ListBackupsCommand({ TableName: "durable" }))).BackupSummaries?.map((s) => s.BackupArn), [arn]);
        await after.send(new RestoreTableFromBackupCommand({ TargetTableName: "durable", BackupArn: arn }));
        assert.equal((await after.send(new DescribeTableCommand({ TableName: "durable" }))).Table?.ItemCount, 120);
        const open = await after.send(new QueryCommand({ TableName: "durable", IndexName: "byStatus", KeyConditionExpression: "#s = :s", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":s": { S: "open" } }, Select: "COUNT" }));
        assert.equal(open.Count, 40);
        const deadline = Date.now() + 10_000;
        while (existsSync(orphan) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal(existsSync(orphan), false, "the sweep removes a blob no backup names");
        assert.equal(readdirSync(join(dataDir, "dynamodb-backups")).length, 1, "and keeps the backup's own");
        await after.send(new RestoreTableFromBackupCommand({ TargetTableName: "durable-again", BackupArn: arn }));
        assert.equal((await after.send(new DescribeTableCommand({ TableName: "durable-again" }))).Table?.ItemCount, 120);
      } finally {
        after.destroy();
        assert.equal(await second.stop(), 0);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
