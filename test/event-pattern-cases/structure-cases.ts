/** Whole-pattern cases from the EventBridge user guide's examples: nesting, arrays, AND/OR, `$or`. */
import type { JsonValue } from "../../src/core/event-pattern/index.js";

export type StructureCase = readonly [name: string, pattern: JsonValue, event: JsonValue, matches: boolean];

/** The guide's sample EC2 event. */
export const EC2_EVENT = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  detail: { "instance-id": "i-1234567890abcdef0", state: "terminated" },
};

const COUNTS = { source: "test", detail: { "c-count": 5, "d-count": 7, "x-limit": 301.8 } };

export const STRUCTURE_CASES: readonly StructureCase[] = [
  ["source only", { source: ["aws.ec2"] }, EC2_EVENT, true],
  ["source mismatch", { source: ["aws.s3"] }, EC2_EVENT, false],
  ["source OR list", { source: ["aws.s3", "aws.ec2"] }, EC2_EVENT, true],
  ["AND of fields", { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] }, EC2_EVENT, true],
  ["AND fails on one field", { source: ["aws.ec2"], "detail-type": ["Other"] }, EC2_EVENT, false],
  ["nested detail", { detail: { state: ["terminated"] } }, EC2_EVENT, true],
  ["nested detail mismatch", { detail: { state: ["running"] } }, EC2_EVENT, false],
  ["nested field missing", { detail: { missing: ["x"] } }, EC2_EVENT, false],
  ["resources array intersects", { resources: ["arn:x", "arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"] }, EC2_EVENT, true],
  ["resources array no intersection", { resources: ["arn:x", "arn:y"] }, EC2_EVENT, false],
  ["account as string", { account: ["111122223333"] }, EC2_EVENT, true],
  ["account as number does not match a string", { account: [111122223333] }, EC2_EVENT, false],
  ["pattern nested where event has a string", { source: { inner: ["x"] } }, EC2_EVENT, false],
  ["leaf pattern where event has an object", { detail: ["terminated"] }, EC2_EVENT, false],
  ["extra event fields are ignored", { region: ["us-west-1"] }, EC2_EVENT, true],
  ["deeply nested", { detail: { a: { b: { c: ["d"] } } } }, { detail: { a: { b: { c: "d" } } } }, true],
  ["deeply nested mismatch", { detail: { a: { b: { c: ["d"] } } } }, { detail: { a: { b: { c: "e" } } } }, false],
  ["array of objects, one element matches", { detail: { items: { id: ["b"] } } }, { detail: { items: [{ id: "a" }, { id: "b" }] } }, true],
  ["array of objects, none matches", { detail: { items: { id: ["c"] } } }, { detail: { items: [{ id: "a" }, { id: "b" }] } }, false],
  [
    "array of objects: fields must come from one element",
    { detail: { items: { id: ["a"], qty: [2] } } },
    { detail: { items: [{ id: "a", qty: 1 }, { id: "b", qty: 2 }] } },
    false,
  ],
  [
    "array of objects: both fields in one element",
    { detail: { items: { id: ["b"], qty: [2] } } },
    { detail: { items: [{ id: "a", qty: 1 }, { id: "b", qty: 2 }] } },
    true,
  ],
  ["array of arrays of objects", { d: { k: ["v"] } }, { d: [[{ k: "x" }], [{ k: "v" }]] }, true],
  ["empty value and null (guide: empty values)", { detail: { eventVersion: [""], responseElements: [null] } }, { detail: { eventVersion: "", responseElements: null } }, true],
  ["null does not match a missing field", { detail: { responseElements: [null] } }, { detail: {} }, false],
  ["exists false on nested absent object", { detail: { x: { y: [{ exists: false }] } } }, { detail: {} }, true],
  ["exists false inside array of objects", { d: { y: [{ exists: false }] } }, { d: [{ y: 1 }, { z: 2 }] }, true],
  ["exists true inside array of objects", { d: { y: [{ exists: true }] } }, { d: [{ z: 1 }, { z: 2 }] }, false],
  [
    "guide numeric example",
    { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }], "d-count": [{ numeric: ["<", 10] }], "x-limit": [{ numeric: ["=", 3.018e2] }] } },
    COUNTS,
    true,
  ],
  [
    "guide numeric example, one out of range",
    { detail: { "c-count": [{ numeric: [">", 0, "<", 5] }], "d-count": [{ numeric: ["<", 10] }] } },
    COUNTS,
    false,
  ],
  [
    "guide complex example (anything-but and numeric)",
    { detail: { state: [{ "anything-but": "initializing" }], "c-count": [{ numeric: [">", 0, "<=", 5] }] } },
    { detail: { state: "running", "c-count": 3 } },
    true,
  ],
  [
    "$or inside detail, first branch",
    { detail: { $or: [{ "c-count": [{ numeric: [">", 0, "<=", 5] }] }, { "d-count": [{ numeric: ["<", 10] }] }, { "x-limit": [{ numeric: ["=", 3.018e2] }] }] } },
    { detail: { "c-count": 3 } },
    true,
  ],
  [
    "$or inside detail, third branch",
    { detail: { $or: [{ "c-count": [{ numeric: [">", 0, "<=", 5] }] }, { "d-count": [{ numeric: ["<", 10] }] }, { "x-limit": [{ numeric: ["=", 3.018e2] }] }] } },
    { detail: { "x-limit": 301.8 } },
    true,
  ],
  [
    "$or inside detail, no branch",
    { detail: { $or: [{ "c-count": [{ numeric: [">", 0, "<=", 5] }] }, { "d-count": [{ numeric: ["<", 10] }] }] } },
    { detail: { "c-count": 9, "d-count": 11 } },
    false,
  ],
  [
    "$or ANDed with source (guide)",
    { source: ["aws.cloudwatch"], $or: [{ metricName: ["CPUUtilization", "ReadLatency"] }, { namespace: ["AWS/EC2", "AWS/ES"] }] },
    { source: "aws.cloudwatch", namespace: "AWS/ES" },
    true,
  ],
  [
    "$or ANDed with source, source differs",
    { source: ["aws.cloudwatch"], $or: [{ metricName: ["CPUUtilization", "ReadLatency"] }, { namespace: ["AWS/EC2", "AWS/ES"] }] },
    { source: "aws.ec2", namespace: "AWS/ES" },
    false,
  ],
  [
    "$or with a multi-field branch",
    { $or: [{ a: ["1"], b: ["2"] }, { c: ["3"] }] },
    { a: "1", b: "x" },
    false,
  ],
  [
    "$or with a multi-field branch, matched",
    { $or: [{ a: ["1"], b: ["2"] }, { c: ["3"] }] },
    { a: "1", b: "2" },
    true,
  ],
  [
    "nested $or",
    { $or: [{ a: ["1"] }, { $or: [{ b: ["2"] }, { c: ["3"] }] }] },
    { c: "3" },
    true,
  ],
  [
    "$or branch with nested objects",
    { $or: [{ detail: { state: ["running"] } }, { detail: { "instance-id": ["i-1234567890abcdef0"] } }] },
    EC2_EVENT,
    true,
  ],
  [
    "two $or groups at different levels",
    { $or: [{ source: ["aws.ec2"] }, { source: ["aws.s3"] }], detail: { $or: [{ state: ["stopped"] }, { state: ["pending"] }] } },
    EC2_EVENT,
    false,
  ],
  ["a literal key named like an operator is a field", { detail: { prefix: ["x"] } }, { detail: { prefix: "x" } }, true],
  ["key with dots is one key", { "a.b": ["c"] }, { "a.b": "c" }, true],
  ["key with dots does not traverse", { "a.b": ["c"] }, { a: { b: "c" } }, false],
  // Field names every JavaScript object inherits are fields like any other: absent unless the event has them.
  ["constructor absent: exists false matches", { detail: { constructor: [{ exists: false }] } }, { detail: {} }, true],
  ["constructor absent: exists true does not match", { detail: { constructor: [{ exists: true }] } }, { detail: {} }, false],
  ["toString absent: anything-but does not match", { detail: { toString: [{ "anything-but": "x" }] } }, { detail: {} }, false],
  ["valueOf absent: a nested pattern sees nothing", { detail: { valueOf: { hasOwnProperty: [{ exists: true }] } } }, { detail: {} }, false],
  ["constructor present: matched by value", { detail: { constructor: ["x"] } }, { detail: { constructor: "x" } }, true],
  ["__proto__ is a field of pattern and event", JSON.parse('{"detail":{"__proto__":["a"]}}'), JSON.parse('{"detail":{"__proto__":"a"}}'), true],
  ["__proto__ absent: a nested pattern sees nothing", JSON.parse('{"detail":{"__proto__":{"hasOwnProperty":[{"exists":true}]}}}'), { detail: {} }, false],
];
