/**
 * EventBridge target input and event envelopes (src/core/events): Input, InputPath and
 * InputTransformer as the user guide's "Transforming target input" examples show them; PutEvents
 * entries turned into events or refused per entry; the Scheduled Event shape.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { entrySize, eventFromEntry, scheduledEvent, type BusEvent, type EntryError } from "../src/core/events/envelope.js";
import { inputSpecProblem, targetInput } from "../src/core/events/input.js";
import { parseJsonPath } from "../src/core/events/json-path.js";
import type { JsonValue } from "../src/core/event-pattern/index.js";

const EVENT = {
  version: "0",
  id: "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "123456789012",
  time: "2015-11-11T21:29:54Z",
  region: "us-east-1",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  detail: { "instance-id": "i-0123456789", state: "RUNNING", count: 3, tags: ["a", "b"], nested: { quote: 'say "hi"' } },
} satisfies JsonValue;
const FIRING = { ruleArn: "arn:aws:events:us-east-1:123456789012:rule/r1", ruleName: "r1", ingestionTime: "2015-11-11T21:29:55Z" };

const transform = (InputTemplate: string, InputPathsMap: Record<string, string> = {}) =>
  targetInput({ InputTransformer: { InputPathsMap, InputTemplate } }, EVENT, FIRING);

describe("target input", () => {
  it("by default the whole event", () => assert.deepEqual(JSON.parse(targetInput({}, EVENT, FIRING)), EVENT));
  it("Input is sent as given", () => assert.equal(targetInput({ Input: '{"fixed": true}' }, EVENT, FIRING), '{"fixed": true}'));
  it("InputPath picks one part; a missing part is null", () => {
    assert.deepEqual(JSON.parse(targetInput({ InputPath: "$.detail" }, EVENT, FIRING)), EVENT.detail);
    assert.equal(targetInput({ InputPath: "$.detail.state" }, EVENT, FIRING), '"RUNNING"');
    assert.equal(targetInput({ InputPath: "$.resources[0]" }, EVENT, FIRING), '"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"');
    assert.equal(targetInput({ InputPath: "$['detail']['instance-id']" }, EVENT, FIRING), '"i-0123456789"');
    assert.equal(targetInput({ InputPath: "$.detail.absent" }, EVENT, FIRING), "null");
  });
  it("InputTransformer: JSON template, values outside quotes go in as JSON", () => {
    const out = transform('{"instance": <instance>, "state": <state>, "count": <count>, "tags": <tags>}', {
      instance: "$.detail.instance-id", state: "$.detail.state", count: "$.detail.count", tags: "$.detail.tags",
    });
    assert.deepEqual(JSON.parse(out), { instance: "i-0123456789", state: "RUNNING", count: 3, tags: ["a", "b"] });
  });
  it("InputTransformer: inside a string a value goes in raw and escaped (the guide's sentence example)", () => {
    const out = transform('"<instance> is in state <state>"', { instance: "$.detail.instance-id", state: "$.detail.state" });
    assert.equal(JSON.parse(out), "i-0123456789 is in state RUNNING");
    const quoted = transform('{"message": "got <q>"}', { q: "$.detail.nested.quote" });
    assert.deepEqual(JSON.parse(quoted), { message: 'got say "hi"' });
  });
  it("InputTransformer: predefined aws.events variables", () => {
    const out = transform('{"rule": <aws.events.rule-name>, "arn": "<aws.events.rule-arn>", "at": <aws.events.event.ingestion-time>, "event": <aws.events.event>}');
    assert.deepEqual(JSON.parse(out), { rule: "r1", arn: FIRING.ruleArn, at: FIRING.ingestionTime, event: EVENT });
  });
  it("InputTransformer: a path with nothing there is null (or empty inside a string); unknown <words> stay", () => {
    assert.deepEqual(JSON.parse(transform('{"x": <x>, "y": "[<x>]", "z": "<unknown>"}', { x: "$.detail.absent" })), { x: null, y: "[]", z: "<unknown>" });
  });
  it("names every JavaScript object inherits are read from the event's own members, and unknown <words> stay", () => {
    assert.equal(targetInput({ InputPath: "$.detail.constructor" }, EVENT, FIRING), "null");
    assert.equal(targetInput({ InputPath: "$.detail.__proto__" }, EVENT, FIRING), "null");
    const own = JSON.parse('{"detail": {"constructor": "c", "__proto__": "p"}}') as JsonValue;
    assert.equal(targetInput({ InputPath: "$.detail.constructor" }, own, FIRING), '"c"');
    assert.equal(targetInput({ InputPath: "$['detail']['__proto__']" }, own, FIRING), '"p"');
    assert.deepEqual(JSON.parse(transform('{"x": <c>, "y": "<s>"}', { c: "$.detail.constructor", s: "$.detail.toString" })), { x: null, y: "" });
    assert.deepEqual(JSON.parse(transform('{"x": "<constructor>", "y": "<toString>", "z": "<valueOf>"}')), { x: "<constructor>", y: "<toString>", z: "<valueOf>" });
    assert.equal(transform("<constructor>"), "<constructor>");
  });
  it("PutTargets refuses conflicting or malformed input settings", () => {
    assert.equal(inputSpecProblem({ Input: "{}", InputPath: "$" }), "Only one of Input, InputPath, or InputTransformer must be provided.");
    assert.match(inputSpecProblem({ Input: "{not json" }) ?? "", /Input is not valid/);
    assert.match(inputSpecProblem({ InputPath: "detail" }) ?? "", /InputPath is not valid/);
    assert.match(inputSpecProblem({ InputTransformer: { InputPathsMap: { a: "$..x" }, InputTemplate: "<a>" } }) ?? "", /InputPathsMap is not valid/);
    assert.match(inputSpecProblem({ InputTransformer: { InputPathsMap: { "aws.events.rule-arn": "$" }, InputTemplate: "x" } }) ?? "", /reserved/);
    assert.equal(inputSpecProblem({ InputTransformer: { InputPathsMap: { a: "$.detail.a" }, InputTemplate: "<a>" } }), undefined);
  });
  it("the JSONPath subset", () => {
    assert.deepEqual(parseJsonPath("$"), []);
    assert.deepEqual(parseJsonPath("$.a.b-c[2]['d e']"), ["a", "b-c", 2, "d e"]);
    for (const bad of ["", "a.b", "$.", "$..a", "$.a[*]", "$[?(@.x)]", "$.a[-1]"]) assert.equal(parseJsonPath(bad), undefined, bad);
  });
});

describe("event envelopes", () => {
  const where = { account: "123456789012", region: "us-east-1", nowMs: Date.parse("2026-01-01T10:20:30.456Z") };
  const isError = (value: BusEvent | EntryError): value is EntryError => "ErrorCode" in value;
  it("a PutEvents entry becomes an event with AWS's envelope, time to the second", () => {
    const event = eventFromEntry({ Source: "my.app", DetailType: "Order Placed", Detail: '{"id": 7}', Resources: ["arn:x"] }, where);
    assert.ok(!isError(event));
    assert.deepEqual({ ...event, id: "-" }, {
      version: "0", id: "-", "detail-type": "Order Placed", source: "my.app", account: "123456789012",
      time: "2026-01-01T10:20:30Z", region: "us-east-1", resources: ["arn:x"], detail: { id: 7 },
    });
    assert.match(event.id, /^[0-9a-f-]{36}$/);
    const timed = eventFromEntry({ Source: "s", DetailType: "d", Detail: "{}", Time: new Date("2020-02-02T02:02:02.999Z") }, where);
    assert.equal(isError(timed) ? "" : timed.time, "2020-02-02T02:02:02Z");
  });
  it("entries without Source, DetailType or Detail, or with a Detail that is not a JSON object, fail alone", () => {
    const cases: ReadonlyArray<readonly [Parameters<typeof eventFromEntry>[0], string]> = [
      [{ DetailType: "d", Detail: "{}" }, "InvalidArgument"],
      [{ Source: "s", Detail: "{}" }, "InvalidArgument"],
      [{ Source: "s", DetailType: "d" }, "InvalidArgument"],
      [{ Source: "s", DetailType: "d", Detail: "[1]" }, "MalformedDetail"],
      [{ Source: "s", DetailType: "d", Detail: '"text"' }, "MalformedDetail"],
      [{ Source: "s", DetailType: "d", Detail: "{oops" }, "MalformedDetail"],
    ];
    for (const [entry, code] of cases) {
      const result = eventFromEntry(entry, where);
      assert.ok(isError(result), JSON.stringify(entry));
      assert.equal(result.ErrorCode, code);
    }
    const noSource = eventFromEntry({ DetailType: "d", Detail: "{}" }, where);
    assert.equal(isError(noSource) ? noSource.ErrorMessage : "", "Parameter Source is not valid. Reason: Source is a required argument.");
  });
  it("entry size counts UTF-8 bytes of its members, and 14 for Time", () => {
    assert.equal(entrySize({ Source: "ab", DetailType: "é", Detail: "{}", Resources: ["r"], Time: new Date() }), 2 + 2 + 2 + 1 + 14);
  });
  it("a scheduled rule's event", () => {
    const event = scheduledEvent(FIRING.ruleArn, Date.parse("2026-01-01T10:21:00.004Z"), where, "fixed-id");
    assert.deepEqual(event, {
      version: "0", id: "fixed-id", "detail-type": "Scheduled Event", source: "aws.events", account: "123456789012",
      time: "2026-01-01T10:21:00Z", region: "us-east-1", resources: [FIRING.ruleArn], detail: {},
    });
  });
});
