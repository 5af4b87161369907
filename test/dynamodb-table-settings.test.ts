/**
 * Table settings tools write and read back, over HTTP with the SDK v3, boto3 and the AWS CLI: point-in-time
 * recovery (DescribeContinuousBackups, UpdateContinuousBackups; a missing table is DynamoDB's
 * TableNotFoundException), and the table class, encryption at rest and on-demand throughput kept by
 * CreateTable and UpdateTable and shown by DescribeTable. Bad input is refused with the service's own
 * errors, and a table created again under the same name starts without the old settings.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  TableNotFoundException,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
} from "@aws-sdk/client-dynamodb";
import { aws, DEFAULT_CREDENTIALS, signedFetch } from "./helpers/clients.js";
import { runBoto3 } from "./helpers/boto3.js";
import { unkaiSuite } from "./helpers/suite.js";

describe("DynamoDB table settings", () => {
  const suite = unkaiSuite();
  let client: DynamoDBClient;
  const sdk = () => (client ??= new DynamoDBClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 }));
  const createTable = (name: string) => sdk().send(new CreateTableCommand({
    TableName: name, BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
  }));
  const status = async (name: string) => (await sdk().send(new DescribeContinuousBackupsCommand({ TableName: name }))).ContinuousBackupsDescription;

  async function raw(operation: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await signedFetch(suite.unkai.url, {
      method: "POST", service: "dynamodb", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${operation}` }, body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  it("SDK v3: off at creation, turned on with a recovery period (35 days unless given), off again, and gone with a deleted table", async () => {
    await createTable("pitr");
    assert.deepEqual(await status("pitr"), { ContinuousBackupsStatus: "ENABLED", PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: "DISABLED" } });
    const on = await sdk().send(new UpdateContinuousBackupsCommand({ TableName: "pitr", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    assert.deepEqual(on.ContinuousBackupsDescription?.PointInTimeRecoveryDescription, { PointInTimeRecoveryStatus: "ENABLED", RecoveryPeriodInDays: 35 });
    // Unkai keeps no item history, so no restorable window is claimed.
    assert.equal(on.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.EarliestRestorableDateTime, undefined);
    await sdk().send(new UpdateContinuousBackupsCommand({ TableName: "pitr", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 7 } }));
    assert.deepEqual((await status("pitr"))?.PointInTimeRecoveryDescription, { PointInTimeRecoveryStatus: "ENABLED", RecoveryPeriodInDays: 7 }, "a repeated enable changes the period");
    await sdk().send(new UpdateContinuousBackupsCommand({ TableName: "pitr", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false } }));
    assert.deepEqual((await status("pitr"))?.PointInTimeRecoveryDescription, { PointInTimeRecoveryStatus: "DISABLED" });

    await sdk().send(new UpdateContinuousBackupsCommand({ TableName: "pitr", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    await sdk().send(new DeleteTableCommand({ TableName: "pitr" }));
    const gone = await sdk().send(new DescribeContinuousBackupsCommand({ TableName: "pitr" })).catch((e: unknown) => e);
    assert.ok(gone instanceof TableNotFoundException, String(gone));
    assert.equal(gone.message, "Table not found: pitr");
    await createTable("pitr");
    assert.deepEqual((await status("pitr"))?.PointInTimeRecoveryDescription, { PointInTimeRecoveryStatus: "DISABLED" }, "a table created again starts without the old setting");
  });

  it("boto3 and the CLI read and write the same setting; a missing table is TableNotFoundException for both operations", async () => {
    await createTable("pitr-py");
    const out = await runBoto3([
      "import boto3, json, sys",
      "from botocore.exceptions import ClientError",
      `db = boto3.client("dynamodb", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")`,
      `on = db.update_continuous_backups(TableName="pitr-py", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})["ContinuousBackupsDescription"]`,
      `read = db.describe_continuous_backups(TableName="pitr-py")["ContinuousBackupsDescription"]`,
      "codes = []",
      "for call in (lambda: db.describe_continuous_backups(TableName='missing-table'), lambda: db.update_continuous_backups(TableName='missing-table', PointInTimeRecoverySpecification={'PointInTimeRecoveryEnabled': False})):",
      "    try:",
      "        call()",
      "    except ClientError as e:",
      "        codes.append([e.response['Error']['Code'], e.response['Error']['Message']])",
      `print(json.dumps({"on": on["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"], "read": read["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"], "codes": codes}))`,
    ], [suite.unkai.url]);
    assert.deepEqual(out, { on: "ENABLED", read: "ENABLED", codes: [["TableNotFoundException", "Table not found: missing-table"], ["TableNotFoundException", "Table not found: missing-table"]] });

    const cli = await aws(suite.unkai.url, ["dynamodb", "describe-continuous-backups", "--table-name", "pitr-py"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal((JSON.parse(cli.stdout) as { ContinuousBackupsDescription: { PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: string } } }).ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus, "ENABLED");
    const off = await aws(suite.unkai.url, ["dynamodb", "update-continuous-backups", "--table-name", "pitr-py", "--point-in-time-recovery-specification", "PointInTimeRecoveryEnabled=false"]);
    assert.equal(off.code, 0, off.stderr);
    assert.equal((await status("pitr-py"))?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus, "DISABLED");
  });

  it("refuses bad input with DynamoDB's errors and changes nothing; a restore is refused as unsupported", async () => {
    await createTable("pitr-bad");
    const cases: [unknown, number, string, RegExp][] = [
      [{ TableName: "pitr-bad" }, 400, "ValidationException", /pointInTimeRecoverySpecification.*must not be null/],
      [{ TableName: "pitr-bad", PointInTimeRecoverySpecification: {} }, 400, "ValidationException", /pointInTimeRecoveryEnabled.*must not be null/],
      [{ TableName: "pitr-bad", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 0 } }, 400, "ValidationException", /greater than or equal to 1/],
      [{ TableName: "pitr-bad", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 36 } }, 400, "ValidationException", /less than or equal to 35/],
      [{ TableName: "pitr-bad", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: "yes" } }, 400, "SerializationException", /./],
      [{ TableName: 7, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }, 400, "SerializationException", /./],
    ];
    for (const [body, code, type, message] of cases) {
      const answer = await raw("UpdateContinuousBackups", body);
      assert.equal(answer.status, code, JSON.stringify(body));
      assert.equal(answer.json.__type, type, JSON.stringify(answer.json));
      assert.match(String(answer.json.message), message, JSON.stringify(answer.json));
    }
    assert.deepEqual((await status("pitr-bad"))?.PointInTimeRecoveryDescription, { PointInTimeRecoveryStatus: "DISABLED" }, "no refused request changed the setting");
    const restore = await raw("RestoreTableToPointInTime", { SourceTableName: "pitr-bad", TargetTableName: "pitr-restored", UseLatestRestorableTime: true });
    assert.equal(restore.json.__type, "UnknownOperationException");
  });

  it("CreateTable and UpdateTable keep the table class, encryption at rest, on-demand ceilings and warm throughput, and DescribeTable shows them (SDK v3 and boto3)", async () => {
    await sdk().send(new CreateTableCommand({
      TableName: "settings", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      TableClass: "STANDARD_INFREQUENT_ACCESS", SSESpecification: { Enabled: true, SSEType: "KMS", KMSMasterKeyId: "alias/app" }, OnDemandThroughput: { MaxReadRequestUnits: 100, MaxWriteRequestUnits: 50 },
      WarmThroughput: { ReadUnitsPerSecond: 15_000, WriteUnitsPerSecond: 5_000 },
    }));
    const created = (await sdk().send(new DescribeTableCommand({ TableName: "settings" }))).Table;
    assert.equal(created?.TableClassSummary?.TableClass, "STANDARD_INFREQUENT_ACCESS");
    assert.ok(created?.TableClassSummary?.LastUpdateDateTime instanceof Date);
    assert.deepEqual(created?.SSEDescription, { Status: "ENABLED", SSEType: "KMS", KMSMasterKeyArn: "arn:aws:kms:us-east-1:000000000000:alias/app" });
    assert.deepEqual(created?.OnDemandThroughput, { MaxReadRequestUnits: 100, MaxWriteRequestUnits: 50 });
    assert.deepEqual(created?.WarmThroughput, { ReadUnitsPerSecond: 15_000, WriteUnitsPerSecond: 5_000, Status: "ACTIVE" });

    const updated = await sdk().send(new UpdateTableCommand({ TableName: "settings", TableClass: "STANDARD", SSESpecification: { Enabled: false }, OnDemandThroughput: { MaxReadRequestUnits: 200 } }));
    assert.equal(updated.TableDescription?.TableClassSummary?.TableClass, "STANDARD");
    assert.equal(updated.TableDescription?.SSEDescription, undefined, "encryption with AWS's own key is described by no SSEDescription");
    assert.deepEqual(updated.TableDescription?.OnDemandThroughput, { MaxReadRequestUnits: 200, MaxWriteRequestUnits: 50 }, "a ceiling left out keeps its value");
    // An UpdateTable about something else leaves the settings as they are.
    await sdk().send(new UpdateTableCommand({ TableName: "settings", DeletionProtectionEnabled: false }));
    assert.equal((await sdk().send(new DescribeTableCommand({ TableName: "settings" }))).Table?.TableClassSummary?.TableClass, "STANDARD");

    const refused = await raw("UpdateTable", { TableName: "settings", TableClass: "GLACIER" });
    assert.equal(refused.json.__type, "ValidationException");
    assert.match(String(refused.json.message), /tableClass.*enum value set/);
    const globalTable = await raw("CreateTable", {
      TableName: "settings-replica", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      GlobalTableSourceArn: "arn:aws:dynamodb:eu-west-1:000000000000:table/settings",
    });
    assert.equal(globalTable.json.__type, "ValidationException", "a global table's replica is refused by name, not created as a plain table");
    assert.match(String(globalTable.json.message), /GlobalTableSourceArn/);
    // The model requires only TableName; a table without its key schema or attribute definitions is refused, not a 500
    // (the parser fuzzer's seed 1150890859 found the 500).
    const noKeys = await raw("CreateTable", { TableName: "settings-nokeys", BillingMode: "PAY_PER_REQUEST", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }] });
    assert.deepEqual([noKeys.status, noKeys.json.__type, noKeys.json.message], [400, "ValidationException", "1 validation error detected: Value null at 'keySchema' failed to satisfy constraint: Member must not be null"]);
    const nothing = await raw("CreateTable", { TableName: "settings-nokeys" });
    assert.equal(nothing.json.message, "2 validation errors detected: Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null; Value null at 'keySchema' failed to satisfy constraint: Member must not be null");
    const replicas = await raw("UpdateTable", { TableName: "settings", ReplicaUpdates: [{ Delete: { RegionName: "eu-west-1" } }] });
    assert.equal(replicas.json.__type, "ValidationException", "members Unkai does not keep are refused by name, not dropped");
    assert.match(String(replicas.json.message), /ReplicaUpdates/);

    await sdk().send(new DeleteTableCommand({ TableName: "settings" }));
    await createTable("settings");
    const fresh = (await sdk().send(new DescribeTableCommand({ TableName: "settings" }))).Table;
    assert.deepEqual([fresh?.TableClassSummary, fresh?.SSEDescription, fresh?.OnDemandThroughput, fresh?.WarmThroughput], [undefined, undefined, undefined, undefined], "a table created again starts without the old settings");

    const py = await runBoto3([
      "import boto3, json, sys",
      `db = boto3.client("dynamodb", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")`,
      `db.create_table(TableName="settings-py", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], TableClass="STANDARD_INFREQUENT_ACCESS", SSESpecification={"Enabled": True})`,
      `t = db.describe_table(TableName="settings-py")["Table"]`,
      `print(json.dumps({"class": t["TableClassSummary"]["TableClass"], "sse": t["SSEDescription"]}))`,
    ], [suite.unkai.url]);
    assert.deepEqual(py, { class: "STANDARD_INFREQUENT_ACCESS", sse: { Status: "ENABLED", SSEType: "KMS" } });
  });

  it("UpdateTable's GlobalSecondaryIndexUpdates Update changes an index's throughput settings; an unknown index is ResourceNotFoundException", async () => {
    await sdk().send(new CreateTableCommand({
      TableName: "gsi-throughput", BillingMode: "PROVISIONED", ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "g", AttributeType: "S" }],
      GlobalSecondaryIndexes: [{ IndexName: "byG", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" }, ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }],
    }));
    const updated = await sdk().send(new UpdateTableCommand({ TableName: "gsi-throughput", GlobalSecondaryIndexUpdates: [{ Update: { IndexName: "byG", ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 3 } } }] }));
    const index = updated.TableDescription?.GlobalSecondaryIndexes?.[0];
    assert.deepEqual([index?.ProvisionedThroughput?.ReadCapacityUnits, index?.ProvisionedThroughput?.WriteCapacityUnits], [7, 3]);
    assert.deepEqual(index?.KeySchema, [{ AttributeName: "g", KeyType: "HASH" }], "the rest of the index stays as it was");
    const described = (await sdk().send(new DescribeTableCommand({ TableName: "gsi-throughput" }))).Table?.GlobalSecondaryIndexes?.[0];
    assert.equal(described?.ProvisionedThroughput?.ReadCapacityUnits, 7);
    const missing = await raw("UpdateTable", { TableName: "gsi-throughput", GlobalSecondaryIndexUpdates: [{ Update: { IndexName: "nope", ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } } }] });
    assert.equal(missing.json.__type, "ResourceNotFoundException");
    assert.equal(missing.json.message, "Requested resource not found: Index: nope not found");
  });
});
