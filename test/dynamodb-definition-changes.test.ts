/**
 * Concurrent changes to one table's definition, as tools make them (Terraform and CDK tag, set TTL, PITR
 * and policies in parallel): over HTTP with the SDK v3, none overwrites another, a conditional policy
 * change that lost its race is refused, and DynamoDB's one-GSI-at-a-time rule holds however UpdateTables
 * race. Over HTTP on one node, SQLite's reads and writes of a definition rarely interleave; two nodes on
 * one store, each with its own cache of definitions, make them interleave as a cluster's do, and there
 * every change still lands.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetResourcePolicyCommand,
  ListTagsOfResourceCommand,
  PutResourcePolicyCommand,
  QueryCommand,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type UpdateTableCommandInput,
} from "@aws-sdk/client-dynamodb";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import { dynamoOperations, type DynamoOperation } from "../src/services/dynamodb/operations.js";
import { TableCache } from "../src/services/dynamodb/table-cache.js";
import type { LoadedTable } from "../src/services/dynamodb/context.js";

const ACCOUNT = "000000000000";
const ONE_AT_A_TIME = "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table";

const policyFor = (table: string, sid: string) => JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: sid, Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "dynamodb:GetItem", Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${table}` }],
});

/** The error a settled call was refused with. */
const reasonOf = (result: PromiseSettledResult<unknown> | undefined): Error => (result as PromiseRejectedResult).reason as Error;

