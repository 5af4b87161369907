/**
 * Every console blueprint deploys on Unkai and answers its matching test event template, and a scheduled
 * blueprint's schedule becomes a real EventBridge rule targeting it (the console's own modules, run in Node).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, it } from "node:test";
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { CreateFunctionCommand, GetPolicyCommand, type Runtime } from "@aws-sdk/client-lambda";
import { zipDirectory } from "../src/store/code/zip-directory.js";
import { DEFAULT_CREDENTIALS, invoke, ROLE } from "./helpers/clients.js";
import { REPO_ROOT } from "./helpers/paths.js";
import { unkaiSuite } from "./helpers/suite.js";

interface Blueprint { id: string; runtime: string; handler: string; files: Record<string, string>; testTemplate: string; schedule?: string }
interface Template { title: string; event: unknown }

const { BLUEPRINTS } = (await import(pathToFileURL(join(REPO_ROOT, "console", "blueprints.js")).href)) as { BLUEPRINTS: Blueprint[] };
const { wireSchedule } = (await import(pathToFileURL(join(REPO_ROOT, "console", "schedule-wiring.js")).href)) as {
  wireSchedule: (clients: object, name: string, arn: string, expression: string) => Promise<{ name: string; arn: string }>;
};
const { EVENT_TEMPLATES } = (await import(pathToFileURL(join(REPO_ROOT, "console", "event-templates.js")).href)) as { EVENT_TEMPLATES: Record<string, Template> };

/** What each blueprint's answer to its template must hold. */
const EXPECTED: Record<string, (result: Record<string, unknown>) => void> = {
  "hello-node": (r) => assert.equal(r.message, "Hello from Unkai!"),
  "hello-python": (r) => assert.equal(r.message, "Hello from Unkai!"),
  "s3-node": (r) => assert.deepEqual(r.objects, [{ bucket: "example-bucket", key: "test/key", size: 1024 }]),
  "http-node": (r) => {
    assert.equal(r.statusCode, 200);
    assert.deepEqual(JSON.parse(r.body as string), { hello: "unkai", path: "/hello" });
  },
  "scheduled-python": (r) => assert.ok(!Number.isNaN(Date.parse(r.ranAt as string))),
};

describe("console blueprints", () => {
  const suite = unkaiSuite();

  it("has an expectation for every blueprint and a template for every blueprint's test event", () => {
    assert.deepEqual(BLUEPRINTS.map((b) => b.id).sort(), Object.keys(EXPECTED).sort());
    for (const b of BLUEPRINTS) assert.ok(EVENT_TEMPLATES[b.testTemplate], `${b.id} names an existing template`);
  });

  for (const blueprint of BLUEPRINTS) {
    it(`${blueprint.id} runs its ${blueprint.testTemplate} event`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "unkai-blueprint-"));
      try {
        for (const [path, text] of Object.entries(blueprint.files)) writeFileSync(join(dir, path), text);
        await suite.client.send(new CreateFunctionCommand({
          FunctionName: `bp-${blueprint.id}`, Runtime: blueprint.runtime as Runtime, Handler: blueprint.handler, Role: ROLE, Code: { ZipFile: await zipDirectory(dir) },
        }));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const result = await invoke(suite.client, `bp-${blueprint.id}`, EVENT_TEMPLATES[blueprint.testTemplate]?.event);
      assert.equal(result.functionError, undefined, result.payload);
      EXPECTED[blueprint.id]?.(result.json as Record<string, unknown>);
    });
  }

  it("a scheduled blueprint's schedule becomes an EventBridge rule that may invoke only its function", async () => {
    const scheduled = BLUEPRINTS.filter((b) => b.schedule);
    assert.deepEqual(scheduled.map((b) => [b.id, b.schedule]), [["scheduled-python", "rate(5 minutes)"]]);
    const events = new EventBridgeClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const arn = "arn:aws:lambda:us-east-1:000000000000:function:bp-scheduled-python";
    const rule = await wireSchedule({ events, lambda: suite.client }, "bp-scheduled-python", arn, "rate(5 minutes)");
    assert.equal((await events.send(new DescribeRuleCommand({ Name: rule.name }))).ScheduleExpression, "rate(5 minutes)");
    assert.deepEqual((await events.send(new ListTargetsByRuleCommand({ Rule: rule.name }))).Targets?.map((t) => t.Arn), [arn]);
    const policy = JSON.parse((await suite.client.send(new GetPolicyCommand({ FunctionName: "bp-scheduled-python" }))).Policy ?? "{}") as { Statement: { Principal: unknown; Condition: unknown }[] };
    assert.deepEqual(policy.Statement.map((s) => [s.Principal, s.Condition]), [[{ Service: "events.amazonaws.com" }, { ArnLike: { "AWS:SourceArn": rule.arn } }]]);
    events.destroy();
  });
});
