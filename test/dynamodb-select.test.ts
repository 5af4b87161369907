/**
 * Select and projections through secondary indexes, over HTTP: boto3 reads that DynamoDB refuses get its
 * messages (a Query's with "1 validation error detected: ", a Scan's bare), a GSI answers only what it
 * projects, and an LSI fetches from the table what it does not project (ALL_ATTRIBUTES, a projection,
 * a filter on an attribute it leaves out), with the SDK v3.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { CreateTableCommand, DynamoDBClient, PutItemCommand, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { runBoto3 } from "./helpers/boto3.js";
import { unkaiSuite } from "./helpers/suite.js";

const S = (s: string) => ({ S: s });

describe("DynamoDB Select through indexes", () => {
  const suite = unkaiSuite();
  let client: DynamoDBClient;
  const sdk = () => (client ??= new DynamoDBClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 }));

  before(async () => {
    // A table with a KEYS_ONLY GSI, an INCLUDE GSI and a KEYS_ONLY LSI, and two items in each index.
    await sdk().send(new CreateTableCommand({
      TableName: "sel",
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
      AttributeDefinitions: ["pk", "sk", "g", "l"].map((name) => ({ AttributeName: name, AttributeType: "S" as const })),
      GlobalSecondaryIndexes: [
        { IndexName: "keys", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } },
        { IndexName: "some", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["shown"] } },
      ],
      LocalSecondaryIndexes: [{ IndexName: "local", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "l", KeyType: "RANGE" }], Projection: { ProjectionType: "KEYS_ONLY" } }],
    }));
    for (const [sk, l, secret] of [["1", "b", "x"], ["2", "a", "y"]] as const) {
      await sdk().send(new PutItemCommand({ TableName: "sel", Item: { pk: S("p"), sk: S(sk), g: S("g"), l: S(l), shown: S(`shown-${sk}`), secret: S(secret) } }));
    }
  });

  it("boto3: refusals carry DynamoDB's messages, on Query and Scan alike", async () => {
    const out = (await runBoto3([
      "import boto3, json, sys",
      "from botocore.exceptions import ClientError",
      `db = boto3.client("dynamodb", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")`,
      "def read(op, index=None, **kw):",
      "    kw['TableName'] = 'sel'",
      "    if index: kw['IndexName'] = index",
      "    if op == 'query':",
      "        key = 'g' if index in ('keys', 'some') else 'pk'",
      "        value = {'S': 'g' if key == 'g' else 'p'}",
      "        if 'AttributesToGet' in kw:",
      "            kw['KeyConditions'] = {key: {'ComparisonOperator': 'EQ', 'AttributeValueList': [value]}}",
      "        else:",
      "            kw.update(KeyConditionExpression=key + ' = :k', ExpressionAttributeValues={':k': value})",
      "        return db.query(**kw)",
      "    return db.scan(**kw)",
      "def outcome(op, **kw):",
      "    try:",
      "        return read(op, **kw)['Count']",
      "    except ClientError as e:",
      "        return [e.response['Error']['Code'], e.response['Error']['Message']]",
      "cases = {}",
      "for op in ('query', 'scan'):",
      "    cases[op] = [",
      "        outcome(op, Select='SPECIFIC_ATTRIBUTES'),",
      "        outcome(op, Select='ALL_PROJECTED_ATTRIBUTES'),",
      "        outcome(op, index='keys', Select='ALL_PROJECTED_ATTRIBUTES'),",
      "        outcome(op, index='keys', Select='ALL_ATTRIBUTES'),",
      "        outcome(op, index='some', Select='ALL_ATTRIBUTES'),",
      "        outcome(op, index='local', Select='ALL_ATTRIBUTES'),",
      "        outcome(op, index='keys', Select='COUNT', ProjectionExpression='g'),",
      "        outcome(op, index='keys', Select='ALL_PROJECTED_ATTRIBUTES', AttributesToGet=['g']),",
      "        outcome(op, Select='ALL_ATTRIBUTES', ProjectionExpression='pk'),",
      "        outcome(op, Select='EVERYTHING'),",
      "    ]",
      "print(json.dumps(cases))",
    ], [suite.unkai.url])) as Record<string, unknown[]>;
    const v = (message: string) => ["ValidationException", message];
    for (const [op, prefix] of [["query", "1 validation error detected: "], ["scan", ""]] as const) {
      const gsi = (index: string) => v(`One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index ${index} because its projection type is not ALL`);
      assert.deepEqual(out[op], [
        v(`${prefix}Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES`),
        v(`${prefix}ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName`),
        2,
        gsi("keys"),
        gsi("some"),
        2,
        v(`${prefix}Cannot specify the ProjectionExpression when choosing to get only the Count`),
        v(`${prefix}Cannot specify the AttributesToGet when choosing to get ALL_PROJECTED_ATTRIBUTES`),
        v(`${prefix}Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES`),
        // The allowed values in the order DynamoDB lists them (AWS-verified), not the model's.
        v("1 validation error detected: Value 'EVERYTHING' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"),
      ], op);
    }
  });

  it("SDK v3: a GSI answers what it projects; an LSI fetches the rest from the table for ALL_ATTRIBUTES, a projection and a filter", async () => {
    const names = (items: Record<string, unknown>[] | undefined) => (items ?? []).map((item) => Object.keys(item).sort());
    const byG = { TableName: "sel", KeyConditionExpression: "g = :g", ExpressionAttributeValues: { ":g": S("g") } };
    assert.deepEqual(names((await sdk().send(new QueryCommand({ ...byG, IndexName: "keys" }))).Items), [["g", "pk", "sk"], ["g", "pk", "sk"]]);
    assert.deepEqual(names((await sdk().send(new QueryCommand({ ...byG, IndexName: "some" }))).Items), [["g", "pk", "shown", "sk"], ["g", "pk", "shown", "sk"]]);
    const some = await sdk().send(new QueryCommand({ ...byG, IndexName: "some", ProjectionExpression: "pk, secret" }));
    assert.deepEqual(names(some.Items), [["pk"], ["pk"]], "a GSI cannot fetch what it does not project");
    const gsiFiltered = await sdk().send(new QueryCommand({ ...byG, IndexName: "some", FilterExpression: "secret = :s", ExpressionAttributeValues: { ":g": S("g"), ":s": S("x") } }));
    assert.deepEqual([gsiFiltered.Count, gsiFiltered.ScannedCount], [0, 2], "a GSI's filter sees only its projection");

    const byPk = { TableName: "sel", IndexName: "local", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": S("p") } };
    const projected = await sdk().send(new QueryCommand(byPk));
    assert.deepEqual(names(projected.Items), [["l", "pk", "sk"], ["l", "pk", "sk"]]);
    assert.deepEqual(projected.Items?.map((item) => item.l?.S), ["a", "b"], "in the LSI's order");
    assert.deepEqual(names((await sdk().send(new QueryCommand({ ...byPk, Select: "ALL_ATTRIBUTES" }))).Items), [["g", "l", "pk", "secret", "shown", "sk"], ["g", "l", "pk", "secret", "shown", "sk"]]);
    const fetched = await sdk().send(new QueryCommand({ ...byPk, ProjectionExpression: "sk, secret" }));
    assert.deepEqual(fetched.Items, [{ sk: S("2"), secret: S("y") }, { sk: S("1"), secret: S("x") }]);
    const filtered = await sdk().send(new QueryCommand({ ...byPk, FilterExpression: "secret = :s", ExpressionAttributeValues: { ":p": S("p"), ":s": S("x") } }));
    assert.deepEqual([filtered.Count, filtered.ScannedCount, names(filtered.Items)], [1, 2, [["l", "pk", "sk"]]], "the filter reads the fetched item; the answer is still the projection");
    const scanned = await sdk().send(new ScanCommand({ TableName: "sel", IndexName: "local", Select: "ALL_ATTRIBUTES", Limit: 1 }));
    assert.deepEqual([scanned.Items?.[0]?.secret, scanned.LastEvaluatedKey], [S("y"), { pk: S("p"), sk: S("2"), l: S("a") }]);
  });
});
