/** DocumentStore: whole documents by id (the API definitions: HTTP and REST APIs). */
import assert from "node:assert/strict";
import type { EventSourceMapping } from "../../src/core/event-source-mapping.js";
import type { HttpApi, RestApi } from "../../src/core/api-definitions.js";
import type { ApiDestinationRecord, ConnectionRecord, PendingDelivery, RuleRecord } from "../../src/core/events/resources.js";
import type { ArchiveRecord, ReplayRecord } from "../../src/core/events/archives.js";
import type { ScheduleGroupRecord, ScheduleRecord } from "../../src/core/scheduler.js";
import type { LogGroupSubscriptions } from "../../src/core/log-subscription.js";
import type { SqsMoveTaskRecord } from "../../src/core/sqs-move-task.js";
import type { DynamoTransferRecord } from "../../src/core/dynamodb-transfers.js";
import type { InstanceProfileRecord } from "../../src/core/iam.js";
import { apiKeyValueId, type ApiKeyRecord, type UsagePlanRecord } from "../../src/core/api-keys.js";
import type { KinesisStreamRecord } from "../../src/core/kinesis.js";
import type { DashboardRecord, DynamoBackupRecord } from "../../src/store/ports.js";
import { bucketSettingId, type BucketSetting } from "../../src/core/s3-bucket-settings.js";
import type { SnsPendingHttpDelivery, SnsSubscriptionRecord, SnsTopicRecord } from "../../src/core/sns.js";
import { checkAndAfterReopen, plain, type StoreTest } from "./harness.js";

const httpApi = (apiId: string, name = apiId): HttpApi => ({
  apiId, name, description: undefined, createdDate: "2026-01-01T00:00:00Z", cors: undefined, tags: {}, routes: [], integrations: [], stages: [],
});

const restApi = (id: string, name = id): RestApi => ({
  id, name, description: "d", createdDate: 1_767_225_600, binaryMediaTypes: [], rootResourceId: "root", tags: { k: "v" }, resources: [], deployments: [], stages: [],
});

const mapping = (uuid: string, change: Partial<EventSourceMapping> = {}): EventSourceMapping => ({
  uuid, functionName: "fn", qualifier: undefined, eventSourceArn: "arn:aws:sqs:us-east-1:123456789012:q", batchSize: 10,
  maximumBatchingWindowInSeconds: 0, enabled: true, functionResponseTypes: [], maximumConcurrency: undefined, lastModified: 1_767_225_600_000,
  lastProcessingResult: "No records processed", ...change,
});

