/**
 * Whole items leave GetItem, Query and Scan as their stored JSON, unparsed (RawJson); a read with a
 * filter or a projection parses them. Both must put the same bytes on the wire: the same request
 * with an always-true filter (the parsing path) answers a body identical to the one without, for
 * items holding every type (binaries and binary sets, a map member named B, attribute names that
 * look like array indexes, non-ASCII text, empty strings, normalised numbers), on full pages and
 * pages cut by Limit (LastEvaluatedKey); GetItem's Item is the item as Query answers it, and its
 * consumed capacity is the one a projected read (parsed) counts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { signedFetch } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

const TABLE = "wire-items";

describe("DynamoDB whole items on the wire", () => {
  const suite = unkaiSuite();
  const call = async (target: string, body: object): Promise<string> => {
    const res = await signedFetch(`${suite.unkai.url}/`, {
      method: "POST", service: "dynamodb", body: JSON.stringify(body),
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${target}` },
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    return text;
  };
  const items = [
    { pk: { S: "p" }, sk: { S: "1-plain" }, n: { N: "010.50" }, s: { S: "" }, t: { S: "héllo ✓ 日本 😀" }, ok: { BOOL: true }, nil: { NULL: true } },
    { pk: { S: "p" }, sk: { S: "2-binary" }, b: { B: "AAEC/w==" }, bs: { BS: ["AQ==", "Ag=="] }, m: { M: { B: { M: { x: { S: "not bytes" } } } } } },
    { pk: { S: "p" }, sk: { S: "3-indexes" }, "10": { S: "ten" }, "2": { S: "two" }, z: { L: [{ N: "1e3" }, { SS: ["a", "b"] }, { NS: ["1", "-0.5"] }] } },
    { pk: { S: "p" }, sk: { S: "4-large" }, big: { S: "x".repeat(9_000) } },
    // An attribute may be named __proto__, at the top and nested: an attribute like any other.
    { pk: { S: "p" }, sk: { S: "5-proto" }, ["__proto__"]: { S: "own" }, m: { M: { ["__proto__"]: { N: "1" } } } },
  ];

  it("answers whole items byte for byte as the parsing path does", async () => {
    await call("CreateTable", {
      TableName: TABLE, BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "S" }],
    });
    for (const item of items) await call("PutItem", { TableName: TABLE, Item: item });
    const always = { FilterExpression: "attribute_exists(pk)" };
    const query = { TableName: TABLE, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": { S: "p" } }, ReturnConsumedCapacity: "TOTAL" };
    for (const variant of [{}, { Limit: 2 }, { Limit: 3, ScanIndexForward: false }]) {
      const raw = await call("Query", { ...query, ...variant });
      assert.equal(raw, await call("Query", { ...query, ...variant, ...always }), `Query ${JSON.stringify(variant)}`);
      assert.equal(await call("Scan", { TableName: TABLE, ...variant }), await call("Scan", { TableName: TABLE, ...variant, ...always }), `Scan ${JSON.stringify(variant)}`);
    }
    const full = JSON.parse(await call("Query", { ...query, ...always })) as { Items: object[]; Count: number };
    assert.equal(full.Count, items.length);
    assert.deepEqual(full.Items.map((item) => (item as { n?: { N: string } }).n?.N), ["10.5", undefined, undefined, undefined, undefined], "numbers normalised");
    const proto = full.Items[4] as Record<string, unknown>;
    assert.deepEqual([Object.keys(proto).sort(), Object.getOwnPropertyDescriptor(proto, "__proto__")?.value], [["__proto__", "m", "pk", "sk"], { S: "own" }], "kept as sent");
    assert.deepEqual(Object.keys((proto.m as { M: object }).M), ["__proto__"]);
    for (const [i, stored] of full.Items.entries()) {
      const key = { pk: items[i]?.pk, sk: items[i]?.sk };
      const got = await call("GetItem", { TableName: TABLE, Key: key, ReturnConsumedCapacity: "TOTAL" });
      const projected = JSON.parse(await call("GetItem", { TableName: TABLE, Key: key, ProjectionExpression: "pk", ReturnConsumedCapacity: "TOTAL" })) as { ConsumedCapacity: object };
      assert.equal(got, JSON.stringify({ Item: stored, ConsumedCapacity: projected.ConsumedCapacity }), `GetItem ${i}`);
    }
    assert.match(await call("GetItem", { TableName: TABLE, Key: { pk: { S: "p" }, sk: { S: "4-large" } }, ReturnConsumedCapacity: "TOTAL" }), /"CapacityUnits":1\.5\}/, "9 KB read eventually consistent: 3 units / 2");
    assert.equal(await call("GetItem", { TableName: TABLE, Key: { pk: { S: "p" }, sk: { S: "none" } } }), "{}");
  });
});
