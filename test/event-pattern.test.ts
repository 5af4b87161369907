/**
 * The shared event-pattern engine (src/core/event-pattern): table-driven cases written from AWS's
 * EventBridge and SNS documentation — every operator matched and not matched, nesting, arrays, `$or`,
 * AWS's validation reasons, and each dialect's differences.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  EVENTBRIDGE,
  EVENT_SOURCE_FILTER,
  EventPattern,
  PatternError,
  SNS_MESSAGE_BODY,
  eventBridgeMessage,
  snsFilterPolicyMessage,
  type JsonValue,
} from "../src/core/event-pattern/index.js";
import { EventSourceFilter, kinesisRecordForFilter, sqsRecordForFilter } from "../src/core/event-pattern/event-source-filter.js";
import { attributesAsEvent, compileFilterPolicy, matchesFilterPolicy } from "../src/core/event-pattern/sns.js";
import { INVALID_CASES } from "./event-pattern-cases/invalid-cases.js";
import { LEAF_CASES, MISSING } from "./event-pattern-cases/leaf-cases.js";
import { STRUCTURE_CASES } from "./event-pattern-cases/structure-cases.js";

function reasonOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof PatternError, `expected a PatternError, got ${String(error)}`);
    return error.reason;
  }
  assert.fail("the pattern was accepted");
}

describe("event patterns: every operator, matched and not matched", () => {
  for (const [operator, cases] of Object.entries(LEAF_CASES)) {
    it(`${operator} (${cases.length} cases)`, () => {
      for (const [alternative, value, expected] of cases) {
        const pattern = EventPattern.compile({ detail: { f: [alternative] } }, EVENTBRIDGE);
        const event: JsonValue = { detail: value === MISSING ? {} : { f: value } };
        assert.equal(pattern.matches(event), expected, `${JSON.stringify(alternative)} against ${JSON.stringify(value === MISSING ? "<missing>" : value)}`);
      }
    });
  }
  it("a leaf's alternatives are ORed, mixing operators", () => {
    const pattern = EventPattern.compile('{"f": ["exact", {"prefix": "pre"}, {"numeric": [">", 100]}, null]}', EVENTBRIDGE);
    for (const [value, expected] of [["exact", true], ["prefix-x", true], [101, true], [null, true], [50, false], ["other", false]] as const) {
      assert.equal(pattern.matches({ f: value }), expected, JSON.stringify(value));
    }
  });
});

describe("event patterns: structure", () => {
  for (const [name, pattern, event, expected] of STRUCTURE_CASES) {
    it(name, () => assert.equal(EventPattern.compile(pattern, EVENTBRIDGE).matches(event), expected));
  }
  it("a compiled pattern is reused across events and compiles from JSON text or a value alike", () => {
    const text = EventPattern.compile('{"source": ["a"]}', EVENTBRIDGE);
    const value = EventPattern.compile({ source: ["a"] }, EVENTBRIDGE);
    for (const event of [{ source: "a" }, { source: "b" }, {}] as JsonValue[]) assert.equal(text.matches(event), value.matches(event));
  });
  it("only objects are events", () => {
    const pattern = EventPattern.compile({ f: [{ exists: false }] }, EVENTBRIDGE);
    for (const event of [null, [], "text", 5] as JsonValue[]) assert.equal(pattern.matches(event), false);
    assert.equal(pattern.matches({}), true);
  });
});

describe("event patterns: AWS's validation reasons", () => {
  for (const [pattern, reason] of INVALID_CASES) {
    it(pattern, () => {
      const actual = reasonOf(() => EventPattern.compile(pattern, EVENTBRIDGE));
      if (typeof reason === "string") assert.equal(actual, reason);
      else assert.match(actual, reason);
    });
  }
  it("EventBridge's message wraps the reason", () => {
    const error = new PatternError("Empty arrays are not allowed");
    assert.equal(eventBridgeMessage(error), "Event pattern is not valid. Reason: Empty arrays are not allowed");
  });
});

describe("event patterns: dialects", () => {
  it("event-source filters refuse anything-but with prefix, suffix, equals-ignore-case and wildcard", () => {
    for (const form of ["prefix", "suffix", "equals-ignore-case", "wildcard"]) {
      const pattern = { body: { s: [{ "anything-but": { [form]: "x" } }] } };
      assert.equal(reasonOf(() => EventPattern.compile(pattern, EVENT_SOURCE_FILTER)), `Unsupported anything-but pattern: ${form}`);
      assert.doesNotThrow(() => EventPattern.compile(pattern, EVENTBRIDGE));
    }
    assert.ok(EventPattern.compile({ body: { s: [{ "anything-but": ["a", "b"] }] } }, EVENT_SOURCE_FILTER).matches({ body: { s: "c" } }));
  });
  it("SNS: no wildcard, at most five keys, at most 150 combinations, numbers within ±1e9", () => {
    assert.equal(reasonOf(() => compileFilterPolicy('{"a": [{"wildcard": "x*"}]}')), "Unrecognized match type wildcard");
    assert.equal(reasonOf(() => compileFilterPolicy('{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}')), "Filter policy can not have more than 5 keys");
    assert.doesNotThrow(() => compileFilterPolicy('{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"]}'));
    const values = (n: number): string => JSON.stringify(Array.from({ length: n }, (_, i) => `v${i}`));
    assert.equal(reasonOf(() => compileFilterPolicy(`{"a": ${values(10)}, "b": ${values(16)}}`)), "Filter policy is too complex");
    assert.doesNotThrow(() => compileFilterPolicy(`{"a": ${values(10)}, "b": ${values(15)}}`));
    assert.equal(reasonOf(() => compileFilterPolicy('{"p": [{"numeric": [">", 2e9]}]}')), "Value must be between -1.0E9 and 1.0E9, inclusive");
    assert.equal(snsFilterPolicyMessage(new PatternError("Filter policy is too complex")), "Invalid parameter: FilterPolicy: Filter policy is too complex");
  });
  it("SNS: keys inside $or branches and nested bodies count toward the five", () => {
    const policy = '{"a": {"b": ["1"], "c": ["1"]}, "$or": [{"d": ["1"]}, {"e": ["1"], "f": ["1"]}], "g": ["1"]}';
    assert.equal(reasonOf(() => compileFilterPolicy(policy, "MessageBody")), "Filter policy can not have more than 5 keys");
  });
  it("SNS MessageAttributes scope is flat; MessageBody scope nests", () => {
    assert.match(reasonOf(() => compileFilterPolicy('{"store": {"name": ["x"]}}', "MessageAttributes")), /"store" must be an array/);
    assert.doesNotThrow(() => compileFilterPolicy('{"store": {"name": ["x"]}}', "MessageBody"));
  });
  it("SNS numeric precision is five decimals", () => {
    const policy = EventPattern.compile({ p: [{ numeric: ["=", 1.00001] }] }, SNS_MESSAGE_BODY);
    assert.equal(policy.matches({ p: 1.000011 }), true);
    assert.equal(policy.matches({ p: 1.00002 }), false);
  });
});

describe("SNS filter policies over messages (the adapter)", () => {
  const attributes = {
    store: { DataType: "String", StringValue: "example_corp" },
    event: { DataType: "String", StringValue: "order_placed" },
    customer_interests: { DataType: "String.Array", StringValue: '["soccer", "rugby", 7]' },
    price_usd: { DataType: "Number", StringValue: "210.75" },
    encrypted: { DataType: "Binary", BinaryValue: new Uint8Array([1, 2]) },
    size: { DataType: "Number.kg", StringValue: "3" },
  };
  const cases: ReadonlyArray<readonly [policy: string, matches: boolean]> = [
    ['{"store": ["example_corp"]}', true],
    ['{"store": ["other"]}', false],
    ['{"customer_interests": ["rugby"]}', true],
    ['{"customer_interests": ["tennis"]}', false],
    ['{"customer_interests": [{"numeric": [">", 5]}]}', true],
    ['{"customer_interests": [{"numeric": [">", 7]}]}', false],
    ['{"price_usd": [{"numeric": [">=", 100]}]}', true],
    ['{"price_usd": [{"numeric": ["<", 100]}]}', false],
    ['{"price_usd": [210.75]}', true],
    ['{"price_usd": ["210.75"]}', false],
    ['{"size": [{"numeric": ["=", 3]}]}', true],
    ['{"encrypted": [{"exists": true}]}', false],
    ['{"encrypted": [{"exists": false}]}', true],
    ['{"missing": [{"exists": false}], "store": [{"prefix": "example"}]}', true],
    ['{"event": [{"anything-but": {"prefix": "order"}}]}', false],
    ['{"event": [{"suffix": "_placed"}]}', true],
    ['{"$or": [{"store": ["x"]}, {"event": ["order_placed"]}]}', true],
    ['{"constructor": [{"exists": false}]}', true],
    ['{"toString": [{"exists": true}]}', false],
  ];
  for (const [policy, expected] of cases) {
    it(`MessageAttributes ${policy}`, () => {
      assert.equal(matchesFilterPolicy(compileFilterPolicy(policy), "MessageAttributes", "ignored body", attributes), expected);
    });
  }
  it("MessageBody: the body is matched as JSON; a body that is not JSON matches nothing", () => {
    const policy = compileFilterPolicy('{"order": {"items": {"sku": [{"prefix": "A-"}]}}}', "MessageBody");
    const body = JSON.stringify({ order: { items: [{ sku: "B-1" }, { sku: "A-7" }] } });
    assert.equal(matchesFilterPolicy(policy, "MessageBody", body, {}), true);
    assert.equal(matchesFilterPolicy(policy, "MessageBody", JSON.stringify({ order: { items: [{ sku: "B-1" }] } }), {}), false);
    assert.equal(matchesFilterPolicy(policy, "MessageBody", "plain text", {}), false);
  });
  it("an attribute named __proto__ is an attribute like any other", () => {
    const named = JSON.parse('{"__proto__": {"DataType": "String", "StringValue": "v"}}') as typeof attributes;
    assert.equal(matchesFilterPolicy(compileFilterPolicy('{"__proto__": ["v"]}'), "MessageAttributes", "ignored body", named), true);
    assert.equal(Object.keys(attributesAsEvent(named)).join(), "__proto__");
  });
  it("attributes become an event: String.Array elements keep their JSON types, Binary is left out", () => {
    assert.deepEqual(attributesAsEvent(attributes), {
      store: "example_corp",
      event: "order_placed",
      customer_interests: ["soccer", "rugby", 7],
      price_usd: 210.75,
      size: 3,
    });
  });
});

describe("event-source-mapping filters (the adapter)", () => {
  const sqs = (body: string) => ({ messageId: "m1", body, attributes: { ApproximateReceiveCount: "1" }, eventSource: "aws:sqs" });
  it("SQS: a JSON body is matched by its fields; a plain body only by a pattern on the string", () => {
    const byField = EventSourceFilter.compile({ Filters: [{ Pattern: '{"body": {"RequestCode": ["BBBB"]}}' }] });
    assert.equal(byField.matches(sqsRecordForFilter(sqs('{"RecordNumber": 1234, "RequestCode": "BBBB"}'))), true);
    assert.equal(byField.matches(sqsRecordForFilter(sqs('{"RecordNumber": 1234, "RequestCode": "AAAA"}'))), false);
    assert.equal(byField.matches(sqsRecordForFilter(sqs("RequestCode BBBB"))), false, "a plain body is dropped by a field pattern");
    const byString = EventSourceFilter.compile({ Filters: [{ Pattern: '{"body": [{"prefix": "Request"}]}' }] });
    assert.equal(byString.matches(sqsRecordForFilter(sqs("RequestCode BBBB"))), true);
  });
  it("filters are ORed; none means everything passes; more than five are refused", () => {
    const either = EventSourceFilter.compile({ Filters: [{ Pattern: '{"body": {"n": [1]}}' }, { Pattern: '{"body": {"n": [2]}}' }] });
    assert.deepEqual([1, 2, 3].map((n) => either.matches(sqsRecordForFilter(sqs(JSON.stringify({ n }))))), [true, true, false]);
    assert.equal(EventSourceFilter.compile(undefined).matches(sqsRecordForFilter(sqs("x"))), true);
    assert.equal(reasonOf(() => EventSourceFilter.compile({ Filters: Array.from({ length: 6 }, () => ({ Pattern: '{"body": ["x"]}' })) })), "A FilterCriteria can have at most 5 filters");
    assert.equal(reasonOf(() => EventSourceFilter.compile({ Filters: [{ Pattern: '{"body": [{"anything-but": {"prefix": "x"}}]}' }] })), "Unsupported anything-but pattern: prefix");
  });
  it("Kinesis: data is decoded from base64 and matched by its fields", () => {
    const filter = EventSourceFilter.compile({ Filters: [{ Pattern: '{"partitionKey": ["1"], "data": {"temperature": [{"numeric": [">", 30]}]}}' }] });
    const record = (data: unknown, partitionKey = "1") => kinesisRecordForFilter({ kinesisSchemaVersion: "1.0", partitionKey, sequenceNumber: "4954", data: Buffer.from(JSON.stringify(data)).toString("base64") });
    assert.equal(filter.matches(record({ temperature: 35 })), true);
    assert.equal(filter.matches(record({ temperature: 25 })), false);
    assert.equal(filter.matches(record({ temperature: 35 }, "2")), false);
  });
});
