/**
 * A real Unkai on `--store postgres://…` (a PostgreSQL 15 this file starts): Lambda create and
 * invoke, logs, S3 put/get and a notification that runs the function, each checked in the
 * database itself, so nothing passes by landing in a SQLite file by mistake. A second node on the
 * same database shows what SNS keeps for the cluster (one signing key, one deduplication window).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateBucketCommand, GetObjectCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { aws, createFromFixture, DEFAULT_CREDENTIALS, invoke } from "./helpers/clients.js";
import { startPostgres, type PostgresServer } from "./helpers/postgres.js";
import { runProcess, unkaiCli } from "./helpers/process.js";
import { REPO_ROOT } from "./helpers/paths.js";
import { s3 } from "./helpers/s3.js";
import { verifySignature, type Envelope } from "./helpers/sns.js";
import { unkaiSuite } from "./helpers/suite.js";
import { startUnkai } from "./helpers/unkai-server.js";
import { Collector, waitFor } from "./helpers/wait.js";
import { allowServicesToSend, allowServiceToInvoke } from "./helpers/service-access.js";

describe("Unkai on PostgreSQL (--store postgres://…)", () => {
  let pg: PostgresServer | undefined;
  let url = "";
  const collector = new Collector();
  const database = () => {
    assert.ok(pg, "PostgreSQL did not start");
    return pg;
  };
  // Registered before the suite's own hooks: the database is up before Unkai starts.
  before(async () => {
    pg = await startPostgres();
    url = await pg.createDatabase("unkai");
    await collector.start();
  });
  const suite = unkaiSuite(async () => ({ UNKAI_STORE: url, UNKAI_ASYNC_RETRY_SCALE: "0.01", ...(await collector.env()) }));
  let client: S3Client;
  before(() => {
    client = s3(suite.unkai.url);
  });
  // After the suite's hooks: Unkai stops first, then its database.
  after(async () => {
    client.destroy();
    await collector.close();
    await pg?.stop();
  });

  /** Rows of the store's own database (the suite's Unkai writes there). */
  const rows = async <R extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> => {
    const pgClient = new (await import("pg")).default.Client({ connectionString: url });
    await pgClient.connect();
    try {
      return (await pgClient.query<R>(sql, params)).rows;
    } finally {
      await pgClient.end();
    }
  };

  it("keeps nothing in SQLite: the data directory has no unkai.db, the schema is migrated", async () => {
    assert.equal(existsSync(join(suite.unkai.dataDir, "unkai.db")), false);
    const migrations = await rows<{ version: number }>("SELECT version FROM unkai_migrations ORDER BY version");
    assert.ok(migrations.length >= 1);
  });

  it("creates and invokes a function; its record, invocation and logs are in PostgreSQL and readable through the API", async () => {
    await createFromFixture(suite.client, "pg-echo", "node-cjs");
    assert.deepEqual(await rows("SELECT name FROM functions WHERE name = $1", ["pg-echo"]), [{ name: "pg-echo" }]);
    const result = await invoke(suite.client, "pg-echo", { hello: "postgres" });
    assert.equal(result.status, 200);
    assert.equal(result.functionError, undefined);
    assert.deepEqual((result.json as { event: unknown }).event, { hello: "postgres" });
    const requestId = result.raw.$metadata.requestId ?? "";
    // Invocation records and log lines are written behind: committed within milliseconds.
    await waitFor("the invocation record in PostgreSQL", async () => ((await rows("SELECT 1 FROM invocations WHERE request_id = $1", [requestId])).length === 1 ? true : undefined));
    const events = await waitFor("the function's log lines through `aws logs`", async () => {
      const cli = await aws(suite.unkai.url, ["logs", "filter-log-events", "--log-group-name", "/aws/lambda/pg-echo", "--filter-pattern", "postgres"]);
      assert.equal(cli.code, 0, cli.stderr);
      const found = (JSON.parse(cli.stdout) as { events: { message: string }[] }).events;
      return found.length > 0 ? found : undefined;
    });
    assert.match(events[0]?.message ?? "", /echo \{"hello":"postgres"\}/);
    const stored = await rows<{ n: number }>("SELECT COUNT(*)::int AS n FROM log_events WHERE log_group = '/aws/lambda/pg-echo' AND strpos(message, 'postgres') > 0");
    assert.ok((stored[0]?.n ?? 0) >= 1);
  });

  it("stores S3 objects (row in PostgreSQL, body on disk) and runs the notification the upload queued with them", async () => {
    await createFromFixture(suite.client, "pg-on-upload", "recorder", { Environment: { Variables: { COLLECTOR_URL: collector.url("pg-on-upload") } } });
    await client.send(new CreateBucketCommand({ Bucket: "pg-bucket" }));
    await allowServiceToInvoke(suite.client, "pg-on-upload", "s3.amazonaws.com", "arn:aws:s3:::pg-bucket");
    await client.send(new PutBucketNotificationConfigurationCommand({
      Bucket: "pg-bucket",
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [{ LambdaFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:pg-on-upload", Events: ["s3:ObjectCreated:*"] }],
      },
    }));
    const put = await client.send(new PutObjectCommand({ Bucket: "pg-bucket", Key: "docs/ünïcode.txt", Body: "stored through postgres" }));
    const got = await client.send(new GetObjectCommand({ Bucket: "pg-bucket", Key: "docs/ünïcode.txt" }));
    assert.equal(await got.Body?.transformToString(), "stored through postgres");
    assert.equal(got.ETag, put.ETag);
    const [row] = await rows<{ size: number; etag: string }>("SELECT size::int AS size, etag FROM s3_objects WHERE bucket = 'pg-bucket' AND key = $1", ["docs/ünïcode.txt"]);
    assert.deepEqual(row, { size: 23, etag: (put.ETag ?? "").replaceAll('"', "") });
    const started = await waitFor("the notification's invocation", () => {
      const seen = collector.recorded("pg-on-upload").filter((r) => r.phase === "start");
      return seen.length > 0 ? seen : undefined;
    }, 30_000);
    const record = (started[0]?.event as { Records: { eventName: string; s3: { object: { key: string } } }[] }).Records[0];
    assert.equal(record?.eventName, "ObjectCreated:Put");
    assert.equal(record?.s3.object.key, "docs/%C3%BCn%C3%AFcode.txt");
    // Done events leave the queue: the acknowledgement passed the lease's fence.
    await waitFor("the event to be acknowledged", async () => ((await rows("SELECT 1 FROM async_events")).length === 0 ? true : undefined));
  });

  it("SNS on a second node of the same database: a message node A signed verifies with node B's SigningCertURL; a deduplication id published on A is a duplicate on B", async () => {
    const b = await startUnkai({ UNKAI_STORE: url });
    try {
      const sns = (endpoint: string) => new SNSClient({ endpoint, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
      const a = suite.unkai;
      const sqs = new SQSClient({ endpoint: a.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS });
      const { TopicArn } = await sns(a.url).send(new CreateTopicCommand({ Name: "shared", Attributes: { SignatureVersion: "2" } }));
      const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "shared-q" }))).QueueUrl ?? "";
      await allowServicesToSend(sqs, queueUrl, "arn:aws:sqs:us-east-1:000000000000:shared-q", [{ service: "sns.amazonaws.com", sourceArn: String(TopicArn) }]);
      await sns(a.url).send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:000000000000:shared-q" }));
      await sns(a.url).send(new PublishCommand({ TopicArn, Message: "signed on A" }));
      const [message] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5 }))).Messages ?? [];
      const envelope = JSON.parse(message?.Body ?? "{}") as Envelope;
      assert.ok(envelope.SigningCertURL?.startsWith(`${a.url}/_aws/sns/`));
      const onB = { ...envelope, SigningCertURL: envelope.SigningCertURL?.replace(a.url, b.url) };
      assert.equal(await verifySignature(onB), true, "node B serves the certificate of the key node A signed with");
      assert.equal(await verifySignature({ ...onB, Message: "altered" }), false);

      const fifo = await sns(a.url).send(new CreateTopicCommand({ Name: "shared.fifo", Attributes: { FifoTopic: "true" } }));
      const publish = (endpoint: string) => sns(endpoint).send(new PublishCommand({ TopicArn: fifo.TopicArn, Message: "once", MessageGroupId: "g", MessageDeduplicationId: "across-nodes" }));
      const onA = await publish(a.url);
      const again = await publish(b.url);
      assert.deepEqual([again.MessageId, again.SequenceNumber], [onA.MessageId, onA.SequenceNumber]);
      assert.equal((await rows<{ n: string }>("SELECT count(*) AS n FROM unkai_shared_secrets WHERE name = 'sns-signing'"))[0]?.n, "1", "the key is the store's");
    } finally {
      await b.stop();
    }
  });

  it("refuses a --store that is not a PostgreSQL URL, and says which database it could not open", async () => {
    const wrong = await unkaiCli(REPO_ROOT, ["start", "--port", "0", "--store", "mysql://root@localhost/unkai"]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /Invalid setting store \(--store or UNKAI_STORE\): empty \(the embedded SQLite file\) or a PostgreSQL URL/);
    const closed = await unkaiCli(REPO_ROOT, ["start", "--port", "0", "--data-dir", join(suite.unkai.dataDir, "other"), "--store", `postgres://unkai:s3cret@127.0.0.1:${database().port + 0}/no_such_database`], {
      env: { UNKAI_EXAMPLE: "false" },
    });
    assert.equal(closed.code, 2, closed.stderr);
    assert.match(closed.stderr, /Could not open the PostgreSQL store at postgres:\/\/unkai:\*\*\*@127\.0\.0\.1:\d+\/no_such_database: .*no_such_database/);
    assert.doesNotMatch(closed.stderr, /s3cret/, "the password is never printed");
  });

  it("`unkai keys --store` writes the PostgreSQL store the running server checks signatures against", async () => {
    const created = await unkaiCli(REPO_ROOT, ["keys", "create", "--name", "pg", "--json", "--store", url]);
    assert.equal(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout) as { AccessKeyId: string; SecretAccessKey: string };
    assert.deepEqual(await rows("SELECT name FROM access_keys WHERE access_key_id = $1", [key.AccessKeyId]), [{ name: "pg" }]);
    const signed = (accessKeyId: string, secretAccessKey: string) =>
      runProcess("/usr/bin/aws", ["--endpoint-url", suite.unkai.url, "--output", "json", "lambda", "list-functions"], {
        env: { PATH: "/usr/bin:/bin", HOME: "/tmp", AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_DEFAULT_REGION: "us-east-1", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_MAX_ATTEMPTS: "1" },
      });
    const withKey = await signed(key.AccessKeyId, key.SecretAccessKey);
    assert.equal(withKey.code, 0, withKey.stderr);
    assert.ok((JSON.parse(withKey.stdout) as { Functions: { FunctionName: string }[] }).Functions.some((f) => f.FunctionName === "pg-echo"));
    const withDefault = await signed("test", "test");
    assert.notEqual(withDefault.code, 0, "once a key exists, the default key is refused");
    const deleted = await unkaiCli(REPO_ROOT, ["keys", "delete", key.AccessKeyId, "--store", url]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal((await signed("test", "test")).code, 0, "with no keys left, loopback takes the default key again");
  });
});
