/**
 * EventBridge on a real Unkai through SDK v3 and the AWS CLI: buses, rules and targets; custom events
 * routed by pattern to a Lambda function with an input transformer; pattern and schedule validation;
 * per-entry PutEvents failures; TestEventPattern; a scheduled rule invoking a function with AWS's
 * Scheduled Event.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CreateEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTagsForResourceCommand,
  PutPermissionCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from "@aws-sdk/client-eventbridge";
import { AddPermissionCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { aws, createFromFixture, DEFAULT_CREDENTIALS, lambda } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { failure } from "./helpers/outcome.js";
import { Collector, waitFor } from "./helpers/wait.js";

const ACCOUNT = "000000000000";
const FN_ARN = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

describe("EventBridge", () => {
  let unkai: TestUnkai;
  let fns: LambdaClient;
  let events: EventBridgeClient;
  const collector = new Collector();

  before(async () => {
    await collector.start();
    unkai = await startUnkai(await collector.env());
    fns = lambda(unkai.url);
    events = new EventBridgeClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  });
  after(async () => {
    await collector.close();
    fns?.destroy();
    events?.destroy();
    assert.equal(await unkai.stop(), 0);
  });

  /** A recording function whose policy lets the rule `rule` (`[bus/]name`) invoke it, as AWS requires of a Lambda target. */
  const recorder = async (name: string, rule: string) => {
    await createFromFixture(fns, name, "recorder", { Environment: { Variables: { COLLECTOR_URL: collector.url(name) } } });
    await fns.send(new AddPermissionCommand({ FunctionName: name, StatementId: "events", Action: "lambda:InvokeFunction", Principal: "events.amazonaws.com", SourceArn: `arn:aws:events:us-east-1:${ACCOUNT}:rule/${rule}` }));
  };
  const starts = (name: string) => collector.recorded(name).filter((r) => r.phase === "start");

  it("routes a custom event by pattern on a custom bus to a Lambda target, shaped by an input transformer", async () => {
    await recorder("eb-orders", "orders/big-eu-orders");
    const bus = await events.send(new CreateEventBusCommand({ Name: "orders" }));
    assert.equal(bus.EventBusArn, `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/orders`);
    const pattern = { source: ["shop.orders"], "detail-type": ["Order Placed"], detail: { total: [{ numeric: [">=", 100] }], region: [{ prefix: "eu-" }] } };
    const rule = await events.send(new PutRuleCommand({ Name: "big-eu-orders", EventBusName: "orders", EventPattern: JSON.stringify(pattern) }));
    assert.equal(rule.RuleArn, `arn:aws:events:us-east-1:${ACCOUNT}:rule/orders/big-eu-orders`);
    const put = await events.send(new PutTargetsCommand({
      Rule: "big-eu-orders",
      EventBusName: "orders",
      Targets: [{
        Id: "fn",
        Arn: FN_ARN("eb-orders"),
        InputTransformer: { InputPathsMap: { id: "$.detail.id", total: "$.detail.total" }, InputTemplate: '{"order": <id>, "total": <total>, "note": "order <id> via <aws.events.rule-name>"}' },
      }],
    }));
    assert.equal(put.FailedEntryCount, 0);
    const sent = await events.send(new PutEventsCommand({
      Entries: [
        { EventBusName: "orders", Source: "shop.orders", DetailType: "Order Placed", Detail: JSON.stringify({ id: "o-1", total: 250, region: "eu-west-1" }) },
        { EventBusName: "orders", Source: "shop.orders", DetailType: "Order Placed", Detail: JSON.stringify({ id: "o-2", total: 20, region: "eu-west-1" }) },
        { EventBusName: "orders", Source: "shop.orders", DetailType: "Order Placed", Detail: JSON.stringify({ id: "o-3", total: 500, region: "us-east-1" }) },
        { Source: "shop.orders", DetailType: "Order Placed", Detail: JSON.stringify({ id: "o-4", total: 900, region: "eu-west-1" }) },
      ],
    }));
    assert.equal(sent.FailedEntryCount, 0);
    assert.equal(sent.Entries?.length, 4);
    const [first] = await waitFor("the matching order to reach the function", () => (starts("eb-orders").length > 0 ? starts("eb-orders") : undefined));
    assert.deepEqual(first?.event, { order: "o-1", total: 250, note: "order o-1 via big-eu-orders" });
    // The three other orders do not match (too small, wrong region, default bus): send one more that does, and only it follows.
    await events.send(new PutEventsCommand({ Entries: [{ EventBusName: "orders", Source: "shop.orders", DetailType: "Order Placed", Detail: JSON.stringify({ id: "o-5", total: 100, region: "eu-central-1" }) }] }));
    await waitFor("the second match", () => (starts("eb-orders").length > 1 ? true : undefined));
    // A wrongly routed event would be queued with the first batch; give a late one time to show up.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.deepEqual(starts("eb-orders").map((r) => (r.event as { order: string }).order).sort(), ["o-1", "o-5"]);
  });

  it("describes, lists, disables and deletes rules as AWS does", async () => {
    await events.send(new PutRuleCommand({ Name: "r-desc", EventPattern: '{"source":["a"]}', Description: "d" }));
    const described = await events.send(new DescribeRuleCommand({ Name: "r-desc" }));
    assert.deepEqual([described.Name, described.State, described.EventBusName, described.Description, described.EventPattern], ["r-desc", "ENABLED", "default", "d", '{"source":["a"]}']);
    assert.ok((await events.send(new ListRulesCommand({ NamePrefix: "r-d" }))).Rules?.some((r) => r.Name === "r-desc"));
    await events.send(new DisableRuleCommand({ Name: "r-desc" }));
    assert.equal((await events.send(new DescribeRuleCommand({ Name: "r-desc" }))).State, "DISABLED");
    await events.send(new EnableRuleCommand({ Name: "r-desc" }));
    await events.send(new PutTargetsCommand({ Rule: "r-desc", Targets: [{ Id: "t", Arn: FN_ARN("nobody") }] }));
    assert.deepEqual((await events.send(new ListTargetsByRuleCommand({ Rule: "r-desc" }))).Targets?.map((t) => t.Id), ["t"]);
    const blocked = await failure(events.send(new DeleteRuleCommand({ Name: "r-desc" })));
    assert.deepEqual([blocked.name, blocked.message], ["ValidationException", "Rule can't be deleted since it has targets."]);
    await events.send(new RemoveTargetsCommand({ Rule: "r-desc", Ids: ["t"] }));
    await events.send(new DeleteRuleCommand({ Name: "r-desc" }));
    const gone = await failure(events.send(new DescribeRuleCommand({ Name: "r-desc" })));
    assert.deepEqual([gone.name, gone.message], ["ResourceNotFoundException", "Rule r-desc does not exist on EventBus default."]);
    const noBus = await failure(events.send(new DescribeEventBusCommand({ Name: "nope" })));
    assert.equal(noBus.name, "ResourceNotFoundException");
  });

  it("tags rules and buses by ARN; stores bus permissions", async () => {
    const { RuleArn } = await events.send(new PutRuleCommand({ Name: "tagged", EventPattern: '{"source":["t"]}', Tags: [{ Key: "team", Value: "a" }] }));
    await events.send(new TagResourceCommand({ ResourceARN: RuleArn, Tags: [{ Key: "env", Value: "dev" }, { Key: "team", Value: "b" }] }));
    assert.deepEqual((await events.send(new ListTagsForResourceCommand({ ResourceARN: RuleArn }))).Tags, [{ Key: "env", Value: "dev" }, { Key: "team", Value: "b" }]);
    await events.send(new UntagResourceCommand({ ResourceARN: RuleArn, TagKeys: ["env"] }));
    assert.deepEqual((await events.send(new ListTagsForResourceCommand({ ResourceARN: RuleArn }))).Tags, [{ Key: "team", Value: "b" }]);
    const busArn = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`;
    await events.send(new TagResourceCommand({ ResourceARN: busArn, Tags: [{ Key: "k", Value: "v" }] }));
    assert.deepEqual((await events.send(new ListTagsForResourceCommand({ ResourceARN: busArn }))).Tags, [{ Key: "k", Value: "v" }]);
    const missing = await failure(events.send(new ListTagsForResourceCommand({ ResourceARN: `arn:aws:events:us-east-1:${ACCOUNT}:rule/none` })));
    assert.equal(missing.name, "ResourceNotFoundException");
    await events.send(new PutPermissionCommand({ Action: "events:PutEvents", Principal: "111122223333", StatementId: "partner" }));
    const policy = JSON.parse((await events.send(new DescribeEventBusCommand({}))).Policy ?? "{}") as { Statement: { Sid: string }[] };
    assert.deepEqual(policy.Statement.map((s) => s.Sid), ["partner"]);
    await events.send(new RemovePermissionCommand({ StatementId: "partner" }));
    assert.equal((await events.send(new DescribeEventBusCommand({}))).Policy, undefined);
  });

  it("refuses bad patterns and schedules with AWS's errors", async () => {
    const scalar = await failure(events.send(new PutRuleCommand({ Name: "bad", EventPattern: '{"source": "aws.ec2"}' })));
    assert.deepEqual([scalar.name, scalar.message], ["InvalidEventPatternException", 'Event pattern is not valid. Reason: "source" must be an object or an array']);
    const op = await failure(events.send(new PutRuleCommand({ Name: "bad", EventPattern: '{"a": [{"wildcard": "x**"}]}' })));
    assert.deepEqual([op.name, op.message], ["InvalidEventPatternException", "Event pattern is not valid. Reason: Consecutive wildcard characters at pos 2"]);
    for (const expression of ["rate(1 minutes)", "cron(0 12 * * * *)", "rate(30 seconds)"]) {
      const bad = await failure(events.send(new PutRuleCommand({ Name: "bad", ScheduleExpression: expression })));
      assert.deepEqual([bad.name, bad.message], ["ValidationException", "Parameter ScheduleExpression is not valid."], expression);
    }
    const neither = await failure(events.send(new PutRuleCommand({ Name: "bad" })));
    assert.equal(neither.message, "Parameter(s) EventPattern or ScheduleExpression must be specified.");
  });

  it("fails PutEvents entries one by one", async () => {
    const result = await events.send(new PutEventsCommand({
      Entries: [
        { Source: "s", DetailType: "d", Detail: "{}" },
        { Source: "s", DetailType: "d" },
        { Source: "s", DetailType: "d", Detail: "[1,2]" },
        { Source: "s", DetailType: "d", Detail: "{}", EventBusName: "missing-bus" },
      ],
    }));
    assert.equal(result.FailedEntryCount, 3);
    assert.match(result.Entries?.[0]?.EventId ?? "", /^[0-9a-f-]{36}$/);
    assert.deepEqual(result.Entries?.slice(1).map((e) => e.ErrorCode), ["InvalidArgument", "MalformedDetail", "InvalidArgument"]);
  });

  it("TestEventPattern through SDK v3 and the AWS CLI", async () => {
    const event = { id: "1", account: ACCOUNT, source: "aws.ec2", time: "2026-01-01T00:00:00Z", region: "us-east-1", "detail-type": "x", resources: [], detail: { state: "running", ip: "10.0.0.7" } };
    const yes = await events.send(new TestEventPatternCommand({ EventPattern: '{"detail": {"ip": [{"cidr": "10.0.0.0/24"}]}}', Event: JSON.stringify(event) }));
    assert.equal(yes.Result, true);
    const cli = await aws(unkai.url, ["events", "test-event-pattern", "--event-pattern", '{"detail": {"state": [{"anything-but": "running"}]}}', "--event", JSON.stringify(event)]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal((JSON.parse(cli.stdout) as { Result: boolean }).Result, false);
    const invalid = await aws(unkai.url, ["events", "test-event-pattern", "--event-pattern", '{"detail": []}', "--event", JSON.stringify(event)]);
    assert.notEqual(invalid.code, 0);
    assert.match(invalid.stderr, /InvalidEventPatternException.*Empty arrays are not allowed/);
  });

  it("a rate(1 minute) rule made with the AWS CLI and a cron rule made with SDK v3 invoke their functions with AWS's Scheduled Event on the minute", async (t) => {
    await recorder("eb-tick", "every-minute");
    await recorder("eb-cron", "cron-minute");
    // The cron rule first: it fires at the next whole minute, and the rate rule at that one or the one after.
    const { RuleArn: cronArn } = await events.send(new PutRuleCommand({ Name: "cron-minute", ScheduleExpression: "cron(* * * * ? *)" }));
    await events.send(new PutTargetsCommand({ Rule: "cron-minute", Targets: [{ Id: "cron", Arn: FN_ARN("eb-cron") }] }));
    const rule = await aws(unkai.url, ["events", "put-rule", "--name", "every-minute", "--schedule-expression", "rate(1 minute)"]);
    assert.equal(rule.code, 0, rule.stderr);
    const ruleArn = (JSON.parse(rule.stdout) as { RuleArn: string }).RuleArn;
    const targets = await aws(unkai.url, ["events", "put-targets", "--rule", "every-minute", "--targets", JSON.stringify([{ Id: "tick", Arn: FN_ARN("eb-tick") }])]);
    assert.equal(targets.code, 0, targets.stderr);
    const [tick] = await waitFor("the first scheduled firing", () => (starts("eb-tick").length > 0 ? starts("eb-tick") : undefined), 90_000);
    const event = tick?.event as Record<string, unknown>;
    assert.deepEqual({ ...event, id: "-", time: "-" }, {
      version: "0", id: "-", "detail-type": "Scheduled Event", source: "aws.events", account: ACCOUNT, time: "-", region: "us-east-1", resources: [ruleArn], detail: {},
    });
    const minute = Date.parse(String(event.time));
    assert.equal(minute % 60_000, 0, "fired for a whole minute");
    const lateMs = (tick?.at ?? 0) - minute;
    assert.ok(lateMs >= 0 && lateMs < 15_000, `the function started ${lateMs} ms after the minute (includes the cold start)`);
    t.diagnostic(`the scheduled function started ${lateMs} ms after its minute (cold start included)`);
    const [cron] = await waitFor("the cron rule's firing", () => (starts("eb-cron").length > 0 ? starts("eb-cron") : undefined), 65_000);
    const cronEvent = cron?.event as Record<string, unknown>;
    assert.deepEqual({ ...cronEvent, id: "-", time: "-" }, {
      version: "0", id: "-", "detail-type": "Scheduled Event", source: "aws.events", account: ACCOUNT, time: "-", region: "us-east-1", resources: [cronArn], detail: {},
    });
    assert.equal(Date.parse(String(cronEvent.time)) % 60_000, 0, "the cron rule fired for a whole minute");
    await aws(unkai.url, ["events", "remove-targets", "--rule", "every-minute", "--ids", "tick"]);
    await aws(unkai.url, ["events", "delete-rule", "--name", "every-minute"]);
    await events.send(new RemoveTargetsCommand({ Rule: "cron-minute", Ids: ["cron"] }));
    await events.send(new DeleteRuleCommand({ Name: "cron-minute" }));
  });
});
