/**
 * CloudWatch dashboards, as Terraform's aws_cloudwatch_dashboard and CDK's Dashboard use them: PutDashboard creates and
 * replaces (body kept byte for byte, warnings answered with a stored dashboard), GetDashboard, ListDashboards (by name,
 * a prefix, 1,000 a page), DeleteDashboards (all or nothing), tags at creation and through TagResource on the
 * dashboard's ARN, bodies and names CloudWatch refuses (InvalidParameterInput with its validation messages,
 * InvalidParameterValue), over the SDK v3 (AWS JSON) and the AWS CLI (Query); and dashboards surviving a restart.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import {
  CloudWatchClient, DeleteDashboardsCommand, GetDashboardCommand, ListDashboardsCommand, ListTagsForResourceCommand, PutDashboardCommand,
  TagResourceCommand, UntagResourceCommand,
} from "@aws-sdk/client-cloudwatch";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { attempt } from "./helpers/outcome.js";
import { unkaiSuite } from "./helpers/suite.js";
import { startUnkai } from "./helpers/unkai-server.js";

const arn = (name: string) => `arn:aws:cloudwatch::000000000000:dashboard/${name}`;
const TEXT = { type: "text", x: 0, y: 0, width: 6, height: 3, properties: { markdown: "Made by a test" } };
const METRIC = { type: "metric", x: 6, y: 0, width: 12, height: 6, properties: { metrics: [["AWS/Lambda", "Invocations"]], region: "us-east-1", period: 60, stat: "Sum" } };
const body = (...widgets: object[]) => JSON.stringify({ widgets });
const client = (url: string) => new CloudWatchClient({ endpoint: url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS });

/** The error's name, message and validation messages, or "ok". */
async function refusal(call: () => Promise<unknown>): Promise<{ name: string; message: string; messages?: unknown }> {
  try {
    await call();
    return { name: "ok", message: "" };
  } catch (error) {
    const e = error as Error & { dashboardValidationMessages?: unknown };
    return { name: e.name, message: e.message, messages: e.dashboardValidationMessages };
  }
}