export function documentStoreContract(test: StoreTest): void {
  test("eventSourceMappings: the same contract, kept apart from the APIs", async ({ store, reopen }) => {
    await store.eventSourceMappings.put("u2", mapping("u2"));
    await store.eventSourceMappings.put("u1", mapping("u1"));
    await store.eventSourceMappings.put("u2", mapping("u2", { enabled: false, batchSize: 5 }));
    await store.httpApis.put("u1", httpApi("u1"));
    assert.equal(await store.eventSourceMappings.delete("u1"), true);
    assert.equal(await store.eventSourceMappings.delete("u1"), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(plain(await current.eventSourceMappings.get("u2")), plain(mapping("u2", { enabled: false, batchSize: 5 })));
      assert.equal(await current.eventSourceMappings.get("u1"), undefined);
      assert.deepEqual((await current.eventSourceMappings.list()).map((m) => m.uuid), ["u2"]);
      assert.equal((await current.httpApis.get("u1"))?.apiId, "u1");
    });
  });


  test("sqsMoveTasks: the same contract, kept apart from the other documents", async ({ store, reopen }) => {
    const task = (handle: string, moved: number): SqsMoveTaskRecord => ({
      handle, source: "dlq", destination: undefined, ratePerSecond: 5, startedAt: 1_767_225_600_000, toMove: 10, status: "RUNNING", moved, heartbeatAt: 1_767_225_600_000 + moved,
    });
    await store.sqsMoveTasks.put("t2", task("t2", 0));
    await store.sqsMoveTasks.put("t1", task("t1", 0));
    await store.sqsMoveTasks.put("t2", task("t2", 4));
    assert.equal(await store.sqsMoveTasks.delete("t1"), true);
    assert.equal(await store.sqsMoveTasks.delete("t1"), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(plain(await current.sqsMoveTasks.get("t2")), plain(task("t2", 4)));
      assert.equal(await current.sqsMoveTasks.get("t1"), undefined);
      assert.deepEqual((await current.sqsMoveTasks.list()).map((t) => t.handle), ["t2"]);
    });
  });

  test("dynamodbBackups: backup records by ARN, kept apart from the other documents", async ({ store, reopen }) => {
    const arn = (id: string) => `arn:aws:dynamodb:us-east-1:000000000000:table/t1/backup/${id}`;
    const backup = (id: string, itemCount: number): DynamoBackupRecord => ({
      arn: arn(id), name: `b-${id}`, tableName: "t1", tableArn: "arn:aws:dynamodb:us-east-1:000000000000:table/t1", tableCreatedAt: 1, definition: '{"TableName":"t1"}',
      createdAt: 1_767_225_600_000, itemCount, sizeBytes: itemCount * 10, blob: `dynamodb-backups/${id}`,
    });
    await store.dynamodbBackups.put(arn("01767225600000-0000000b"), backup("01767225600000-0000000b", 1));
    await store.dynamodbBackups.put(arn("01767225600000-0000000a"), backup("01767225600000-0000000a", 2));
    assert.equal(await store.dynamodbBackups.delete(arn("01767225600000-0000000b")), true);
    assert.equal(await store.dynamodbBackups.delete(arn("01767225600000-0000000b")), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(await current.dynamodbBackups.get(arn("01767225600000-0000000a")), backup("01767225600000-0000000a", 2));
      assert.equal(await current.dynamodbBackups.get(arn("01767225600000-0000000b")), undefined);
      assert.deepEqual((await current.dynamodbBackups.list()).map((b) => b.itemCount), [2]);
      assert.deepEqual(await current.sqsMoveTasks.list(), []);
    });
  });

  test("dynamodbExports and dynamodbImports: the same contract, each kept apart", async ({ store, reopen }) => {
    const transfer = (arn: string, status: string): DynamoTransferRecord => ({
      arn, tableArn: "arn:aws:dynamodb:us-east-1:000000000000:table/t", clientToken: "tok", request: "{}", startedAt: 1_767_225_600_000, description: { ExportArn: arn, ExportStatus: status },
    });
    const a = "arn:aws:dynamodb:us-east-1:000000000000:table/t/export/01767225600000-aaaaaaaa";
    const b = "arn:aws:dynamodb:us-east-1:000000000000:table/t/export/01767225600001-bbbbbbbb";
    await store.dynamodbExports.put(b, transfer(b, "IN_PROGRESS"));
    await store.dynamodbExports.put(a, transfer(a, "IN_PROGRESS"));
    await store.dynamodbExports.put(b, transfer(b, "COMPLETED"));
    assert.equal(await store.dynamodbExports.delete(a), true);
    assert.equal(await store.dynamodbExports.delete(a), false);
    await store.dynamodbImports.put(a, transfer(a, "FAILED"));
    await store.dynamodbImports.put(b, transfer(b, "FAILED"));
    assert.equal(await store.dynamodbImports.delete(b), true);
    assert.equal(await store.dynamodbImports.get(b), undefined);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(plain(await current.dynamodbExports.get(b)), plain(transfer(b, "COMPLETED")));
      assert.deepEqual((await current.dynamodbExports.list()).map((t) => t.arn), [b]);
      assert.deepEqual((await current.dynamodbImports.list()).map((t) => t.description.ExportStatus), ["FAILED"]);
    });
  });

  test("cloudwatchDashboards: one document per dashboard name in byte order, body kept exactly, kept apart from the other documents", async ({ store, reopen }) => {
    const dashboard = (name: string, body: string, lastModified: number): DashboardRecord => ({ name, body, lastModified, tags: { team: "a" } });
    // A body is kept as given: spacing, key order and non-ASCII text are not normalised.
    const body = '{ "widgets" : [ ], "start":"-PT6H", "title":"caf\u00e9 ☕" }';
    await store.cloudwatchDashboards.put("b", dashboard("b", '{"widgets":[]}', 1));
    await store.cloudwatchDashboards.put("B_2", dashboard("B_2", body, 2));
    await store.cloudwatchDashboards.put("a-1", dashboard("a-1", '{"widgets":[]}', 3));
    await store.cloudwatchDashboards.put("b", dashboard("b", body, 4));
    assert.equal(await store.cloudwatchDashboards.delete("a-1"), true);
    assert.equal(await store.cloudwatchDashboards.delete("a-1"), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(plain(await current.cloudwatchDashboards.get("b")), plain(dashboard("b", body, 4)));
      assert.equal((await current.cloudwatchDashboards.get("b"))?.body, body);
      assert.equal(await current.cloudwatchDashboards.get("a-1"), undefined);
      assert.deepEqual((await current.cloudwatchDashboards.list()).map((d) => d.name), ["B_2", "b"], "upper case sorts before lower case, as bytes do");
      assert.deepEqual(await current.httpApis.list(), []);
    });
  });

  test("httpApis: put inserts or replaces, list is by id, delete says whether it removed one", async ({ store, reopen }) => {
    await store.httpApis.put("b2", httpApi("b2"));
    await store.httpApis.put("a1", httpApi("a1"));
    await store.httpApis.put("c3", httpApi("c3"));
    await store.httpApis.put("b2", httpApi("b2", "renamed"));
    assert.equal(await store.httpApis.delete("c3"), true);
    assert.equal(await store.httpApis.delete("c3"), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(plain(await current.httpApis.get("b2")), plain(httpApi("b2", "renamed")));
      assert.equal(await current.httpApis.get("c3"), undefined);
      assert.deepEqual((await current.httpApis.list()).map((api) => api.apiId), ["a1", "b2"]);
      assert.deepEqual(await current.restApis.list(), [], "the two document kinds are separate");
    });
  });

  test("restApis: the same contract, kept apart from httpApis", async ({ store, reopen }) => {
    await store.restApis.put("z9", restApi("z9"));
    await store.restApis.put("a1", restApi("a1"));
    await store.httpApis.put("a1", httpApi("a1"));
    assert.equal(await store.restApis.delete("a1"), true);
    assert.equal(await store.restApis.delete("a1"), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(plain(await current.restApis.get("z9")), plain(restApi("z9")));
      assert.equal(await current.restApis.get("a1"), undefined);
      assert.deepEqual((await current.restApis.list()).map((api) => api.id), ["z9"]);
      assert.equal((await current.httpApis.get("a1"))?.apiId, "a1", "deleting a REST API left the HTTP API of that id");
    });
  });

  test("eventBuses and eventRules: the same contract, each kept apart", async ({ store, reopen }) => {
    const rule = (name: string): RuleRecord => ({
      Name: name, Arn: `arn:aws:events:us-east-1:123456789012:rule/${name}`, EventBusName: "default", EventPattern: '{"source":["a"]}',
      State: "ENABLED", CreatedBy: "123456789012", ScheduleAnchor: 1, Targets: [{ Id: "t1", Arn: "arn:aws:lambda:us-east-1:123456789012:function:f" }],
    });
    await store.eventRules.put("default/b", rule("b"));
    await store.eventRules.put("default/a", rule("a"));
    await store.eventBuses.put("orders", { Name: "orders", Arn: "arn:aws:events:us-east-1:123456789012:event-bus/orders", CreationTime: 1, LastModifiedTime: 1 });
    assert.equal(await store.eventRules.delete("default/b"), true);
    assert.equal(await store.eventBuses.delete("nope"), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(plain(await current.eventRules.get("default/a")), plain(rule("a")));
      assert.deepEqual((await current.eventRules.list()).map((r) => r.Name), ["a"]);
      assert.deepEqual((await current.eventBuses.list()).map((b) => b.Name), ["orders"]);
      assert.equal((await current.eventBuses.get("orders"))?.CreationTime, 1);
      assert.deepEqual(await current.httpApis.list(), []);
    });
  });

  test("eventConnections and eventApiDestinations: the same contract, secrets kept, each kept apart", async ({ store, reopen }) => {
    const connection = (name: string): ConnectionRecord => ({
      Name: name, Arn: `arn:aws:events:us-east-1:123456789012:connection/${name}/0f0e`, SecretArn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:events!connection/${name}/0f0e`,
      AuthorizationType: "API_KEY", AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: "secret" } },
      CreationTime: 1, LastModifiedTime: 2, LastAuthorizedTime: 2,
    });
    const destination = (name: string): ApiDestinationRecord => ({
      Name: name, Arn: `arn:aws:events:us-east-1:123456789012:api-destination/${name}/0a0b`, ConnectionArn: connection("c").Arn,
      InvocationEndpoint: "http://localhost:9/*", HttpMethod: "POST", InvocationRateLimitPerSecond: 5, CreationTime: 1, LastModifiedTime: 1,
    });
    await store.eventConnections.put("c", connection("c"));
    await store.eventConnections.put("gone", connection("gone"));
    await store.eventApiDestinations.put("c", destination("c"));
    assert.equal(await store.eventConnections.delete("gone"), true);
    assert.equal(await store.eventApiDestinations.delete("gone"), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(plain(await current.eventConnections.get("c")), plain(connection("c")));
      assert.deepEqual((await current.eventConnections.list()).map((c) => c.Name), ["c"]);
      assert.deepEqual(plain(await current.eventApiDestinations.get("c")), plain(destination("c")));
      assert.deepEqual((await current.eventApiDestinations.list()).map((d) => d.Name), ["c"]);
      assert.deepEqual(await current.eventBuses.list(), []);
    });
  });

  test("eventArchives and eventReplays: the same contract, each kept apart", async ({ store, reopen }) => {
    const arn = "arn:aws:events:us-east-1:123456789012:archive/a.1";
    const archive: ArchiveRecord = {
      ArchiveName: "a.1", ArchiveArn: arn, EventSourceArn: "arn:aws:events:us-east-1:123456789012:event-bus/default",
      EventPattern: '{"source":["x"]}', RetentionDays: 0, State: "ENABLED", CreationTime: 5,
    };
    const replay: ReplayRecord = {
      ReplayName: "r", ReplayArn: "arn:aws:events:us-east-1:123456789012:replay/r", EventSourceArn: arn,
      Destination: { Arn: archive.EventSourceArn, FilterArns: ["arn:aws:events:us-east-1:123456789012:rule/x"] },
      EventStartTime: 1, EventEndTime: 2, State: "RUNNING", ReplayStartTime: 3, Owner: "node-1",
    };
    await store.eventArchives.put("a.1", archive);
    await store.eventReplays.put("r", replay);
    assert.equal(await store.eventArchives.delete("r"), false);
    assert.equal(await store.eventReplays.delete("a.1"), false);
    const current = await reopen();
    assert.deepEqual(plain(await current.eventArchives.get("a.1")), plain(archive));
    assert.deepEqual(plain(await current.eventReplays.get("r")), plain(replay));
    assert.deepEqual((await current.eventReplays.list()).map((r) => r.ReplayName), ["r"]);
    assert.equal(await current.eventArchives.delete("a.1"), true);
    assert.deepEqual(await current.eventArchives.list(), []);
  });

  test("eventDeliveries: the same contract, kept apart from rules", async ({ store, reopen }) => {
    const pending = (id: string, attempts: number): PendingDelivery => ({
      id, ruleArn: "arn:aws:events:us-east-1:123456789012:rule/r", targetArn: "arn:aws:sqs:us-east-1:123456789012:q.fifo",
      message: { body: '{"id":"e"}', groupId: "g", deduplicationId: id }, eventTimeMs: 1, attempts, nextAttemptAt: 2 + attempts,
      maximumRetryAttempts: 185, maximumEventAgeSeconds: 86_400, deadLetterArn: "arn:aws:sqs:us-east-1:123456789012:dlq", lastError: "queue does not exist",
    });
    await store.eventDeliveries.put("d2", pending("d2", 1));
    await store.eventDeliveries.put("d1", pending("d1", 1));
    await store.eventDeliveries.put("d2", pending("d2", 2));
    assert.equal(await store.eventDeliveries.delete("d1"), true);
    assert.equal(await store.eventDeliveries.delete("d1"), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(plain(await current.eventDeliveries.get("d2")), plain(pending("d2", 2)));
      assert.equal(await current.eventDeliveries.get("d1"), undefined);
      assert.deepEqual((await current.eventDeliveries.list()).map((d) => d.id), ["d2"]);
      assert.deepEqual(await current.eventRules.list(), []);
    });
  });

  test("snsTopics and snsSubscriptions: the same contract, each kept apart", async ({ store, reopen }) => {
    const topic = (name: string): SnsTopicRecord => ({
      name, arn: `arn:aws:sns:us-east-1:123456789012:${name}`, fifo: name.endsWith(".fifo"), attributes: { DisplayName: "d" }, tags: { k: "v" }, createdAt: 1,
    });
    const subscription = (id: string, confirmed = true): SnsSubscriptionRecord => ({
      arn: `arn:aws:sns:us-east-1:123456789012:t:${id}`, topicArn: "arn:aws:sns:us-east-1:123456789012:t", protocol: "https", endpoint: "https://example.com/hook",
      owner: "123456789012", confirmed, token: confirmed ? undefined : "tok", attributes: { RawMessageDelivery: "true" }, createdAt: 2,
    });
    await store.snsTopics.put(topic("t").arn, topic("t"));
    await store.snsTopics.put(topic("a.fifo").arn, topic("a.fifo"));
    await store.snsSubscriptions.put(subscription("s1").arn, subscription("s1", false));
    await store.snsSubscriptions.put(subscription("s1").arn, subscription("s1"));
    await store.snsSubscriptions.put(subscription("s2").arn, subscription("s2"));
    assert.equal(await store.snsTopics.delete(topic("t").arn), true);
    assert.equal(await store.snsSubscriptions.delete(subscription("s2").arn), true);
    assert.equal(await store.snsSubscriptions.delete(subscription("s2").arn), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual((await current.snsTopics.list()).map((t) => t.name), ["a.fifo"]);
      assert.deepEqual(plain(await current.snsTopics.get(topic("a.fifo").arn)), plain(topic("a.fifo")));
      assert.equal(await current.snsTopics.get(topic("t").arn), undefined);
      assert.deepEqual(plain(await current.snsSubscriptions.get(subscription("s1").arn)), plain(subscription("s1")));
      assert.deepEqual((await current.snsSubscriptions.list()).map((s) => s.arn), [subscription("s1").arn]);
      assert.deepEqual(await current.eventRules.list(), []);
    });
  });

  test("schedulerGroups, schedulerSchedules and schedulerDeliveries: the same contract, each kept apart", async ({ store, reopen }) => {
    const group = (name: string): ScheduleGroupRecord => ({
      Name: name, Arn: `arn:aws:scheduler:us-east-1:123456789012:schedule-group/${name}`, CreationDate: 1, LastModificationDate: 2, Tags: [{ Key: "k", Value: "v" }],
    });
    const schedule = (name: string, state: ScheduleRecord["State"] = "ENABLED"): ScheduleRecord => ({
      Name: name, GroupName: "g", Arn: `arn:aws:scheduler:us-east-1:123456789012:schedule/g/${name}`, ScheduleExpression: "cron(0 9 * * ? *)",
      ScheduleExpressionTimezone: "Europe/Paris", StartDate: 3, State: state, FlexibleTimeWindow: { Mode: "FLEXIBLE", MaximumWindowInMinutes: 5 },
      ActionAfterCompletion: "NONE", Target: { Arn: "arn:aws:sqs:us-east-1:123456789012:q.fifo", RoleArn: "arn:aws:iam::123456789012:role/r", Input: "hi", SqsParameters: { MessageGroupId: "m" } },
      CreationDate: 1, LastModificationDate: 2,
    });
    await store.schedulerGroups.put("g", group("g"));
    await store.schedulerGroups.put("h", group("h"));
    await store.schedulerSchedules.put("g/b", schedule("b"));
    await store.schedulerSchedules.put("g/a", schedule("a"));
    await store.schedulerSchedules.put("g/b", schedule("b", "DISABLED"));
    await store.schedulerDeliveries.put("d", {
      id: "d", ruleArn: schedule("a").Arn, targetArn: "arn:aws:sqs:us-east-1:123456789012:q", message: { body: "x", attributes: { Source: "s" } }, eventTimeMs: 1,
      attempts: 1, nextAttemptAt: 2, maximumRetryAttempts: 3, maximumEventAgeSeconds: 60, lastError: "e",
    });
    assert.equal(await store.schedulerGroups.delete("h"), true);
    assert.equal(await store.schedulerSchedules.delete("g/a"), true);
    assert.equal(await store.schedulerDeliveries.delete("d"), true);
    assert.equal(await store.schedulerDeliveries.delete("d"), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(plain(await current.schedulerGroups.list()), plain([group("g")]));
      assert.equal(await current.schedulerGroups.get("h"), undefined);
      assert.deepEqual(plain(await current.schedulerSchedules.get("g/b")), plain(schedule("b", "DISABLED")));
      assert.deepEqual((await current.schedulerSchedules.list()).map((x) => x.Name), ["b"]);
      assert.deepEqual(await current.schedulerDeliveries.list(), []);
      assert.equal(await current.schedulerDeliveries.get("d"), undefined);
      assert.deepEqual(await current.eventDeliveries.list(), []);
    });
  });

  test("logSubscriptions: a group's filters as one document, kept apart from the others", async ({ store, reopen }) => {
    const group = (name: string, filters: readonly string[]): LogGroupSubscriptions => ({
      logGroupName: name,
      filters: filters.map((filterName, i) => ({
        filterName, logGroupName: name, filterPattern: "ERROR", destinationArn: "arn:aws:lambda:us-east-1:123456789012:function:sink",
        distribution: "ByLogStream", creationTime: 1_767_225_600_000 + i,
      })),
    });
    await store.logSubscriptions.put("/aws/lambda/b", group("/aws/lambda/b", ["one"]));
    await store.logSubscriptions.put("/aws/lambda/a", group("/aws/lambda/a", ["x"]));
    await store.logSubscriptions.put("/aws/lambda/b", group("/aws/lambda/b", ["one", "two"]));
    assert.equal(await store.logSubscriptions.delete("/aws/lambda/a"), true);
    assert.equal(await store.logSubscriptions.delete("/aws/lambda/a"), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(plain(await current.logSubscriptions.get("/aws/lambda/b")), plain(group("/aws/lambda/b", ["one", "two"])));
      assert.equal(await current.logSubscriptions.get("/aws/lambda/a"), undefined);
      assert.deepEqual((await current.logSubscriptions.list()).map((g) => g.logGroupName), ["/aws/lambda/b"]);
      assert.deepEqual(await current.snsTopics.list(), []);
    });
  });

  test("bucketSettings: one document per bucket and kind, kept apart from the other documents", async ({ store, reopen }) => {
    const policy: BucketSetting = { bucket: "b1", kind: "policy", policy: '{"Version":"2012-10-17","Statement":[]}' };
    const cors: BucketSetting = {
      bucket: "b1", kind: "cors",
      rules: [{ id: "r", allowedOrigins: ["https://*.example.com"], allowedMethods: ["GET"], allowedHeaders: ["*"], exposeHeaders: ["ETag"], maxAgeSeconds: 60 }],
    };
    const tags = (value: string): BucketSetting => ({ bucket: "a0", kind: "tagging", tags: { team: value } });
    await store.bucketSettings.put(bucketSettingId("b1", "policy"), policy);
    await store.bucketSettings.put(bucketSettingId("b1", "cors"), cors);
    await store.bucketSettings.put(bucketSettingId("a0", "tagging"), tags("x"));
    await store.bucketSettings.put(bucketSettingId("a0", "tagging"), tags("y"));
    assert.equal(await store.bucketSettings.delete(bucketSettingId("b1", "policy")), true);
    assert.equal(await store.bucketSettings.delete(bucketSettingId("b1", "policy")), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.equal(await current.bucketSettings.get(bucketSettingId("b1", "policy")), undefined);
      assert.deepEqual(plain(await current.bucketSettings.get(bucketSettingId("b1", "cors"))), plain(cors));
      assert.deepEqual((await current.bucketSettings.list()).map((s) => `${s.bucket}/${s.kind}`), ["a0/tagging", "b1/cors"]);
      assert.deepEqual(plain(await current.bucketSettings.get(bucketSettingId("a0", "tagging"))), plain(tags("y")));
      assert.deepEqual(await current.snsTopics.list(), []);
    });
  });

  test("snsHttpDeliveries: pending http retries, kept apart from the topics", async ({ store, reopen }) => {
    const pending = (id: string, attempts: number): SnsPendingHttpDelivery => ({
      id, url: "https://example.com/hook", body: "{}", headers: { "x-amz-sns-message-type": "Notification" }, attempts, retries: 3, delayMs: 20_000,
      nextAttemptAt: 1_000 + attempts, deadLetter: { targetArn: "arn:aws:sqs:us-east-1:123456789012:dlq", body: "{}" },
    });
    await store.snsHttpDeliveries.put("h1", pending("h1", 1));
    await store.snsHttpDeliveries.put("h2", pending("h2", 1));
    await store.snsHttpDeliveries.put("h2", pending("h2", 2));
    assert.equal(await store.snsHttpDeliveries.delete("h1"), true);
    assert.equal(await store.snsHttpDeliveries.delete("h1"), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(plain(await current.snsHttpDeliveries.get("h2")), plain(pending("h2", 2)));
      assert.equal(await current.snsHttpDeliveries.get("h1"), undefined);
      assert.deepEqual((await current.snsHttpDeliveries.list()).map((d) => d.id), ["h2"]);
      assert.deepEqual(await current.snsTopics.list(), []);
    });
  });

  test("apiKeys, apiKeyValues and usagePlans: the same contract, each kept apart", async ({ store, reopen }) => {
    const key = (id: string, value: string): ApiKeyRecord => ({
      id, name: id, value, description: undefined, enabled: true, customerId: "c", createdDate: 1, lastUpdatedDate: 2, stageKeys: ["a1/prod"], tags: { team: "a" },
    });
    const plan: UsagePlanRecord = {
      id: "p1", name: "gold", description: "d", apiStages: [{ apiId: "a1", stage: "prod", throttle: { "/pets/GET": { rateLimit: 5, burstLimit: 10 } } }],
      throttle: { rateLimit: 1 }, quota: { limit: 100, offset: 0, period: "DAY" }, tags: {}, keyIds: ["k1"],
    };
    await store.apiKeys.put("k1", key("k1", "v".repeat(20)));
    await store.apiKeys.put("k2", key("k2", "w".repeat(20)));
    await store.apiKeyValues.put(apiKeyValueId("v".repeat(20)), { keyId: "k1" });
    await store.usagePlans.put("p1", plan);
    await store.usagePlans.put("p0", { ...plan, id: "p0" });
    assert.equal(await store.usagePlans.delete("p0"), true);
    assert.equal(await store.usagePlans.delete("p0"), false);
    assert.equal(await store.apiKeys.delete("k2"), true);
    assert.equal(await store.apiKeyValues.delete(apiKeyValueId("w".repeat(20))), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(plain(await current.apiKeys.get("k1")), plain(key("k1", "v".repeat(20))));
      assert.deepEqual((await current.apiKeys.list()).map((k) => k.id), ["k1"]);
      assert.deepEqual(await current.apiKeyValues.get(apiKeyValueId("v".repeat(20))), { keyId: "k1" });
      assert.deepEqual(plain(await current.usagePlans.get("p1")), plain(plan));
      assert.deepEqual((await current.usagePlans.list()).map((p) => p.id), ["p1"]);
      assert.deepEqual(await current.apiKeyValues.list(), [{ keyId: "k1" }]);
      assert.deepEqual(await current.restApis.list(), []);
    });
  });

  test("iamInstanceProfiles: one document per profile, kept apart from IAM's entities", async ({ store, reopen }) => {
    const profile = (name: string, roles: string[]): InstanceProfileRecord => ({
      name, id: `AIPA${name.toUpperCase()}`, arn: `arn:aws:iam::000000000000:instance-profile/${name}`, path: "/", createdAt: 1, roles, tags: { team: "a" },
    });
    await store.iamInstanceProfiles.put("web", profile("Web", []));
    await store.iamInstanceProfiles.put("batch", profile("batch", ["r"]));
    await store.iamInstanceProfiles.put("web", profile("Web", ["app"]));
    assert.equal(await store.iamInstanceProfiles.delete("batch"), true);
    assert.equal(await store.iamInstanceProfiles.delete("batch"), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(plain(await current.iamInstanceProfiles.get("web")), plain(profile("Web", ["app"])));
      assert.equal(await current.iamInstanceProfiles.get("batch"), undefined);
      assert.deepEqual((await current.iamInstanceProfiles.list()).map((p) => p.name), ["Web"]);
      assert.deepEqual(await current.iam.list("role"), []);
    });
  });

  test("kinesisStreams: one document per stream by ARN (its consumers and their tags in it), kept apart from the other documents", async ({ store, reopen }) => {
    const stream = (name: string, change: Partial<KinesisStreamRecord> = {}): KinesisStreamRecord => ({
      name, arn: `arn:aws:kinesis:us-east-1:123456789012:stream/${name}`, createdAt: 1_767_225_600_000, mode: "PROVISIONED", shards: [{ index: 0, startingHashKey: "0", endingHashKey: "340282366920938463463374607431768211455", openedAfter: 0 }, { index: 1, startingHashKey: "5", endingHashKey: "9", parent: 0, openedAfter: 3, closed: { sequence: 7, time: 1_767_225_600_000 } }], nextShardIndex: 2,
      retentionHours: 24, maxRecordSizeKiB: 1_024, tags: { team: "a" }, encryption: undefined, shardLevelMetrics: [], ...change,
    });
    await store.kinesisStreams.put(stream("b").arn, stream("b"));
    await store.kinesisStreams.put(stream("a").arn, stream("a"));
    // A consumer keeps its own tags, apart from the stream's.
    const consumers = [{ name: "efo", arn: `${stream("b").arn}/consumer/efo:1767225600`, createdAt: 1_767_225_600_000, tags: { team: "c", "": "empty key's value" } }];
    const changed = { retentionHours: 48, encryption: { type: "KMS" as const, keyId: "alias/aws/kinesis" }, shardLevelMetrics: ["IncomingBytes"], consumers };
    await store.kinesisStreams.put(stream("b").arn, stream("b", changed));
    assert.equal(await store.kinesisStreams.delete(stream("a").arn), true);
    assert.equal(await store.kinesisStreams.delete(stream("a").arn), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(
        plain(await current.kinesisStreams.get(stream("b").arn)),
        plain(stream("b", changed)),
      );
      assert.equal(await current.kinesisStreams.get(stream("a").arn), undefined);
      assert.deepEqual((await current.kinesisStreams.list()).map((s) => s.name), ["b"]);
      assert.deepEqual(await current.snsTopics.list(), []);
    });
  });
}