const gsiCreate = (name: string, attribute: string): UpdateTableCommandInput["GlobalSecondaryIndexUpdates"] => [
  { Create: { IndexName: name, KeySchema: [{ AttributeName: attribute, KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } } },
];

describe("DynamoDB definition changes", () => {
  const suite = unkaiSuite();
  let client: DynamoDBClient;
  const sdk = () => (client ??= new DynamoDBClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 }));
  const createTable = (name: string) => sdk().send(new CreateTableCommand({
    TableName: name, BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
  }));
  const arnOf = (name: string) => `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${name}`;

  it("tags, TTL, point-in-time recovery and a resource policy set at once all stay set", async () => {
    await createTable("busy");
    const arn = arnOf("busy");
    await Promise.all([
      ...Array.from({ length: 24 }, (_, i) => sdk().send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: `k${i}`, Value: `v${i}` }] }))),
      sdk().send(new UpdateTimeToLiveCommand({ TableName: "busy", TimeToLiveSpecification: { AttributeName: "expires", Enabled: true } })),
      sdk().send(new UpdateContinuousBackupsCommand({ TableName: "busy", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })),
      sdk().send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: policyFor("busy", "one") })),
      sdk().send(new UpdateTableCommand({ TableName: "busy", DeletionProtectionEnabled: true })),
    ]);
    const tags = (await sdk().send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags ?? [];
    assert.deepEqual(tags.map((t) => t.Key).sort(), Array.from({ length: 24 }, (_, i) => `k${i}`).sort(), "every tag");
    assert.equal((await sdk().send(new DescribeTimeToLiveCommand({ TableName: "busy" }))).TimeToLiveDescription?.TimeToLiveStatus, "ENABLED");
    const backups = await sdk().send(new DescribeContinuousBackupsCommand({ TableName: "busy" }));
    assert.equal(backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus, "ENABLED");
    assert.match((await sdk().send(new GetResourcePolicyCommand({ ResourceArn: arn }))).Policy ?? "", /"Sid":"one"/);
    assert.equal((await sdk().send(new DescribeTableCommand({ TableName: "busy" }))).Table?.DeletionProtectionEnabled, true);
    // Each check runs against the definition it applies to: the second of two racing TTL changes finds it already set.
    const ttl = await Promise.allSettled([false, false].map((enabled) =>
      sdk().send(new UpdateTimeToLiveCommand({ TableName: "busy", TimeToLiveSpecification: { AttributeName: "expires", Enabled: enabled } }))));
    assert.deepEqual(ttl.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
    assert.equal(reasonOf(ttl.find((r) => r.status === "rejected")).message, "TimeToLive is already disabled");
  });

  it("of two policy changes made against the same revision, one wins and the other is refused", async () => {
    await createTable("guarded");
    const arn = arnOf("guarded");
    const first = await sdk().send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: policyFor("guarded", "first") }));
    const racing = await Promise.allSettled(["a", "b", "c"].map((sid) =>
      sdk().send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: policyFor("guarded", sid), ExpectedRevisionId: first.RevisionId }))));
    const won = racing.flatMap((r) => (r.status === "fulfilled" ? [r.value.RevisionId] : []));
    assert.equal(won.length, 1, "exactly one change names the revision it replaced");
    for (const lost of racing.filter((r) => r.status === "rejected")) assert.equal(reasonOf(lost).name, "PolicyNotFoundException");
    assert.equal((await sdk().send(new GetResourcePolicyCommand({ ResourceArn: arn }))).RevisionId, won[0]);
  });

  it("creates or deletes one GSI at a time: two in one call, or racing UpdateTables, are refused with DynamoDB's LimitExceededException", async () => {
    await createTable("indexed");
    const definitions = [{ AttributeName: "a", AttributeType: "S" as const }, { AttributeName: "b", AttributeType: "S" as const }];
    const both = await sdk().send(new UpdateTableCommand({
      TableName: "indexed", AttributeDefinitions: definitions, GlobalSecondaryIndexUpdates: [...(gsiCreate("byA", "a") ?? []), ...(gsiCreate("byB", "b") ?? [])],
    })).then(() => new Error("created"), (e: unknown) => e as Error);
    assert.equal(both.name, "LimitExceededException");
    assert.equal(both.message, ONE_AT_A_TIME);
    assert.equal((await sdk().send(new DescribeTableCommand({ TableName: "indexed" }))).Table?.GlobalSecondaryIndexes, undefined, "nothing created");
    // While one is being filled, another UpdateTable creating one is refused.
    for (let i = 0; i < 2000; i += 25) {
      await sdk().send(new BatchWriteItemCommand({ RequestItems: { indexed: Array.from({ length: 25 }, (_, j) => ({ PutRequest: { Item: { pk: { S: `i${i + j}` }, a: { S: "x" }, b: { S: "y" } } } })) } }));
    }
    const building = sdk().send(new UpdateTableCommand({ TableName: "indexed", AttributeDefinitions: definitions, GlobalSecondaryIndexUpdates: gsiCreate("byA", "a") }));
    while ((await sdk().send(new DescribeTableCommand({ TableName: "indexed" }))).Table?.GlobalSecondaryIndexes?.[0]?.Backfilling !== true) await new Promise(setImmediate);
    const refused = await sdk().send(new UpdateTableCommand({ TableName: "indexed", AttributeDefinitions: definitions, GlobalSecondaryIndexUpdates: gsiCreate("byB", "b") }))
      .then(() => new Error("created"), (e: unknown) => e as Error);
    assert.deepEqual([refused.name, refused.message], ["LimitExceededException", ONE_AT_A_TIME]);
    await building;
    // Racing UpdateTables: whichever stores its change first builds its index; the other is refused, or
    // builds its own after, if the first was done by the time it read the table again. Never a mark left behind.
    const racing = await Promise.allSettled([["byB", "b"], ["byC", "c"]].map(([name, attribute]) => sdk().send(new UpdateTableCommand({
      TableName: "indexed", AttributeDefinitions: [...definitions, { AttributeName: "c", AttributeType: "S" }], GlobalSecondaryIndexUpdates: gsiCreate(name as string, attribute as string),
    }))));
    for (const lost of racing.filter((r) => r.status === "rejected")) assert.equal(reasonOf(lost).message, ONE_AT_A_TIME);
    const indexes = (await sdk().send(new DescribeTableCommand({ TableName: "indexed" }))).Table?.GlobalSecondaryIndexes ?? [];
    assert.equal(indexes.length, 1 + racing.filter((r) => r.status === "fulfilled").length);
    for (const index of indexes) assert.deepEqual([index.IndexName, index.IndexStatus, index.Backfilling], [index.IndexName, "ACTIVE", undefined]);
    const count = await sdk().send(new QueryCommand({ TableName: "indexed", IndexName: "byA", KeyConditionExpression: "a = :x", ExpressionAttributeValues: { ":x": { S: "x" } }, Select: "COUNT" }));
    assert.equal(count.Count, 2000, "the first index whole");
  });

  it("two nodes on one store, each caching definitions, change one table at once without losing a change", async () => {
    const dir = mkdtempSync(join(tmpdir(), "unkai-dynamodb-definitions-"));
    const store = openSqliteStore(join(dir, "unkai.db"), () => {});
    try {
      const node = () => dynamoOperations({ store: store.dynamodb, account: { region: "us-east-1", accountId: ACCOUNT }, now: Date.now, tables: new TableCache<LoadedTable>(Date.now), sharedStore: true });
      const nodes = [node(), node()];
      const call = (n: number, operation: string, input: object) => (nodes[n % 2]?.[operation] as DynamoOperation)(input);
      const arn = arnOf("shared");
      await call(0, "CreateTable", { TableName: "shared", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }] });
      const first = (await call(1, "PutResourcePolicy", { ResourceArn: arn, Policy: policyFor("shared", "first") })) as { RevisionId: string };
      // Every call reads the definition before any writes it: the store's reads and writes interleave as a cluster's do.
      const settled = await Promise.allSettled([
        ...Array.from({ length: 40 }, (_, i) => call(i, "TagResource", { ResourceArn: arn, Tags: [{ Key: `t${i}`, Value: String(i) }] })),
        call(0, "UpdateTimeToLive", { TableName: "shared", TimeToLiveSpecification: { AttributeName: "expires", Enabled: true } }),
        call(1, "UpdateContinuousBackups", { TableName: "shared", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
        call(0, "UpdateTable", { TableName: "shared", DeletionProtectionEnabled: true }),
        ...["a", "b"].map((sid, i) => call(i, "PutResourcePolicy", { ResourceArn: arn, Policy: policyFor("shared", sid), ExpectedRevisionId: first.RevisionId })),
      ]);
      assert.deepEqual(settled.filter((r) => r.status === "rejected").map((r) => (reasonOf(r) as Error & { code?: string }).code), ["PolicyNotFoundException"], "one of the two policy changes");
      const listed = (await call(1, "ListTagsOfResource", { ResourceArn: arn })) as { Tags: { Key: string }[] };
      assert.equal(listed.Tags.length, 40);
      const table = (await call(0, "DescribeTable", { TableName: "shared" })) as { Table: { DeletionProtectionEnabled?: boolean } };
      assert.equal(table.Table.DeletionProtectionEnabled, true);
      assert.deepEqual(await call(1, "DescribeTimeToLive", { TableName: "shared" }), { TimeToLiveDescription: { TimeToLiveStatus: "ENABLED", AttributeName: "expires" } });
      const backups = (await call(0, "DescribeContinuousBackups", { TableName: "shared" })) as { ContinuousBackupsDescription: { PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: string } } };
      assert.equal(backups.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus, "ENABLED");
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
