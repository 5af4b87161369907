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

  it("attribute names every JavaScript object inherits (constructor, toString, valueOf, __proto__) are attributes like any other", async () => {
    const json = async (target: string, body: object) => JSON.parse(await call(target, body)) as Record<string, unknown>;
    const names = { "#c": "constructor", "#t": "toString", "#v": "valueOf", "#p": "__proto__", "#m": "m" };
    await call("PutItem", { TableName: TABLE, Item: { pk: { S: "names" }, sk: { S: "1" }, m: { M: { x: { N: "1" } } } } });
    const count = async (filter: string, values?: object) =>
      (await json("Query", { TableName: TABLE, KeyConditionExpression: "pk = :k", FilterExpression: filter, ExpressionAttributeNames: Object.fromEntries(Object.entries(names).filter(([placeholder]) => filter.includes(placeholder))), ExpressionAttributeValues: { ":k": { S: "names" }, ...values } })).Count;
    // None of them is an attribute of the item yet.
    for (const missing of ["attribute_exists(#c)", "attribute_exists(#t)", "attribute_exists(#m.#v)", "attribute_exists(#p)", "attribute_exists(#m.#p)"]) {
      assert.equal(await count(missing), 0, missing);
    }
    assert.equal(await count("#m = :m", { ":m": { M: { constructor: { N: "1" } } } }), 0, "maps compared by their own attributes");
    assert.equal(await count("#m = :m", { ":m": { M: { x: { N: "1" } } } }), 1);
    const updated = await json("UpdateItem", {
      TableName: TABLE, Key: { pk: { S: "names" }, sk: { S: "1" } }, ReturnValues: "ALL_NEW", ExpressionAttributeNames: names,
      UpdateExpression: "SET #c = if_not_exists(#c, :zero), #v = :v, #p = :p, #m.#p = :p ADD #t :one", ExpressionAttributeValues: { ":zero": { N: "0" }, ":v": { S: "v" }, ":p": { S: "p" }, ":one": { N: "1" } },
    });
    const item = (updated.Attributes ?? {}) as Record<string, unknown>;
    const own = (map: object, name: string): unknown => Object.getOwnPropertyDescriptor(map, name)?.value;
    assert.deepEqual(Object.keys(item).sort(), ["__proto__", "constructor", "m", "pk", "sk", "toString", "valueOf"]);
    assert.deepEqual(["constructor", "toString", "valueOf", "__proto__"].map((name) => own(item, name)), [{ N: "0" }, { N: "1" }, { S: "v" }, { S: "p" }]);
    assert.equal(await count("attribute_exists(#c) AND attribute_exists(#t) AND attribute_exists(#v) AND attribute_exists(#p) AND attribute_exists(#m.#p)"), 1);
    const projected = await json("GetItem", { TableName: TABLE, Key: { pk: { S: "names" }, sk: { S: "1" } }, ProjectionExpression: "#p, #m.#p, #t", ExpressionAttributeNames: { "#p": "__proto__", "#m": "m", "#t": "toString" } });
    const shown = projected.Item as Record<string, unknown>;
    assert.deepEqual(Object.keys(shown).sort(), ["__proto__", "m", "toString"]);
    assert.deepEqual([own(shown, "__proto__"), own(shown, "toString"), own((own(shown, "m") as { M: object }).M, "__proto__")], [{ S: "p" }, { N: "1" }, { S: "p" }]);
  });

  it("a table whose key is named constructor asks for that key like any other", async () => {
    await call("CreateTable", {
      TableName: "ctor-keyed", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "constructor", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "constructor", AttributeType: "S" }],
    });
    const refused = async (target: string, body: object) => {
      const res = await signedFetch(`${suite.unkai.url}/`, { method: "POST", service: "dynamodb", body: JSON.stringify(body), headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${target}` } });
      return [res.status, ((await res.json()) as { message: string }).message];
    };
    assert.deepEqual(await refused("PutItem", { TableName: "ctor-keyed", Item: { x: { S: "1" } } }), [400, "One or more parameter values were invalid: Missing the key constructor in the item"]);
    assert.deepEqual(await refused("GetItem", { TableName: "ctor-keyed", Key: { x: { S: "1" } } }), [400, "The provided key element does not match the schema"]);
    await call("PutItem", { TableName: "ctor-keyed", Item: { constructor: { S: "a" } } });
    assert.equal(await call("GetItem", { TableName: "ctor-keyed", Key: { constructor: { S: "a" } } }), JSON.stringify({ Item: { constructor: { S: "a" } } }));
  });
});
