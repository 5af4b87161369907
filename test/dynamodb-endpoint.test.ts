/**
 * DynamoDB's own endpoint served by worker processes (`--dynamodb-workers`, `--dynamodb-port`): real
 * clients on it and on the main port see one store; writes from every process at once lose nothing;
 * stream records and shard iterators cross processes; IAM is enforced there (and follows changes made
 * through the main process); a killed worker is replaced, hostile requests get DynamoDB's errors, and
 * no worker outlives the main process.
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, it } from "node:test";
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ResourceInUseException,
  DeleteTableCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, DescribeStreamCommand } from "@aws-sdk/client-dynamodb-streams";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { aws, createFromFixture, DEFAULT_CREDENTIALS, signedFetch } from "./helpers/clients.js";
import { failure } from "./helpers/outcome.js";
import { runBoto3 } from "./helpers/boto3.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";
import { client, createTable, endpointOf, workerPids } from "./helpers/dynamodb-endpoint.js";

const TARGET = "DynamoDB_20120810";

describe("DynamoDB endpoint with worker processes", () => {
  const suite = unkaiSuite({ UNKAI_DYNAMODB_WORKERS: "2", UNKAI_DYNAMODB_PORT: "0" });
  const endpoint = () => endpointOf(suite.unkai.stdout());

  it("opens its own port served by two workers; SDK, DocumentClient, boto3 and the CLI there see the main port's store and it theirs", async () => {
    assert.match(suite.unkai.stdout(), /\(2 worker processes\)/);
    assert.equal((await workerPids(suite.unkai.process.pid ?? 0)).length, 2);
    const onEndpoint = client(endpoint());
    const onMain = client(suite.unkai.url);
    // CreateTable runs in the main process (the control plane): its typed errors come back through the worker.
    await createTable(onEndpoint, "shared");
    const again = await failure(onEndpoint.send(new CreateTableCommand({ TableName: "shared", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }] })));
    assert.equal(again.name, ResourceInUseException.name);
    assert.match(again.message, /shared/);
    const described = await onEndpoint.send(new DescribeTableCommand({ TableName: "shared" }));
    assert.ok(described.Table?.CreationDateTime instanceof Date, "a forwarded output keeps its timestamps");

    await onEndpoint.send(new PutItemCommand({ TableName: "shared", Item: { pk: { S: "a" }, sk: { N: "1" }, bin: { B: new Uint8Array([0, 1, 255]) } } }));
    const fromMain = await onMain.send(new GetItemCommand({ TableName: "shared", Key: { pk: { S: "a" }, sk: { N: "1" } }, ConsistentRead: true }));
    assert.deepEqual(fromMain.Item?.bin?.B, new Uint8Array([0, 1, 255]));
    await onMain.send(new PutItemCommand({ TableName: "shared", Item: { pk: { S: "a" }, sk: { N: "2" }, v: { S: "from main" } } }));
    const query = await onEndpoint.send(new QueryCommand({ TableName: "shared", KeyConditionExpression: "pk = :a", ExpressionAttributeValues: { ":a": { S: "a" } } }));
    assert.deepEqual(query.Items?.map((item) => item.sk?.N), ["1", "2"], "the worker reads what the main process just wrote");

    // A failed condition returns the old item, from whichever process ran it.
    const conditional = await failure(onEndpoint.send(new PutItemCommand({
      TableName: "shared", Item: { pk: { S: "a" }, sk: { N: "2" } }, ConditionExpression: "attribute_not_exists(pk)", ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    })));
    assert.equal(conditional.name, ConditionalCheckFailedException.name);
    assert.deepEqual((conditional as unknown as { Item?: Record<string, { S?: string }> }).Item?.v, { S: "from main" });

    const documents = DynamoDBDocumentClient.from(onEndpoint);
    await documents.send(new PutCommand({ TableName: "shared", Item: { pk: "doc", sk: 7, tags: new Set(["x", "y"]), nested: { n: 1.5 } } }));
    const doc = await documents.send(new GetCommand({ TableName: "shared", Key: { pk: "doc", sk: 7 } }));
    assert.deepEqual(doc.Item, { pk: "doc", sk: 7, tags: new Set(["x", "y"]), nested: { n: 1.5 } });

    const boto = await runBoto3([
      "import boto3, json, sys",
      "t = boto3.resource('dynamodb', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test').Table('shared')",
      "t.put_item(Item={'pk': 'boto', 'sk': 1, 'v': 'python'})",
      "print(json.dumps(t.get_item(Key={'pk': 'doc', 'sk': 7})['Item']['nested'], default=str))",
    ], [endpoint()]);
    assert.deepEqual(boto, { n: "1.5" });
    const cli = await aws(endpoint(), ["dynamodb", "get-item", "--table-name", "shared", "--key", JSON.stringify({ pk: { S: "boto" }, sk: { N: "1" } })]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual((JSON.parse(cli.stdout) as { Item: Record<string, unknown> }).Item.v, { S: "python" });
    const tables = await aws(endpoint(), ["dynamodb", "list-tables"]);
    assert.deepEqual((JSON.parse(tables.stdout) as { TableNames: string[] }).TableNames, ["shared"]);
    onEndpoint.destroy();
    onMain.destroy();
  });

  it("a table deleted, recreated with another key or given a stream through the endpoint is written through its new definition by every worker at once", async () => {
    // Separate connections: the endpoint spreads them over both workers, each of which may have cached the table.
    const writers = Array.from({ length: 4 }, () => client(endpoint()));
    const control = client(endpoint());
    await createTable(control, "reborn");
    for (const writer of writers) await writer.send(new PutItemCommand({ TableName: "reborn", Item: { pk: { S: "a" }, sk: { N: "1" } } }));
    await control.send(new DeleteTableCommand({ TableName: "reborn" }));
    for (const writer of writers) {
      const gone = await failure(writer.send(new PutItemCommand({ TableName: "reborn", Item: { pk: { S: "a" }, sk: { N: "1" } } })));
      assert.equal(gone.name, "ResourceNotFoundException", "no worker writes into a deleted table");
    }
    await control.send(new CreateTableCommand({
      TableName: "reborn", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
    }));
    await waitUntilTableExists({ client: control, maxWaitTime: 20, minDelay: 1 }, { TableName: "reborn" });
    for (const [i, writer] of writers.entries()) {
      const old = await failure(writer.send(new PutItemCommand({ TableName: "reborn", Item: { pk: { S: "a" }, sk: { N: "1" } } })));
      assert.equal(old.name, "ValidationException", "an item of the old key schema is refused");
      await writer.send(new PutItemCommand({ TableName: "reborn", Item: { id: { S: `n${i}` } } }));
    }
    await control.send(new UpdateTableCommand({ TableName: "reborn", StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } }));
    for (const [i, writer] of writers.entries()) await writer.send(new PutItemCommand({ TableName: "reborn", Item: { id: { S: `s${i}` } } }));
    const streamArn = (await control.send(new DescribeTableCommand({ TableName: "reborn" }))).Table?.LatestStreamArn;
    const streams = new DynamoDBStreamsClient({ endpoint: endpoint(), region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const shard = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards?.[0]?.ShardId;
    const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard, ShardIteratorType: "TRIM_HORIZON" }));
    const records = await streams.send(new GetRecordsCommand({ ShardIterator }));
    assert.deepEqual(records.Records?.map((record) => record.dynamodb?.Keys?.id?.S), ["s0", "s1", "s2", "s3"], "every worker wrote the stream records of the writes after UpdateTable");
    for (const one of [...writers, control]) one.destroy();
    streams.destroy();
  });

  it("loses no increment when both workers and the main process update one item at once", async () => {
    const ddb = client(endpoint());
    const main = client(suite.unkai.url);
    await createTable(ddb, "counters");
    // Many connections: the endpoint spreads them over both workers; a third of the writers use the main port.
    const writers = Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? main : client(endpoint())));
    let acknowledged = 0;
    await Promise.all(writers.map(async (writer) => {
      for (let i = 0; i < 40; i++) {
        await writer.send(new UpdateItemCommand({ TableName: "counters", Key: { pk: { S: "c" }, sk: { N: "0" } }, UpdateExpression: "ADD n :one", ExpressionAttributeValues: { ":one": { N: "1" } } }));
        acknowledged++;
      }
    }));
    const final = await main.send(new GetItemCommand({ TableName: "counters", Key: { pk: { S: "c" }, sk: { N: "0" } }, ConsistentRead: true }));
    assert.equal(acknowledged, 960);
    assert.equal(final.Item?.n?.N, "960");
    for (const writer of new Set(writers)) writer.destroy();
    ddb.destroy();
  });

  it("writes' stream records come in order whichever process wrote them, and shard iterators from one process work in another", async () => {
    const ddb = client(endpoint());
    const main = client(suite.unkai.url);
    await createTable(ddb, "streamed", true);
    for (let i = 1; i <= 30; i++) await (i % 2 === 0 ? main : ddb).send(new PutItemCommand({ TableName: "streamed", Item: { pk: { S: "k" }, sk: { N: "1" }, n: { N: String(i) } } }));
    const streamArn = (await ddb.send(new DescribeTableCommand({ TableName: "streamed" }))).Table?.LatestStreamArn;
    assert.ok(streamArn);
    const streamsAt = (url: string) => new DynamoDBStreamsClient({ endpoint: url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const workerStreams = streamsAt(endpoint());
    const mainStreams = streamsAt(suite.unkai.url);
    const shard = (await workerStreams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards?.[0]?.ShardId;
    const { ShardIterator } = await workerStreams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard, ShardIteratorType: "TRIM_HORIZON" }));
    const read = await mainStreams.send(new GetRecordsCommand({ ShardIterator }));
    assert.deepEqual(read.Records?.map((record) => record.dynamodb?.NewImage?.n?.N), Array.from({ length: 30 }, (_, i) => String(i + 1)));
    assert.equal(read.Records?.[1]?.dynamodb?.OldImage?.n?.N, "1");
    // And back: the main process's iterator read by a worker.
    const next = await workerStreams.send(new GetRecordsCommand({ ShardIterator: read.NextShardIterator }));
    assert.deepEqual(next.Records, []);
    workerStreams.destroy();
    mainStreams.destroy();
    ddb.destroy();
    main.destroy();
  });

  it("enforces IAM in the workers, follows a policy changed through the main port, and records their denials in the main process's decision log", async () => {
    const iam = new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await createTable(client(suite.unkai.url), "guarded");
    await iam.send(new CreateUserCommand({ UserName: "reader" }));
    const readOnly = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: "arn:aws:dynamodb:us-east-1:000000000000:table/guarded" }] };
    await iam.send(new PutUserPolicyCommand({ UserName: "reader", PolicyName: "p", PolicyDocument: JSON.stringify(readOnly) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "reader" }));
    const keys = { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
    const asReader = client(endpoint(), keys);
    const put = () => asReader.send(new PutItemCommand({ TableName: "guarded", Item: { pk: { S: "p" }, sk: { N: "1" } } }));
    const denied = await failure(put());
    assert.equal(denied.name, "AccessDeniedException");
    assert.match(denied.message, /user\/reader is not authorized to perform: dynamodb:PutItem/);
    await asReader.send(new GetItemCommand({ TableName: "guarded", Key: { pk: { S: "p" }, sk: { N: "1" } } }));
    // The workers cache what IAM says for at most --iam-cluster-staleness-ms (1 s): a new grant works soon after.
    await iam.send(new PutUserPolicyCommand({ UserName: "reader", PolicyName: "p", PolicyDocument: JSON.stringify({ ...readOnly, Statement: [{ ...readOnly.Statement[0], Action: ["dynamodb:GetItem", "dynamodb:PutItem"] }] }) }));
    await waitFor("the workers to see the new policy", async () => {
      try {
        await put();
        return true;
      } catch {
        return undefined;
      }
    }, 5_000);
    const logs = new CloudWatchLogsClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const decision = await waitFor("the worker's denial in the decision log", async () => {
      const { events } = await logs.send(new FilterLogEventsCommand({ logGroupName: "/unkai/iam/decisions", filterPattern: '"dynamodb:PutItem"' }));
      return events?.find((event) => event.message?.includes("user/reader"));
    });
    assert.match(decision.message ?? "", /guarded/);
    asReader.destroy();
    iam.destroy();
    logs.destroy();
  });

  it("points functions' DynamoDB calls at the workers (AWS_ENDPOINT_URL_DYNAMODB, relayed into their sandbox), signed with their own session", async () => {
    await createTable(client(suite.unkai.url), "fromfunctions");
    await createFromFixture(suite.client, "probe", "dynamodb-endpoint-probe", { Handler: "index.handler", Timeout: 20 });
    const { Payload, FunctionError } = await suite.client.send(new InvokeCommand({ FunctionName: "probe", Payload: JSON.stringify({ table: "fromfunctions", pk: "f1" }) }));
    const result = JSON.parse(Buffer.from(Payload ?? new Uint8Array()).toString()) as { endpoint: string | null; from: string | null; errorMessage?: string };
    assert.equal(FunctionError, undefined, result.errorMessage);
    assert.equal(result.endpoint, endpoint());
    assert.equal(result.from, "function");
    const written = await client(suite.unkai.url).send(new GetItemCommand({ TableName: "fromfunctions", Key: { pk: { S: "f1" }, sk: { N: "1" } } }));
    assert.equal(written.Item?.from?.S, "function");
  });

  it("answers hostile and foreign requests as the main port does, with DynamoDB's errors, never a 500, and refuses a foreign Host", async () => {
    const url = endpoint();
    // A client that never finishes its headers is answered 408 and cut off after the headers timeout (10 s), as on the main port.
    const slow = connect(Number(new URL(url).port), "127.0.0.1");
    slow.write("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n");
    let slowAnswer = "";
    slow.on("data", (chunk: Buffer) => (slowAnswer += chunk.toString()));
    const slowClosed = new Promise<void>((resolve) => slow.once("close", () => resolve()));
    const post = (at: string, target: string, body: string) =>
      signedFetch(at, { method: "POST", service: "dynamodb", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": target }, body });
    const hostile: [string, string][] = [
      [`${TARGET}.PutItem`, "{not json"],
      [`${TARGET}.Frobnicate`, "{}"],
      [`${TARGET}.PutItem`, JSON.stringify({ TableName: "x", Item: { pk: { S: 5 } } })],
      [`${TARGET}.PutItem`, JSON.stringify({ TableName: "nosuchtable", Item: { pk: { S: "a" } } })],
      [`${TARGET}.GetItem`, JSON.stringify({ TableName: "shared", Key: { pk: { S: "a" } } })],
      [`${TARGET}.UpdateItem`, JSON.stringify({ TableName: "shared", Key: { pk: { S: "a" }, sk: { N: "1" } }, UpdateExpression: "SET #a = :v" })],
      [`${TARGET}.CreateTable`, JSON.stringify({ TableName: "t" })],
      [`${TARGET}.BatchWriteItem`, JSON.stringify({ RequestItems: { shared: Array.from({ length: 26 }, (_, i) => ({ PutRequest: { Item: { pk: { S: String(i) }, sk: { N: "1" } } } })) } })],
      [`${TARGET}.PutItem`, JSON.stringify({ TableName: "shared", Item: { pk: { S: "big" }, sk: { N: "1" }, v: { S: "x".repeat(410_000) } } })],
      ["DynamoDBStreams_20120810.GetRecords", JSON.stringify({ ShardIterator: "forged.iterator" })],
    ];
    for (const [target, body] of hostile) {
      const [there, here] = await Promise.all([post(url, target, body), post(suite.unkai.url, target, body)]);
      const [thereBody, hereBody] = [(await there.json()) as { __type?: string; message?: string }, (await here.json()) as { __type?: string; message?: string }];
      assert.ok(there.status >= 400 && there.status < 500, `${target} ${body.slice(0, 60)}: ${there.status}`);
      assert.deepEqual([there.status, thereBody], [here.status, hereBody], `${target} ${body.slice(0, 60)} is answered as on the main port`);
    }
    const s3 = await signedFetch(`${url}/`, { service: "s3" });
    assert.equal(s3.status, 404, "an S3 request is no DynamoDB request: not found, not a 500");
    const rebinding = await fetch(url, { method: "POST", headers: { host: "evil.example", "content-type": "application/x-amz-json-1.0", "x-amz-target": `${TARGET}.ListTables` }, body: "{}" });
    assert.equal(rebinding.status, 403, "the front door's Host check holds on this port too");
    const unsigned = await fetch(url, { method: "POST", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `${TARGET}.ListTables` }, body: "{}" });
    assert.equal(unsigned.status, 403);
    assert.equal(((await unsigned.json()) as { __type: string }).__type, "MissingAuthenticationTokenException");
    await slowClosed;
    assert.match(slowAnswer, /^HTTP\/1\.1 408/);
  });

  it("replaces a killed worker and keeps serving, losing no acknowledged write", async () => {
    const ddb = client(endpoint());
    await createTable(ddb, "survivor");
    const before = await workerPids(suite.unkai.process.pid ?? 0);
    assert.equal(before.length, 2);
    const acknowledged: [string, string][] = [];
    let stop = false;
    const writers = Array.from({ length: 6 }, async (_, w) => {
      const writer = client(endpoint());
      for (let n = 0; !stop; n++) {
        try {
          await writer.send(new PutItemCommand({ TableName: "survivor", Item: { pk: { S: `w${w}` }, sk: { N: String(n) } } }));
          acknowledged.push([`w${w}`, String(n)]);
        } catch {
          // a request on the killed worker's connection fails; the client goes on on a new one
        }
      }
      writer.destroy();
    });
    await waitFor("some writes", () => (acknowledged.length > 50 ? true : undefined));
    process.kill(before[0] ?? 0, "SIGKILL");
    await waitFor("a new worker", async () => {
      const now = await workerPids(suite.unkai.process.pid ?? 0);
      return now.length === 2 && !now.includes(before[0] ?? 0) ? now : undefined;
    }, 10_000);
    const atReplacement = acknowledged.length;
    await waitFor("writes after the replacement", () => (acknowledged.length > atReplacement + 50 ? true : undefined));
    stop = true;
    await Promise.all(writers);
    for (const [pk, sk] of acknowledged) {
      const got = await ddb.send(new GetItemCommand({ TableName: "survivor", Key: { pk: { S: pk }, sk: { N: sk } } }));
      assert.ok(got.Item, `acknowledged item ${pk}/${sk} is there`);
    }
    ddb.destroy();
  });
});