describe("CloudWatch dashboards", () => {
  const suite = unkaiSuite();
  let cw: CloudWatchClient;
  before(() => {
    cw = client(suite.unkai.url);
  });

  it("PutDashboard creates and replaces; GetDashboard answers the body exactly as given, the ARN without a Region", async () => {
    const spaced = `{ "start": "-PT6H",\n  "widgets": [ ${JSON.stringify(TEXT)} ], "periodOverride": "auto", "note": "café ☕" }`;
    const created = await cw.send(new PutDashboardCommand({ DashboardName: "Ops_main-1", DashboardBody: spaced }));
    assert.deepEqual(created.DashboardValidationMessages ?? [], []);
    const got = await cw.send(new GetDashboardCommand({ DashboardName: "Ops_main-1" }));
    assert.deepEqual([got.DashboardName, got.DashboardArn, got.DashboardBody], ["Ops_main-1", arn("Ops_main-1"), spaced]);
    await cw.send(new PutDashboardCommand({ DashboardName: "Ops_main-1", DashboardBody: body(TEXT, METRIC) }));
    assert.equal((await cw.send(new GetDashboardCommand({ DashboardName: "Ops_main-1" }))).DashboardBody, body(TEXT, METRIC));
    assert.equal(await attempt(() => cw.send(new PutDashboardCommand({ DashboardName: "empty", DashboardBody: '{"widgets":[]}' }))), "ok", "an empty widgets array is a dashboard");
    // Names and keys that are Object.prototype's own are plain names and keys here.
    const proto = '{"widgets":[{"__proto__":{"type":"x"},"type":"text","properties":{"markdown":"m","__proto__":null}}],"constructor":1}';
    await cw.send(new PutDashboardCommand({ DashboardName: "__proto__", DashboardBody: proto }));
    assert.equal((await cw.send(new GetDashboardCommand({ DashboardName: "__proto__" }))).DashboardBody, proto);
    assert.match(await attempt(() => cw.send(new GetDashboardCommand({ DashboardName: "constructor" }))), /^(DashboardNotFoundError|ResourceNotFound): Dashboard constructor does not exist\.$/);
    await cw.send(new DeleteDashboardsCommand({ DashboardNames: ["__proto__"] }));
  });

  it("a body CloudWatch can draw but warns about is stored, with DashboardValidationMessages", async () => {
    const wide = { ...TEXT, x: 20, width: 12 };
    const out = await cw.send(new PutDashboardCommand({ DashboardName: "warned", DashboardBody: body(wide, { ...METRIC, properties: { metrics: [] } }) }));
    assert.deepEqual(out.DashboardValidationMessages?.map((m) => m.DataPath), ["/widgets/0", "/widgets/1/properties"]);
    assert.match(out.DashboardValidationMessages?.[0]?.Message ?? "", /24-column grid/);
    assert.equal((await cw.send(new GetDashboardCommand({ DashboardName: "warned" }))).DashboardName, "warned");
  });

  it("bad bodies are refused with InvalidParameterInput and their validation messages; nothing is stored", async () => {
    const cases: [string, string, string][] = [
      ["not json", "{widgets: []", "The field DashboardBody must be a valid JSON object"],
      ["no widgets", '{"start":"-PT3H"}', "Should have required property 'widgets'"],
      ["widgets not an array", '{"widgets":{}}', "Should be array"],
      ["an array body", "[]", "Should be object"],
      ["a bad type", body({ ...TEXT, type: "graph" }), "Should be equal to one of the allowed values"],
      ["x past the grid", body({ ...TEXT, x: 24 }), "Should be <= 23"],
      ["a fractional height", body({ ...TEXT, height: 2.5 }), "Should be integer"],
      ["no properties", body({ type: "text" }), "Should have required property 'properties'"],
      ["a text widget without markdown", body({ ...TEXT, properties: {} }), "Should have required property 'markdown'"],
      ["an alarm widget without alarms", body({ type: "alarm", properties: { alarms: [] } }), "Should NOT have fewer than 1 items"],
      ["x without y", body({ type: "text", x: 1, properties: { markdown: "m" } }), "Should have property y when property x is present"],
      ["501 widgets", body(...Array.from({ length: 501 }, () => TEXT)), "Should NOT have more than 500 items"],
    ];
    for (const [what, bad, message] of cases) {
      const refused = await refusal(() => cw.send(new PutDashboardCommand({ DashboardName: "bad", DashboardBody: bad })));
      assert.match(refused.name, /^(DashboardInvalidInputError|InvalidParameterInput)$/, what);
      assert.match(refused.message, /^The dashboard body is invalid, there are \d+ validation errors:\n\[/, what);
      assert.ok(refused.message.includes(JSON.stringify(message)), `${what}: ${refused.message}`);
      assert.ok(Array.isArray(refused.messages) && (refused.messages as { Message: string }[]).some((m) => m.Message === message), `${what}: ${JSON.stringify(refused.messages)}`);
    }
    const metricless = await refusal(() => cw.send(new PutDashboardCommand({ DashboardName: "bad", DashboardBody: body({ type: "metric", properties: { region: "us-east-1" } }) })));
    assert.deepEqual(metricless.messages, [
      { DataPath: "/widgets/0/properties", Message: "Should have required property 'metrics'" },
      { DataPath: "/widgets/0/properties", Message: "Should have required property 'annotations'" },
    ]);
    // Half a million empty widgets, under the size limit: refused for their number, in one message, not one per widget.
    const swarm = await refusal(() => cw.send(new PutDashboardCommand({ DashboardName: "bad", DashboardBody: `{"widgets":[${Array(500_000).fill("0").join(",")}]}` })));
    assert.deepEqual(swarm.messages, [{ DataPath: "/widgets", Message: "Should NOT have more than 500 items" }]);
    assert.ok(swarm.message.length < 1000, `a short refusal, not ${swarm.message.length} characters`);
    const huge = JSON.stringify({ widgets: [{ ...TEXT, properties: { markdown: "x".repeat(1_048_576) } }] });
    assert.match(await attempt(() => cw.send(new PutDashboardCommand({ DashboardName: "bad", DashboardBody: huge }))), /^InvalidParameterValue(Exception)?: The value for field DashboardBody is \d+ bytes/);
    assert.match(await attempt(() => cw.send(new GetDashboardCommand({ DashboardName: "bad" }))), /^(DashboardNotFoundError|ResourceNotFound): Dashboard bad does not exist\.$/);
  });

  it("names outside A-Z a-z 0-9 - _ or over 255 characters are refused with InvalidParameterValue", async () => {
    for (const name of ["Doc Website Monitor", "a/b", "dots.not.allowed", "ünïcode", "", "x".repeat(256)]) {
      const outcome = await attempt(() => cw.send(new PutDashboardCommand({ DashboardName: name, DashboardBody: body(TEXT) })));
      assert.match(outcome, /^InvalidParameterValue(Exception)?: The value .*for field DashboardName/, JSON.stringify(name));
    }
    assert.equal(await attempt(() => cw.send(new PutDashboardCommand({ DashboardName: "x".repeat(255), DashboardBody: body(TEXT) }))), "ok");
    assert.match(await attempt(() => cw.send(new ListDashboardsCommand({ DashboardNamePrefix: "a b" }))), /^InvalidParameterValue(Exception)?: /);
    assert.match(await attempt(() => cw.send(new ListDashboardsCommand({ NextToken: "not-ours" }))), /^InvalidParameterValue(Exception)?: /);
  });

  it("ListDashboards: by name, a prefix, LastModified and Size, 1,000 a page with a NextToken", async () => {
    const before = Date.now();
    for (let i = 0; i < 1_005; i += 67) {
      await Promise.all(Array.from({ length: Math.min(67, 1_005 - i) }, (_, j) => cw.send(new PutDashboardCommand({ DashboardName: `page-${String(i + j).padStart(4, "0")}`, DashboardBody: body(TEXT) }))));
    }
    const first = await cw.send(new ListDashboardsCommand({ DashboardNamePrefix: "page-" }));
    assert.equal(first.DashboardEntries?.length, 1_000);
    assert.ok(first.NextToken);
    const second = await cw.send(new ListDashboardsCommand({ DashboardNamePrefix: "page-", NextToken: first.NextToken }));
    assert.deepEqual(second.DashboardEntries?.map((e) => e.DashboardName), ["page-1000", "page-1001", "page-1002", "page-1003", "page-1004"]);
    assert.equal(second.NextToken, undefined);
    const entry = second.DashboardEntries?.[0];
    assert.deepEqual([entry?.DashboardArn, entry?.Size], [arn("page-1000"), Buffer.byteLength(body(TEXT))]);
    assert.ok((entry?.LastModified?.getTime() ?? 0) >= before - 1_000);
    const ops = await cw.send(new ListDashboardsCommand({ DashboardNamePrefix: "Ops" }));
    assert.deepEqual(ops.DashboardEntries?.map((e) => e.DashboardName), ["Ops_main-1"]);
    const all = await cw.send(new ListDashboardsCommand({}));
    assert.deepEqual(all.DashboardEntries?.slice(0, 2).map((e) => e.DashboardName), ["Ops_main-1", "empty"], "upper case sorts first");
  });

  it("DeleteDashboards deletes every dashboard named, or none when one is missing", async () => {
    await cw.send(new PutDashboardCommand({ DashboardName: "del-a", DashboardBody: body(TEXT) }));
    await cw.send(new PutDashboardCommand({ DashboardName: "del-b", DashboardBody: body(TEXT) }));
    assert.match(await attempt(() => cw.send(new DeleteDashboardsCommand({ DashboardNames: ["del-a", "missing", "del-b"] }))), /^(DashboardNotFoundError|ResourceNotFound): Dashboard missing does not exist\.$/);
    const left = await cw.send(new ListDashboardsCommand({ DashboardNamePrefix: "del-" }));
    assert.deepEqual(left.DashboardEntries?.map((e) => e.DashboardName), ["del-a", "del-b"]);
    await cw.send(new DeleteDashboardsCommand({ DashboardNames: ["del-a", "del-b"] }));
    assert.deepEqual((await cw.send(new ListDashboardsCommand({ DashboardNamePrefix: "del-" }))).DashboardEntries, []);
    assert.match(await attempt(() => cw.send(new DeleteDashboardsCommand({ DashboardNames: Array.from({ length: 101 }, (_, i) => `page-${String(i).padStart(4, "0")}`) }))), /^InvalidParameterValue(Exception)?: DeleteDashboards deletes at most 100/);
  });

  it("tags: kept at creation, ignored on replacement, changed with TagResource / UntagResource on the dashboard's ARN, gone with it", async () => {
    const tags = async (name: string) => (await cw.send(new ListTagsForResourceCommand({ ResourceARN: arn(name) }))).Tags;
    await cw.send(new PutDashboardCommand({ DashboardName: "tagged", DashboardBody: body(TEXT), Tags: [{ Key: "team", Value: "a" }] }));
    await cw.send(new PutDashboardCommand({ DashboardName: "tagged", DashboardBody: body(METRIC), Tags: [{ Key: "team", Value: "b" }] }));
    assert.deepEqual(await tags("tagged"), [{ Key: "team", Value: "a" }]);
    await cw.send(new TagResourceCommand({ ResourceARN: arn("tagged"), Tags: [{ Key: "env", Value: "prod" }] }));
    await cw.send(new UntagResourceCommand({ ResourceARN: arn("tagged"), TagKeys: ["team"] }));
    assert.deepEqual(await tags("tagged"), [{ Key: "env", Value: "prod" }]);
    assert.equal((await cw.send(new GetDashboardCommand({ DashboardName: "tagged" }))).DashboardBody, body(METRIC), "tagging keeps the body");
    assert.match(await attempt(() => cw.send(new ListTagsForResourceCommand({ ResourceARN: "arn:aws:cloudwatch:us-east-1:000000000000:dashboard/tagged" }))), /^ResourceNotFoundException: /, "a dashboard ARN has no Region");
    await cw.send(new DeleteDashboardsCommand({ DashboardNames: ["tagged"] }));
    assert.match(await attempt(() => tags("tagged")), /^ResourceNotFoundException: /);
  });

  it("the AWS CLI (Query): put-dashboard, get-dashboard, list-dashboards, delete-dashboards, and its error codes", async () => {
    const put = await aws(suite.unkai.url, ["cloudwatch", "put-dashboard", "--dashboard-name", "cli-1", "--dashboard-body", body(TEXT, METRIC)]);
    assert.equal(put.code, 0, put.stderr);
    assert.deepEqual(JSON.parse(put.stdout), { DashboardValidationMessages: [] });
    const got = await aws(suite.unkai.url, ["cloudwatch", "get-dashboard", "--dashboard-name", "cli-1"]);
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual(JSON.parse(got.stdout), { DashboardArn: arn("cli-1"), DashboardBody: body(TEXT, METRIC), DashboardName: "cli-1" });
    const listed = await aws(suite.unkai.url, ["cloudwatch", "list-dashboards", "--dashboard-name-prefix", "cli-"]);
    assert.equal(listed.code, 0, listed.stderr);
    const entries = (JSON.parse(listed.stdout) as { DashboardEntries: { DashboardName: string; Size: number; LastModified: string }[] }).DashboardEntries;
    assert.deepEqual(entries.map((e) => [e.DashboardName, e.Size]), [["cli-1", Buffer.byteLength(body(TEXT, METRIC))]]);
    assert.ok(!Number.isNaN(Date.parse(entries[0]?.LastModified ?? "")));
    const bad = await aws(suite.unkai.url, ["cloudwatch", "put-dashboard", "--dashboard-name", "cli-2", "--dashboard-body", '{"widgets":[{"type":"text"}]}']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /\(InvalidParameterInput\) when calling the PutDashboard operation(?: \(reached max retries: \d+\))?: The dashboard body is invalid, there are 1 validation errors:/);
    assert.match(bad.stderr, /"dataPath": "\/widgets\/0"/);
    const badName = await aws(suite.unkai.url, ["cloudwatch", "put-dashboard", "--dashboard-name", "cli 2", "--dashboard-body", body(TEXT)]);
    assert.match(badName.stderr, /\(InvalidParameterValue\).*contains invalid characters/);
    const missing = await aws(suite.unkai.url, ["cloudwatch", "delete-dashboards", "--dashboard-names", "cli-1", "cli-missing"]);
    assert.match(missing.stderr, /\(ResourceNotFound\) when calling the DeleteDashboards operation(?: \(reached max retries: \d+\))?: Dashboard cli-missing does not exist\./);
    const deleted = await aws(suite.unkai.url, ["cloudwatch", "delete-dashboards", "--dashboard-names", "cli-1"]);
    assert.equal(deleted.code, 0, deleted.stderr);
    const gone = await aws(suite.unkai.url, ["cloudwatch", "get-dashboard", "--dashboard-name", "cli-1"]);
    assert.match(gone.stderr, /\(ResourceNotFound\) when calling the GetDashboard operation(?: \(reached max retries: \d+\))?: Dashboard cli-1 does not exist\./);
  });
});

describe("CloudWatch dashboards across a restart", () => {
  it("a dashboard put before Unkai restarts is listed and answered after it, body, date and tags unchanged", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-dashboards-"));
    const spaced = `{"widgets": [${JSON.stringify(TEXT)}] }`;
    try {
      const first = await startUnkai({}, dataDir);
      let listedBefore;
      try {
        const cw = client(first.url);
        await cw.send(new PutDashboardCommand({ DashboardName: "durable", DashboardBody: spaced, Tags: [{ Key: "k", Value: "v" }] }));
        listedBefore = (await cw.send(new ListDashboardsCommand({}))).DashboardEntries;
        cw.destroy();
      } finally {
        assert.equal(await first.stop(), 0);
      }
      const second = await startUnkai({}, dataDir);
      try {
        const cw = client(second.url);
        assert.equal((await cw.send(new GetDashboardCommand({ DashboardName: "durable" }))).DashboardBody, spaced);
        assert.deepEqual((await cw.send(new ListDashboardsCommand({}))).DashboardEntries, listedBefore);
        assert.deepEqual((await cw.send(new ListTagsForResourceCommand({ ResourceARN: arn("durable") }))).Tags, [{ Key: "k", Value: "v" }]);
        cw.destroy();
      } finally {
        assert.equal(await second.stop(), 0);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
