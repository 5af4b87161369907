/**
 * DynamoDB PartiQL (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction) against a real Unkai
 * with the SDK v3, lib-dynamodb, boto3 and the AWS CLI v2: every statement kind, parameters, paging, each
 * error, a stream record written by an INSERT, and the PartiQL IAM actions under `--iam enforce`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BatchExecuteStatementCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DuplicateItemException,
  DynamoDBClient,
  ExecuteStatementCommand,
  ExecuteTransactionCommand,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  type AttributeValue,
  type ExecuteStatementCommandOutput,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient, DescribeStreamCommand as DescribeStreamsCommand, GetRecordsCommand as GetStreamRecordsCommand, GetShardIteratorCommand as GetStreamIteratorCommand } from "@aws-sdk/client-dynamodb-streams";
import { DynamoDBDocumentClient, ExecuteStatementCommand as DocExecuteStatementCommand } from "@aws-sdk/lib-dynamodb";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { runBoto3 } from "./helpers/boto3.js";
import { Mutator, prng } from "./helpers/fuzz.js";
import { unkaiSuite } from "./helpers/suite.js";
import type { Keys } from "./helpers/outcome.js";


describe("DynamoDB PartiQL", () => {
  // Enforced IAM: the account's own keys (DEFAULT_CREDENTIALS) may do everything, a user only what its policy says.
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  const clients = new Map<string, DynamoDBClient>();
  const db = (keys: Keys = DEFAULT_CREDENTIALS) => {
    let client = clients.get(keys.accessKeyId);
    if (client === undefined) clients.set(keys.accessKeyId, (client = new DynamoDBClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: keys, maxAttempts: 1 })));
    return client;
  };
  const run = (Statement: string, Parameters?: AttributeValue[], more: Partial<ConstructorParameters<typeof ExecuteStatementCommand>[0]> = {}) => db().send(new ExecuteStatementCommand({ Statement, Parameters, ...more }));
  const failure = (promise: Promise<unknown>) => promise.then(() => assert.fail("expected an error"), (error: unknown) => error as Error & { name: string });

  async function createTable(name: string, options: { sort?: "S" | "N"; gsi?: boolean; stream?: boolean } = {}): Promise<string | undefined> {
    const out = await db().send(new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, ...(options.sort ? [{ AttributeName: "sk", KeyType: "RANGE" as const }] : [])],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        ...(options.sort ? [{ AttributeName: "sk", AttributeType: options.sort }] : []),
        ...(options.gsi ? [{ AttributeName: "colour", AttributeType: "S" as const }] : []),
      ],
      ...(options.gsi ? { GlobalSecondaryIndexes: [{ IndexName: "by-colour", KeySchema: [{ AttributeName: "colour", KeyType: "HASH" as const }], Projection: { ProjectionType: "ALL" as const } }] } : {}),
      ...(options.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" as const } } : {}),
      BillingMode: "PAY_PER_REQUEST",
    }));
    return out.TableDescription?.LatestStreamArn;
  }

  it("INSERT, SELECT (Query by key, Scan with functions, projection of nested paths, index), UPDATE … RETURNING, DELETE, with ? parameters", async () => {
    await createTable("music", { sort: "N", gsi: true });
    await run(`INSERT INTO "music" VALUE {'pk': 'band', 'sk': 1, 'title': 'It''s one', 'tags': <<'a', 'b'>>, 'meta': {'plays': 10, 'charts': ['uk', 'us']}, 'colour': 'red', 'live': true, 'notes': null}`);
    await run(`INSERT INTO music VALUE {'pk': ?, 'sk': ?, 'title': ?, 'colour': 'blue', 'nums': <<1, 2.50>>}`, [{ S: "band" }, { N: "2" }, { S: "Two" }]);
    await run(`INSERT INTO "music" VALUE {'pk': 'solo', 'sk': 1, 'title': 'Alone', 'meta': {'plays': 3}}`);
    const stored = await db().send(new GetItemCommand({ TableName: "music", Key: { pk: { S: "band" }, sk: { N: "1" } } }));
    assert.deepEqual(stored.Item, {
      pk: { S: "band" }, sk: { N: "1" }, title: { S: "It's one" }, tags: { SS: ["a", "b"] }, colour: { S: "red" }, live: { BOOL: true }, notes: { NULL: true },
      meta: { M: { plays: { N: "10" }, charts: { L: [{ S: "uk" }, { S: "us" }] } } },
    });
    assert.deepEqual((await db().send(new GetItemCommand({ TableName: "music", Key: { pk: { S: "band" }, sk: { N: "2" } } }))).Item?.nums, { NS: ["1", "2.5"] });

    const query = await run(`SELECT title, meta.charts[1] FROM "music" WHERE pk = ? AND sk >= 1`, [{ S: "band" }]);
    assert.deepEqual(query.Items, [{ title: { S: "It's one" }, meta: { M: { charts: { L: [{ S: "us" }] } } } }, { title: { S: "Two" } }]);
    const titles = async (where: string, parameters?: AttributeValue[]) => ((await run(`SELECT * FROM "music" WHERE ${where}`, parameters)).Items ?? []).map((i) => i.title?.S).sort();
    assert.deepEqual(await titles("pk IN ('band', 'solo') AND sk = 1"), ["Alone", "It's one"]);
    assert.deepEqual(await titles("begins_with(title, 'It') OR contains(tags, 'zz')"), ["It's one"]);
    assert.deepEqual(await titles("meta.plays BETWEEN 2 AND 5"), ["Alone"]);
    assert.deepEqual(await titles("colour IS MISSING"), ["Alone"]);
    assert.deepEqual(await titles("colour IS NOT MISSING AND NOT live = true"), ["Two"]);
    assert.deepEqual(await titles("attribute_exists(notes) AND size(meta.charts) = 2"), ["It's one"]);
    assert.deepEqual(await titles("attribute_not_exists(meta) AND sk <> 1"), ["Two"]);
    assert.deepEqual(await titles(`"meta"."plays" > ?`, [{ N: "5" }]), ["It's one"]);
    assert.deepEqual(await titles("notes IS NULL"), ["It's one"]);
    const byIndex = await run(`SELECT pk, sk FROM "music"."by-colour" WHERE colour = 'blue'`);
    assert.deepEqual(byIndex.Items, [{ pk: { S: "band" }, sk: { N: "2" } }]);

    const updated = await run(`UPDATE "music" SET meta.plays = meta.plays + 5 SET tags = set_add(tags, <<'c'>>) REMOVE notes WHERE pk = 'band' AND sk = 1 RETURNING MODIFIED NEW *`);
    assert.deepEqual(updated.Items, [{ meta: { M: { plays: { N: "15" } } }, tags: { SS: ["a", "b", "c"] } }]);
    const allOld = await run(`UPDATE "music" SET title = list_append(['x'], ['y']) WHERE pk = 'solo' AND sk = 1 AND meta.plays = 3 RETURNING ALL OLD *`);
    assert.equal(allOld.Items?.[0]?.title?.S, "Alone");
    const plain = await run(`UPDATE "music" SET colour = 'green' WHERE pk = 'solo' AND sk = 1`);
    assert.deepEqual(plain.Items, []);
    const deleted = await run(`DELETE FROM "music" WHERE pk = 'solo' AND sk = 1 RETURNING ALL OLD *`);
    assert.deepEqual(deleted.Items?.[0]?.title, { L: [{ S: "x" }, { S: "y" }] });
    assert.deepEqual((await run(`DELETE FROM "music" WHERE pk = 'solo' AND sk = 1 AND title = 'x'`)).Items, [], "deleting a missing item is a no-op, its extra condition unchecked");
    assert.equal((await db().send(new DescribeTableCommand({ TableName: "music" }))).Table?.ItemCount, 2);
  });

  it("the write errors: DuplicateItemException, ConditionalCheckFailedException (with the old item), missing key, and DynamoDB's statement validation", async () => {
    await createTable("errs", { sort: "S" });
    await run(`INSERT INTO "errs" VALUE {'pk': 'a', 'sk': 'b', 'n': 1}`);
    const duplicate = await failure(run(`INSERT INTO "errs" VALUE {'pk': 'a', 'sk': 'b', 'n': 2}`));
    assert.ok(duplicate instanceof DuplicateItemException, String(duplicate));
    assert.equal(duplicate.message, "Duplicate primary key exists in table");

    const failed = await failure(run(`UPDATE "errs" SET n = 5 WHERE pk = 'a' AND sk = 'b' AND n = 9`, undefined, { ReturnValuesOnConditionCheckFailure: "ALL_OLD" }));
    assert.ok(failed instanceof ConditionalCheckFailedException, String(failed));
    assert.equal(failed.message, "The conditional request failed");
    assert.deepEqual(failed.Item?.n, { N: "1" });
    assert.ok((await failure(run(`UPDATE "errs" SET n = 5 WHERE pk = 'nobody' AND sk = 'b'`))) instanceof ConditionalCheckFailedException, "UPDATE never creates an item");
    assert.ok((await failure(run(`DELETE FROM "errs" WHERE pk = 'a' AND sk = 'b' AND n > 1`))) instanceof ConditionalCheckFailedException);
    assert.equal((await db().send(new GetItemCommand({ TableName: "errs", Key: { pk: { S: "a" }, sk: { S: "b" } } }))).Item?.n?.N, "1", "a failed write leaves the item");

    const cases: [string, AttributeValue[] | undefined, string, string][] = [
      [`DELETE FROM "errs" WHERE pk = 'a'`, undefined, "ValidationException", "Where clause does not contain a mandatory equality on all key attributes"],
      [`UPDATE "errs" SET n = 1 WHERE pk = 'a' OR sk = 'b'`, undefined, "ValidationException", "Where clause does not contain a mandatory equality on all key attributes"],
      [`UPDATE "errs" SET n = 1 WHERE pk = 'a' AND sk = 5`, undefined, "ValidationException", "Key attribute's data type should match its data type in table's schema: Key sk"],
      [`SELECT * FROM "errs" WHERE pk = ?`, undefined, "ValidationException", "Number of parameters in request and statement don't match."],
      [`CREATE TABLE x`, undefined, "ValidationException", "Statement wasn't well formed, can't be processed: Expected data manipulation"],
      [`SELECT * FROM "errs" WHERE`, undefined, "ValidationException", "Statement wasn't well formed, can't be processed: Unexpected end of statement"],
      [`SELECT * FROM "errs" WHERE pk =`, undefined, "ValidationException", "Statement wasn't well formed, can't be processed: Unexpected end of statement"],
      [`SELECT * FROM "errs" WHERE pk = SELECT`, undefined, "ValidationException", "Statement wasn't well formed, can't be processed: Unexpected keyword: SELECT"],
      [`SELECT * FROM "errs" WHERE pk = 'unterminated`, undefined, "ValidationException", "Statement wasn't well formed, can't be processed: Unterminated string literal"],
      [`SELECT a, * FROM "errs"`, undefined, "ValidationException", "Other attributes should not be present in the projection when '*' is used."],
      [`INSERT INTO "errs" VALUE 'x'`, undefined, "ValidationException", "Unsupported format in item expression. Please use struct format {...} to express item values for insert statement."],
      [`INSERT INTO "errs" VALUE {'pk': 'a'}`, undefined, "ValidationException", "One or more parameter values were invalid: Missing the key sk in the item"],
      [`INSERT INTO "errs" VALUE {'pk': 'a', 'sk': 'c', 's': <<'x', 1>>}`, undefined, "ValidationException", "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"],
      [`DELETE FROM "errs" WHERE pk = 'a' AND sk = 'b' RETURNING ALL NEW *`, undefined, "ValidationException", "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE statements."],
      [`SELECT * FROM "errs" WHERE a IS MISSING AND b = MISSING`, undefined, "ValidationException", "MISSING must be compared using IS operator"],
      [`SELECT * FROM "nope"`, undefined, "ResourceNotFoundException", "Requested resource not found"],
      [`SELECT * FROM "errs"."nope"`, undefined, "ValidationException", "The table does not have the specified index"], // PartiQL names no index (AWS-verified)
    ];
    for (const [statement, parameters, name, message] of cases) {
      const error = await failure(run(statement, parameters));
      assert.deepEqual({ name: error.name, message: error.message }, { name, message }, statement);
    }
  });

  it("paging: a Scan and an IN Query page by Limit with NextToken, a NextToken only continues its own statement, ORDER BY … DESC", async () => {
    await createTable("pages", { sort: "N" });
    for (const pk of ["p", "q"]) for (let sk = 0; sk < 5; sk++) await db().send(new PutItemCommand({ TableName: "pages", Item: { pk: { S: pk }, sk: { N: String(sk) } } }));
    const all = async (statement: string, limit: number) => {
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page: ExecuteStatementCommandOutput = await run(statement, undefined, { Limit: limit, NextToken: token });
        seen.push(...(page.Items ?? []).map((i) => `${i.pk?.S}${i.sk?.N}`));
        token = page.NextToken;
        pages++;
      } while (token !== undefined);
      return { seen, pages };
    };
    const scanned = await all(`SELECT * FROM "pages" WHERE sk <> 2`, 3);
    assert.deepEqual(scanned.seen.sort(), ["p0", "p1", "p3", "p4", "q0", "q1", "q3", "q4"]);
    assert.ok(scanned.pages >= 4, `Limit counts evaluated items (${scanned.pages} pages)`);
    const queried = await all(`SELECT * FROM "pages" WHERE pk IN ('q', 'p') AND sk < 4`, 3);
    assert.deepEqual(queried.seen, ["q0", "q1", "q2", "q3", "p0", "p1", "p2", "p3"], "one Query per partition, in the order written");
    const first = await run(`SELECT * FROM "pages" WHERE pk = 'p'`, undefined, { Limit: 2 });
    assert.deepEqual(first.LastEvaluatedKey, { pk: { S: "p" }, sk: { N: "1" } });
    const other = await failure(run(`SELECT * FROM "pages" WHERE pk = 'q'`, undefined, { NextToken: first.NextToken }));
    assert.deepEqual({ name: other.name, message: other.message }, { name: "ValidationException", message: "NextToken does not match request" });
    const garbage = await failure(run(`SELECT * FROM "pages"`, undefined, { NextToken: "not a token" }));
    assert.equal(garbage.message, "Invalid NextToken");

    const descending = await run(`SELECT sk FROM "pages" WHERE pk = 'p' ORDER BY sk DESC`, undefined, { Limit: 3 });
    assert.deepEqual(descending.Items?.map((i) => i.sk?.N), ["4", "3", "2"]);
    const rest = await run(`SELECT sk FROM "pages" WHERE pk = 'p' ORDER BY sk DESC`, undefined, { NextToken: descending.NextToken });
    assert.deepEqual(rest.Items?.map((i) => i.sk?.N), ["1", "0"]);
    assert.equal((await failure(run(`SELECT * FROM "pages" WHERE sk = 1 ORDER BY sk`))).message, "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.");
    assert.equal((await failure(run(`SELECT * FROM "pages" WHERE pk = 'p' ORDER BY other`))).message, "Variable reference other in ORDER BY clause must be part of the primary key");
  });

  it("BatchExecuteStatement: each statement answers on its own (item, DuplicateItem, ConditionalCheckFailed, ValidationError); reads and writes do not mix; at most 25", async () => {
    await createTable("batch");
    await run(`INSERT INTO "batch" VALUE {'pk': 'x', 'n': 1}`);
    const writes = await db().send(new BatchExecuteStatementCommand({
      Statements: [
        { Statement: `INSERT INTO "batch" VALUE {'pk': ?, 'n': 2}`, Parameters: [{ S: "y" }] },
        { Statement: `INSERT INTO "batch" VALUE {'pk': 'x'}` },
        { Statement: `UPDATE "batch" SET n = 3 WHERE pk = 'x' AND n = 7`, ReturnValuesOnConditionCheckFailure: "ALL_OLD" },
        { Statement: `DELETE FROM "batch" WHERE n = 1` },
        { Statement: `UPDATE "batch" SET n = ? WHERE pk = 'x'` },
      ],
    }));
    assert.deepEqual(writes.Responses, [
      { TableName: "batch" },
      { TableName: "batch", Error: { Code: "DuplicateItem", Message: "Duplicate primary key exists in table" } },
      { TableName: "batch", Error: { Code: "ConditionalCheckFailed", Message: "The conditional request failed", Item: { pk: { S: "x" }, n: { N: "1" } } } },
      { TableName: "batch", Error: { Code: "ValidationError", Message: "Where clause does not contain a mandatory equality on all key attributes" } },
      { Error: { Code: "ValidationError", Message: "Number of parameters in request and statement don't match." } },
    ]);
    const reads = await db().send(new BatchExecuteStatementCommand({
      Statements: [
        { Statement: `SELECT n FROM "batch" WHERE pk = 'y'` },
        { Statement: `SELECT * FROM "batch" WHERE pk = 'absent'` },
        { Statement: `SELECT * FROM "batch" WHERE n = 1` },
      ],
    }));
    assert.deepEqual(reads.Responses, [
      { TableName: "batch", Item: { n: { N: "2" } } },
      { TableName: "batch" },
      { TableName: "batch", Error: { Code: "ValidationError", Message: "Where clause does not contain a mandatory equality on all key attributes" } },
    ]);
    const mixed = await failure(db().send(new BatchExecuteStatementCommand({ Statements: [{ Statement: `SELECT * FROM "batch" WHERE pk = 'y'` }, { Statement: `DELETE FROM "batch" WHERE pk = 'y'` }] })));
    assert.equal(mixed.name, "ValidationException");
    const many = await failure(db().send(new BatchExecuteStatementCommand({ Statements: Array.from({ length: 26 }, () => ({ Statement: `SELECT * FROM "batch" WHERE pk = 'y'` })) })));
    assert.equal(many.name, "ValidationException");
    assert.ok((await db().send(new GetItemCommand({ TableName: "batch", Key: { pk: { S: "y" } } }))).Item, "the refused mixed batch deleted nothing");
  });

  it("ExecuteTransaction: all-or-nothing writes with reasons in order, EXISTS condition checks, a read transaction, and ClientRequestToken idempotency", async () => {
    await createTable("txn");
    await run(`INSERT INTO "txn" VALUE {'pk': 'a', 'n': 1}`);
    const cancelled = await failure(db().send(new ExecuteTransactionCommand({
      TransactStatements: [
        { Statement: `INSERT INTO "txn" VALUE {'pk': 'b', 'n': 1}` },
        { Statement: `INSERT INTO "txn" VALUE {'pk': 'a', 'n': 2}` },
        { Statement: `UPDATE "txn" SET n = 9 WHERE pk = 'c'` },
      ],
    })));
    assert.ok(cancelled instanceof TransactionCanceledException, String(cancelled));
    assert.deepEqual(cancelled.CancellationReasons, [
      { Code: "None" },
      { Code: "DuplicateItem", Message: "Duplicate primary key exists in table" },
      { Code: "ConditionalCheckFailed", Message: "The conditional request failed" },
    ]);
    assert.equal((await db().send(new GetItemCommand({ TableName: "txn", Key: { pk: { S: "b" } } }))).Item, undefined, "nothing of a cancelled transaction is written");

    const write = { TransactStatements: [{ Statement: `INSERT INTO "txn" VALUE {'pk': 'b', 'n': 1}` }, { Statement: `UPDATE "txn" SET n = n + 1 WHERE pk = 'a'` }], ClientRequestToken: "once" };
    await db().send(new ExecuteTransactionCommand(write));
    await db().send(new ExecuteTransactionCommand(write));
    const read = await db().send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: `SELECT n FROM "txn" WHERE pk = ?`, Parameters: [{ S: "a" }] }, { Statement: `SELECT * FROM "txn" WHERE pk = 'zz'` }] }));
    assert.deepEqual(read.Responses, [{ Item: { n: { N: "2" } } }, {}], "the retried token did not add again");
    const keyless = await failure(db().send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: `SELECT * FROM "txn" WHERE n = 2` }] })));
    assert.equal(keyless.message, "Select statements within ExecuteTransaction must specify the primary key in the where clause.");
    const mixed = await failure(db().send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: `SELECT * FROM "txn" WHERE pk = 'a'` }, { Statement: `DELETE FROM "txn" WHERE pk = 'a'` }] })));
    assert.equal(mixed.message, "Unsupported operation in transaction.");

    // EXISTS(SELECT …) is a condition check: the item must exist and meet the rest of the WHERE clause.
    const checked = { Statement: `UPDATE "txn" SET n = 10 WHERE pk = 'b'` };
    const unmet = await failure(db().send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: `EXISTS(SELECT * FROM "txn" WHERE pk = 'a' AND n = 99)` }, checked] })));
    assert.ok(unmet instanceof TransactionCanceledException, String(unmet));
    assert.deepEqual(unmet.CancellationReasons?.map((r) => r.Code), ["ConditionalCheckFailed", "None"]);
    await db().send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: `EXISTS(SELECT * FROM "txn" WHERE pk = 'a' AND n = 2)` }, checked] }));
    assert.equal((await db().send(new GetItemCommand({ TableName: "txn", Key: { pk: { S: "b" } } }))).Item?.n?.N, "10");
    assert.equal((await failure(run(`EXISTS(SELECT * FROM "txn" WHERE pk = 'a')`))).message, "EXISTS can only be used in ExecuteTransaction write requests.");
  });

  it("lib-dynamodb's DocumentClient and the AWS CLI v2 run statements; a PartiQL INSERT writes a stream record", async () => {
    const streamArn = await createTable("docs", { stream: true });
    const doc = DynamoDBDocumentClient.from(db());
    await doc.send(new DocExecuteStatementCommand({ Statement: `INSERT INTO "docs" VALUE {'pk': ?, 'n': ?, 'list': ?}`, Parameters: ["d1", 7, [1, "two"]] }));
    const got = await doc.send(new DocExecuteStatementCommand({ Statement: `SELECT * FROM "docs" WHERE pk = ?`, Parameters: ["d1"] }));
    assert.deepEqual(got.Items, [{ pk: "d1", n: 7, list: [1, "two"] }]);

    const cli = (...args: string[]) => aws(suite.unkai.url, ["dynamodb", ...args]);
    const inserted = await cli("execute-statement", "--statement", `INSERT INTO "docs" VALUE {'pk': 'c1', 'n': 1}`);
    assert.equal(inserted.code, 0, inserted.stderr);
    const selected = await cli("execute-statement", "--statement", `SELECT n FROM "docs" WHERE pk = ?`, "--parameters", JSON.stringify([{ S: "c1" }]));
    assert.equal(selected.code, 0, selected.stderr);
    assert.deepEqual(JSON.parse(selected.stdout), { Items: [{ n: { N: "1" } }] });
    const duplicate = await cli("execute-statement", "--statement", `INSERT INTO "docs" VALUE {'pk': 'c1'}`);
    assert.notEqual(duplicate.code, 0);
    assert.match(duplicate.stderr, /\(DuplicateItemException\) when calling the ExecuteStatement operation.*: Duplicate primary key exists in table/);
    await db().send(new BatchExecuteStatementCommand({ Statements: [{ Statement: `UPDATE "docs" SET n = 2 WHERE pk = 'c1'` }] }));
    const tx = await cli("execute-transaction", "--transact-statements", JSON.stringify([{ Statement: `DELETE FROM "docs" WHERE pk = 'c1' AND n = 2` }]));
    assert.equal(tx.code, 0, tx.stderr);

    const streams = new DynamoDBStreamsClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const shard = (await streams.send(new DescribeStreamsCommand({ StreamArn: streamArn }))).StreamDescription?.Shards?.[0]?.ShardId;
    const iterator = (await streams.send(new GetStreamIteratorCommand({ StreamArn: streamArn, ShardId: shard, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    const records = (await streams.send(new GetStreamRecordsCommand({ ShardIterator: iterator }))).Records ?? [];
    assert.deepEqual(records.map((r) => `${r.eventName}:${r.dynamodb?.Keys?.pk?.S}`), ["INSERT:d1", "INSERT:c1", "MODIFY:c1", "REMOVE:c1"]);
    assert.deepEqual(records[0]?.dynamodb?.NewImage, { pk: { S: "d1" }, n: { N: "7" }, list: { L: [{ N: "1" }, { S: "two" }] } });
    streams.destroy();
  });

  it("boto3: execute_statement (with a paginated Scan), batch_execute_statement and execute_transaction, and the ClientErrors boto3 raises for bad statements", async () => {
    await createTable("pyt", { sort: "N" });
    const script = [
      "import json, sys, boto3, botocore.config",
      "from botocore.exceptions import ClientError",
      "db = boto3.client('dynamodb', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test', config=botocore.config.Config(retries={'max_attempts': 1}))",
      "def error_of(call):",
      "    try:",
      "        call()",
      "        return None",
      "    except ClientError as e:",
      "        out = {'code': e.response['Error']['Code'], 'message': e.response['Error']['Message'], 'status': e.response['ResponseMetadata']['HTTPStatusCode']}",
      "        if 'CancellationReasons' in e.response: out['reasons'] = e.response['CancellationReasons']",
      "        if 'Item' in e.response: out['item'] = e.response['Item']",
      "        return out",
      "for n in range(1, 8):",
      "    db.execute_statement(Statement=\"INSERT INTO \\\"pyt\\\" VALUE {'pk': ?, 'sk': ?, 'tag': ?}\", Parameters=[{'S': 'a'}, {'N': str(n)}, {'S': 'odd' if n % 2 else 'even'}])",
      "one = db.execute_statement(Statement='SELECT sk, tag FROM \"pyt\" WHERE pk = ? AND sk = ?', Parameters=[{'S': 'a'}, {'N': '3'}])['Items']",
      "pages, token = [], None",
      "while True:",
      "    page = db.execute_statement(Statement='SELECT sk FROM \"pyt\" WHERE tag = ?', Parameters=[{'S': 'odd'}], Limit=3, **({'NextToken': token} if token else {}))",
      "    pages.append(sorted(int(i['sk']['N']) for i in page['Items']))",
      "    token = page.get('NextToken')",
      "    if not token: break",
      "updated = db.execute_statement(Statement='UPDATE \"pyt\" SET n = 1 WHERE pk = ? AND sk = ? RETURNING ALL NEW *', Parameters=[{'S': 'a'}, {'N': '1'}])['Items']",
      "batch = db.batch_execute_statement(Statements=[",
      "    {'Statement': \"INSERT INTO \\\"pyt\\\" VALUE {'pk': 'b', 'sk': 1}\"},",
      "    {'Statement': \"INSERT INTO \\\"pyt\\\" VALUE {'pk': 'a', 'sk': 2}\"},",
      "    {'Statement': 'UPDATE \"pyt\" SET n = 5 WHERE pk = ? AND sk = ? AND n = 9', 'Parameters': [{'S': 'a'}, {'N': '1'}]},",
      "    {'Statement': 'DELETE FROM \"pyt\" WHERE pk = ?', 'Parameters': [{'S': 'a'}]},",
      "])['Responses']",
      "tx_ok = db.execute_transaction(TransactStatements=[",
      "    {'Statement': \"INSERT INTO \\\"pyt\\\" VALUE {'pk': 'c', 'sk': 1}\"},",
      "    {'Statement': 'DELETE FROM \"pyt\" WHERE pk = ? AND sk = ?', 'Parameters': [{'S': 'b'}, {'N': '1'}]},",
      "], ClientRequestToken='py-once')",
      "tx_read = db.execute_transaction(TransactStatements=[{'Statement': 'SELECT * FROM \"pyt\" WHERE pk = ? AND sk = ?', 'Parameters': [{'S': 'c'}, {'N': '1'}]}, {'Statement': 'SELECT * FROM \"pyt\" WHERE pk = ? AND sk = ?', 'Parameters': [{'S': 'b'}, {'N': '1'}]}])['Responses']",
      "errors = {",
      "    'syntax': error_of(lambda: db.execute_statement(Statement='SELECT * FROM \"pyt\" WHERE')),",
      "    'ddl': error_of(lambda: db.execute_statement(Statement='CREATE TABLE x')),",
      "    'parameters': error_of(lambda: db.execute_statement(Statement='SELECT * FROM \"pyt\" WHERE pk = ?')),",
      "    'table': error_of(lambda: db.execute_statement(Statement='SELECT * FROM \"nope\"')),",
      "    'duplicate': error_of(lambda: db.execute_statement(Statement=\"INSERT INTO \\\"pyt\\\" VALUE {'pk': 'c', 'sk': 1}\")),",
      "    'condition': error_of(lambda: db.execute_statement(Statement='UPDATE \"pyt\" SET n = 2 WHERE pk = ? AND sk = ? AND n = 7', Parameters=[{'S': 'a'}, {'N': '1'}])),",
      "    'keyless': error_of(lambda: db.execute_statement(Statement=\"DELETE FROM \\\"pyt\\\" WHERE pk = 'a'\")),",
      "    'token': error_of(lambda: db.execute_statement(Statement='SELECT * FROM \"pyt\"', NextToken='bogus')),",
      "    'batch_mixed': error_of(lambda: db.batch_execute_statement(Statements=[{'Statement': 'SELECT * FROM \"pyt\" WHERE pk = \\'a\\' AND sk = 1'}, {'Statement': 'DELETE FROM \"pyt\" WHERE pk = \\'a\\' AND sk = 1'}])),",
      "    'tx_cancelled': error_of(lambda: db.execute_transaction(TransactStatements=[{'Statement': \"INSERT INTO \\\"pyt\\\" VALUE {'pk': 'd', 'sk': 1}\"}, {'Statement': \"INSERT INTO \\\"pyt\\\" VALUE {'pk': 'c', 'sk': 1}\"}])),",
      "    'tx_syntax': error_of(lambda: db.execute_transaction(TransactStatements=[{'Statement': 'UPDATE \"pyt\" SET'}])),",
      "}",
      "after = db.execute_statement(Statement='SELECT pk FROM \"pyt\" WHERE pk = ?', Parameters=[{'S': 'd'}])['Items']",
      "print(json.dumps({'one': one, 'pages': pages, 'updated': updated, 'batch': batch, 'tx_ok': tx_ok.get('Responses'), 'tx_read': tx_read, 'errors': errors, 'after': after}))",
    ];
    const out = await runBoto3(script, [suite.unkai.url]) as Record<string, unknown>;
    assert.deepEqual(out.one, [{ sk: { N: "3" }, tag: { S: "odd" } }]);
    assert.deepEqual((out.pages as number[][]).flat().sort(), [1, 3, 5, 7], "the Scan's pages together hold every odd item once");
    assert.ok((out.pages as number[][]).length >= 2, "Limit 3 over 7 items takes more than one page");
    assert.deepEqual(out.updated, [{ pk: { S: "a" }, sk: { N: "1" }, tag: { S: "odd" }, n: { N: "1" } }]);
    assert.deepEqual(out.batch, [
      { TableName: "pyt" },
      { TableName: "pyt", Error: { Code: "DuplicateItem", Message: "Duplicate primary key exists in table" } },
      { TableName: "pyt", Error: { Code: "ConditionalCheckFailed", Message: "The conditional request failed" } },
      { TableName: "pyt", Error: { Code: "ValidationError", Message: "Where clause does not contain a mandatory equality on all key attributes" } },
    ]);
    assert.equal(out.tx_ok ?? undefined, undefined, "a write transaction answers no Responses");
    assert.deepEqual(out.tx_read, [{ Item: { pk: { S: "c" }, sk: { N: "1" } } }, {}]);
    const errors = out.errors as Record<string, { code: string; message: string; status: number; reasons?: unknown; item?: unknown }>;
    const summary = Object.fromEntries(Object.entries(errors).map(([name, e]) => [name, `${e.status} ${e.code}: ${e.message}`]));
    assert.deepEqual(summary, {
      syntax: "400 ValidationException: Statement wasn't well formed, can't be processed: Unexpected end of statement",
      ddl: "400 ValidationException: Statement wasn't well formed, can't be processed: Expected data manipulation",
      parameters: "400 ValidationException: Number of parameters in request and statement don't match.",
      table: "400 ResourceNotFoundException: Requested resource not found",
      duplicate: "400 DuplicateItemException: Duplicate primary key exists in table",
      condition: "400 ConditionalCheckFailedException: The conditional request failed",
      keyless: "400 ValidationException: Where clause does not contain a mandatory equality on all key attributes",
      token: "400 ValidationException: Invalid NextToken",
      batch_mixed: "400 ValidationException: The entire batch must consist of either read statements or write statements, not both.",
      tx_cancelled: summary.tx_cancelled,
      tx_syntax: "400 ValidationException: Statement wasn't well formed, can't be processed: Unexpected end of statement",
    });
    assert.match(summary.tx_cancelled ?? "", /^400 TransactionCanceledException: Transaction cancelled, please refer cancellation reasons for specific reasons \[None, DuplicateItem\]/);
    assert.deepEqual(errors.tx_cancelled?.reasons, [{ Code: "None" }, { Code: "DuplicateItem", Message: "Duplicate primary key exists in table" }]);
    // Debian's boto3 (1.26) predates ReturnValuesOnConditionCheckFailure (the SDK v3 cases above cover it): no old item unasked.
    assert.equal(errors.condition?.item, undefined);
    assert.deepEqual(out.after, [], "the cancelled transaction wrote nothing");
  });

  it("mutated statements and parameters answer 200 or a 400 with DynamoDB's error types, never a fault", async () => {
    await createTable("fuzz", { sort: "N" });
    const seeds = [
      `SELECT a.b[0], "c" FROM "fuzz" WHERE pk IN ['x', ?] AND NOT (sk BETWEEN 1 AND 9 OR size(d) > 2) AND e IS NOT MISSING`,
      `INSERT INTO "fuzz" VALUE {'pk': ?, 'sk': -1.5e3, 'l': [1, {'m': <<'s'>>}], 'n': null, 'b': true}`,
      `UPDATE "fuzz" SET a = list_append(a, [1]) SET b = b - 2 REMOVE c[1] WHERE pk = 'x' AND sk = 1 RETURNING MODIFIED NEW *`,
      `DELETE FROM "fuzz" WHERE pk = 'x' AND sk = 1 AND begins_with(t, 'a''b') RETURNING ALL OLD *`,
    ];
    const pieces = ["'", '"', "(", ")", "[", "]", "{", "}", "<<", ">>", "?", ",", ".", "-", "NOT ", " AND ", "WHERE ", "SET ", "9".repeat(50), "((((((((((", "[[[[[[[[[[", "\u0000"];
    const m = new Mutator(prng(17));
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      let statement = m.pick(seeds);
      for (let edits = 1 + m.int(3); edits > 0; edits--) {
        const at = m.int(statement.length);
        statement = m.chance(0.5) ? statement.slice(0, at) + m.pick(pieces) + statement.slice(at) : statement.slice(0, at) + statement.slice(at + 1 + m.int(6));
      }
      const parameters = m.chance(0.8) ? [{ S: m.oddText().slice(0, 100) || "p" }] : [m.oddValue() as AttributeValue];
      try {
        await run(statement || "x", parameters);
        seen.add("ok");
      } catch (error) {
        const e = error as Error & { $metadata?: { httpStatusCode?: number } };
        assert.equal(e.$metadata?.httpStatusCode, 400, `${statement} → ${e.name}: ${e.message}`);
        assert.ok(["ValidationException", "SerializationException", "DuplicateItemException", "ConditionalCheckFailedException", "ResourceNotFoundException"].includes(e.name), `${statement} → ${e.name}: ${e.message}`);
        seen.add(e.name);
      }
    }
    assert.ok(seen.has("ValidationException") && seen.size > 1, [...seen].join());
  });

  it("IAM: each statement needs dynamodb:PartiQL<Verb> on its table (or index); a user allowed only PartiQLSelect on one table is refused the rest", async () => {
    await createTable("open", { gsi: true });
    await createTable("closed");
    const iam = new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await iam.send(new CreateUserCommand({ UserName: "reader" }));
    const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "dynamodb:PartiQLSelect", Resource: "arn:aws:dynamodb:us-east-1:*:table/open" }] };
    await iam.send(new PutUserPolicyCommand({ UserName: "reader", PolicyName: "inline", PolicyDocument: JSON.stringify(policy) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "reader" }));
    const reader = { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
    iam.destroy();
    const as = (Statement: string) => db(reader).send(new ExecuteStatementCommand({ Statement }));
    assert.deepEqual((await as(`SELECT * FROM "open"`)).Items, []);
    const refusals: [string, string, string][] = [
      [`INSERT INTO "open" VALUE {'pk': 'x'}`, "dynamodb:PartiQLInsert", "table/open"],
      [`UPDATE "open" SET a = 1 WHERE pk = 'x'`, "dynamodb:PartiQLUpdate", "table/open"],
      [`DELETE FROM "open" WHERE pk = 'x'`, "dynamodb:PartiQLDelete", "table/open"],
      [`SELECT * FROM "closed"`, "dynamodb:PartiQLSelect", "table/closed"],
      [`SELECT * FROM "open"."by-colour"`, "dynamodb:PartiQLSelect", "table/open/index/by-colour"],
      [`SELECT * FROM "open" WHERE`, "dynamodb:PartiQLSelect", "*"],
    ];
    for (const [statement, action, resource] of refusals) {
      const error = await failure(as(statement));
      assert.equal(error.name, "AccessDeniedException", statement);
      assert.ok(error.message.includes(`perform: ${action} on resource: ${resource === "*" ? "*" : `arn:aws:dynamodb:us-east-1:000000000000:${resource}`}`), `${statement}: ${error.message}`);
    }
    const batch = await failure(db(reader).send(new BatchExecuteStatementCommand({ Statements: [{ Statement: `SELECT * FROM "open" WHERE pk = 'a'` }, { Statement: `SELECT * FROM "closed" WHERE pk = 'a'` }] })));
    assert.equal(batch.name, "AccessDeniedException", "one statement on a refused table refuses the batch");
    assert.equal((await run(`SELECT * FROM "open"`)).Items?.length, 0);
  });
});
