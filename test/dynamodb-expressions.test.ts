/**
 * DynamoDB's expression languages and data rules as pure functions (src/services/dynamodb/expressions/):
 * parsing, evaluation, updates, projections, key conditions, numbers and AttributeValue validation,
 * with DynamoDB's own error messages for what it refuses.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  applyUpdate,
  canonicalNumber,
  checkMap,
  checkValue,
  evaluate,
  ExpressionAttributes,
  itemSize,
  keyRange,
  parseCondition,
  parseNumber,
  parseProjection,
  parseUpdate,
  project,
  sortableNumber,
  type AttributeMap,
} from "../src/services/dynamodb/expressions/index.js";
import { addNumbers, formatNumber } from "../src/services/dynamodb/expressions/number.js";

const ITEM: AttributeMap = {
  id: { S: "user#1" },
  age: { N: "42" },
  name: { S: "Ada Lovelace" },
  tags: { SS: ["admin", "math"] },
  scores: { NS: ["1", "2.5"] },
  bin: { B: Buffer.from([1, 2, 3]) },
  active: { BOOL: true },
  nothing: { NULL: true },
  lst: { L: [{ S: "a" }, { N: "2" }, { M: { deep: { S: "x" } } }] },
  address: { M: { city: { S: "London" }, zip: { S: "NW1" } } },
};

function check(expression: string, values: Record<string, unknown> = {}, names?: Record<string, string>, item: AttributeMap = ITEM): boolean {
  const attributes = new ExpressionAttributes(names, Object.keys(values).length > 0 ? values : undefined);
  const condition = parseCondition(expression, "ConditionExpression", attributes);
  attributes.assertAllUsed();
  return evaluate(condition, item);
}

function refuses(run: () => unknown, message: string | RegExp): void {
  assert.throws(run, (error: Error & { code?: string }) => {
    assert.equal(error.code, "ValidationException", error.message);
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

describe("condition expressions", () => {
  it("compares with every comparator, numbers as numbers and strings by UTF-8 bytes", () => {
    assert.equal(check("age = :n", { ":n": { N: "42.0" } }), true);
    assert.equal(check("age <> :n", { ":n": { N: "41" } }), true);
    assert.equal(check("age < :n", { ":n": { N: "100" } }), true, "42 < 100 numerically (not as text)");
    assert.equal(check("age <= :n", { ":n": { N: "42" } }), true);
    assert.equal(check("age > :n", { ":n": { N: "9" } }), true);
    assert.equal(check("age >= :n", { ":n": { N: "43" } }), false);
    assert.equal(check("#n > :s", { ":s": { S: "Ad" } }, { "#n": "name" }), true);
    assert.equal(check("age = :s", { ":s": { S: "42" } }), false, "different types are never equal");
    assert.equal(check("age < :s", { ":s": { S: "zzz" } }), false, "different types do not compare");
    assert.equal(check("gone <> :s", { ":s": { S: "x" } }), true, "a gone attribute is not equal to a value");
    assert.equal(check("gone = :s", { ":s": { S: "x" } }), false);
  });

  it("evaluates BETWEEN, IN, AND/OR/NOT with NOT > AND > OR precedence, and parentheses", () => {
    assert.equal(check("age BETWEEN :a AND :b", { ":a": { N: "40" }, ":b": { N: "42" } }), true);
    assert.equal(check("age BETWEEN :a AND :b", { ":a": { N: "43" }, ":b": { N: "50" } }), false);
    assert.equal(check("age IN (:a, :b)", { ":a": { N: "1" }, ":b": { N: "42" } }), true);
    assert.equal(check("age IN (:a)", { ":a": { N: "1" } }), false);
    const values = { ":t": { BOOL: true }, ":f": { BOOL: false } };
    assert.equal(check("active = :t OR active = :f AND active = :f", values), true, "AND binds tighter than OR");
    assert.equal(check("(active = :t OR active = :f) AND active = :f", values), false);
    assert.equal(check("NOT active = :f AND active = :t", values), true, "NOT binds tightest");
    assert.equal(check("NOT (active = :t AND active = :t) or active = :f", values), false, "keywords are case-insensitive");
  });

  it("calls every function: attribute_exists, attribute_not_exists, attribute_type, begins_with, contains, size", () => {
    assert.equal(check("attribute_exists(address.city)"), true);
    assert.equal(check("attribute_exists(address.country)"), false);
    assert.equal(check("attribute_not_exists(lst[5])"), true);
    assert.equal(check("attribute_exists(lst[2].deep)"), true);
    assert.equal(check("attribute_type(tags, :t)", { ":t": { S: "SS" } }), true);
    assert.equal(check("attribute_type(age, :t)", { ":t": { S: "S" } }), false);
    assert.equal(check("begins_with(#n, :p)", { ":p": { S: "Ada" } }, { "#n": "name" }), true);
    assert.equal(check("begins_with(bin, :p)", { ":p": { B: Buffer.from([1, 2]) } }), true);
    assert.equal(check("begins_with(age, :p)", { ":p": { S: "4" } }), false, "begins_with on a number is false");
    assert.equal(check("contains(#n, :s)", { ":s": { S: "Love" } }, { "#n": "name" }), true);
    assert.equal(check("contains(tags, :s)", { ":s": { S: "math" } }), true);
    assert.equal(check("contains(scores, :n)", { ":n": { N: "2.50" } }), true, "number sets by value");
    assert.equal(check("contains(lst, :n)", { ":n": { N: "2" } }), true);
    assert.equal(check("contains(tags, :s)", { ":s": { S: "mat" } }), false, "set membership is not a substring");
    assert.equal(check("size(#n) = :n", { ":n": { N: "12" } }, { "#n": "name" }), true);
    assert.equal(check("size(tags) = :n AND size(lst) = :m AND size(address) = :n AND size(bin) = :k", { ":n": { N: "2" }, ":m": { N: "3" }, ":k": { N: "3" } }), true);
    assert.equal(check("size(age) > :z", { ":z": { N: "0" } }), false, "a number has no size");
  });

  it("refuses malformed expressions with DynamoDB's messages", () => {
    refuses(() => check("age = = :n", { ":n": { N: "1" } }), 'Invalid ConditionExpression: Syntax error; token: "=", near: "= = :n"');
    refuses(() => check("age ="), 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="');
    refuses(() => check("age ! :n", { ":n": { N: "1" } }), 'Invalid ConditionExpression: Syntax error; token: "!", near: "age ! :n"');
    refuses(() => check(" "), "Invalid ConditionExpression: The expression can not be empty;");
    refuses(() => check("status = :s", { ":s": { S: "x" } }), "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status");
    refuses(() => check("foo(age)"), "Invalid ConditionExpression: Invalid function name; function: foo");
    refuses(() => check("size(age)"), "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size");
    refuses(() => check("attribute_exists(:v)", { ":v": { S: "x" } }), "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists");
    refuses(() => check("attribute_exists(a, b)"), "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2");
    refuses(() => check("begins_with(a, :n)", { ":n": { N: "1" } }), "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N");
    refuses(
      () => check("age BETWEEN :b AND :a", { ":a": { N: "1" }, ":b": { N: "5" } }),
      "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}",
    );
    refuses(() => check("attribute_type(a, :t)", { ":t": { S: "STRING" } }), /Invalid attribute type name found in type: STRING/);
    refuses(() => check(`a.${Array.from({ length: 32 }, () => "b").join(".")} = :v`, { ":v": { S: "x" } }), /too many nesting levels; nesting levels: 33/);
    refuses(() => check("a = :v".repeat(1000), { ":v": { S: "x" } }), /Expression size has exceeded the maximum allowed size/);
    const deep = `${"(".repeat(2000)}a = :v${")".repeat(2000)}`;
    refuses(() => check(deep, { ":v": { S: "x" } }), /nested too deeply/);
    refuses(() => update(`SET a = ${"list_append(".repeat(150)}:v${", :v)".repeat(150)}`, { ":v": { L: [] } }), /nested too deeply/);
  });

  it("checks ExpressionAttributeNames and Values: undefined, unused, empty, malformed", () => {
    refuses(() => check("#x = :v", { ":v": { S: "a" } }), "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #x");
    refuses(() => check("a = :w", { ":v": { S: "a" } }), "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :w");
    refuses(() => check("a = :v", { ":v": { S: "a" }, ":u": { S: "b" } }), "Value provided in ExpressionAttributeValues unused in expressions: keys: {:u}");
    refuses(() => check("a = :v", { ":v": { S: "a" } }, { "#u": "x" }), "Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}");
    refuses(() => new ExpressionAttributes({}, undefined), "ExpressionAttributeNames must not be empty");
    refuses(() => new ExpressionAttributes(undefined, {}), "ExpressionAttributeValues must not be empty");
    refuses(() => new ExpressionAttributes(undefined, { v: { S: "x" } }), 'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"');
    refuses(
      () => new ExpressionAttributes(undefined, { ":s": { SS: [] } }),
      // An empty set's refusal names no key, as AWS's does; other invalid values name theirs.
      "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string set  may not be empty",
    );
    refuses(
      () => new ExpressionAttributes(undefined, { ":n": { NULL: false } }),
      "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: Null attribute value types must have the value of true for key :n",
    );
  });
});

function update(expression: string, values: Record<string, unknown> | undefined, item: AttributeMap = ITEM, names?: Record<string, string>): AttributeMap {
  const attributes = new ExpressionAttributes(names, values);
  const actions = parseUpdate(expression, attributes);
  attributes.assertAllUsed();
  return applyUpdate(item, actions);
}

describe("update expressions", () => {
  it("SETs with + and -, if_not_exists and list_append, computing every value from the item before the update", () => {
    const after = update("SET age = age + :one, visits = if_not_exists(visits, :zero) - :one, lst = list_append(:front, lst), dup = age", {
      ":one": { N: "1" },
      ":zero": { N: "0" },
      ":front": { L: [{ S: "first" }] },
    });
    assert.deepEqual(after.age, { N: "43" });
    assert.deepEqual(after.visits, { N: "-1" });
    assert.deepEqual(after.dup, { N: "42" }, "dup reads age before the update");
    assert.equal(after.lst?.L?.length, 4);
    assert.deepEqual(after.lst?.L?.[0], { S: "first" });
    assert.deepEqual(ITEM.age, { N: "42" }, "the original item is untouched");
    const precise = update("SET n = n + :x", { ":x": { N: "0.2" } }, { n: { N: "0.1" } });
    assert.deepEqual(precise.n, { N: "0.3" }, "decimal arithmetic, not floats");
  });

  it("SETs nested paths and list elements (past the end appends); REMOVE drops attributes and lst elements", () => {
    const after = update("SET address.city = :c, lst[1] = :x, lst[9] = :y REMOVE nothing, lst[0]", { ":c": { S: "Paris" }, ":x": { S: "two" }, ":y": { S: "end" } });
    assert.deepEqual(after.address?.M?.city, { S: "Paris" });
    assert.deepEqual(after.lst?.L, [{ S: "two" }, { M: { deep: { S: "x" } } }, { S: "end" }]);
    assert.equal(after.nothing, undefined);
    const removedTwo = update("REMOVE lst[0], lst[2]", undefined);
    assert.deepEqual(removedTwo.lst?.L, [{ N: "2" }], "both named elements go, whatever the order of removal");
  });

  it("ADDs to numbers and sets, DELETEs from sets (an emptied set disappears)", () => {
    const after = update("ADD age :n, tags :t, hits :n DELETE scores :s", { ":n": { N: "8" }, ":t": { SS: ["math", "cs"] }, ":s": { NS: ["1", "2.5"] } });
    assert.deepEqual(after.age, { N: "50" });
    assert.deepEqual(after.hits, { N: "8" }, "ADD to a gone attribute starts from the value");
    assert.deepEqual(after.tags, { SS: ["admin", "math", "cs"] });
    assert.equal(after.scores, undefined);
  });

  it("refuses what DynamoDB refuses, with its messages", () => {
    refuses(() => update("SET a = :v SET b = :v", { ":v": { S: "x" } }), 'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;');
    refuses(
      () => update("SET address = :v REMOVE address.city", { ":v": { S: "x" } }),
      "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [address], path two: [address, city]",
    );
    refuses(() => update("SET a.b = :v, a[0] = :v", { ":v": { S: "x" } }), /Two document paths conflict with each other; .* path one: \[a, b\], path two: \[a, \[0\]\]/);
    refuses(() => update("ADD age :s", { ":s": { S: "x" } }), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING");
    refuses(() => update("DELETE tags :n", { ":n": { N: "1" } }), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER");
    refuses(() => update("SET a = #n + :v", { ":v": { N: "1" } }, ITEM, { "#n": "name" }), "An operand in the update expression has an incorrect data type");
    refuses(() => update("SET a = gone", undefined), "The provided expression refers to an attribute that does not exist in the item");
    refuses(() => update("SET nowhere.x = :v", { ":v": { S: "x" } }), "The document path provided in the update expression is invalid for update");
    refuses(() => update("SET a = size(b)", undefined), "Invalid UpdateExpression: The function is not allowed in an update expression; function: size");
    refuses(() => update("SET a :v", { ":v": { S: "x" } }), 'Invalid UpdateExpression: Syntax error; token: ":v", near: "a :v"');
    // Real DynamoDB's answers, as reported in public issues (aws-cdk #7591, nubo-db/dynoxide #12):
    refuses(() => update("ADD hits : incr", { ":incr": { N: "1" } }), 'Invalid UpdateExpression: Syntax error; token: ":", near: "hits : incr"');
    refuses(() => update("INVALID SYNTAX HERE", undefined), 'Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"');
    refuses(() => update("SET a = list_append(b, :v)", { ":v": { S: "x" } }), /list_append, operand type: S/);
    refuses(() => update("SET a = :v", { ":v": { N: "1" }, ":w": { N: "2" } }), "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}");
    refuses(() => update("SET n = n + :x", { ":x": { N: "9".repeat(38) } }, { n: { N: "0.1" } }), "Attempting to store more than 38 significant digits in a Number");
  });
});

describe("projection expressions", () => {
  it("keeps nested paths and list indexes, compacting lists", () => {
    const attributes = new ExpressionAttributes({ "#n": "name" }, undefined);
    const paths = parseProjection("#n, address.city, lst[2].deep, lst[0], absent", attributes);
    attributes.assertAllUsed();
    assert.deepEqual(project(ITEM, paths), {
      name: { S: "Ada Lovelace" },
      address: { M: { city: { S: "London" } } },
      lst: { L: [{ S: "a" }, { M: { deep: { S: "x" } } }] },
    });
    refuses(() => parseProjection("a, a.b", new ExpressionAttributes(undefined, undefined)), /Invalid ProjectionExpression: Two document paths overlap/);
  });
});

describe("key condition expressions", () => {
  const schema = { partition: { name: "pk", type: "S" }, sort: { name: "sk", type: "N" } };
  const range = (expression: string, values: Record<string, unknown>) => keyRange(parseCondition(expression, "KeyConditionExpression", new ExpressionAttributes(undefined, values)), schema);

  it("accepts = on the partition key and one sort condition, either side", () => {
    assert.deepEqual(range("pk = :p AND sk BETWEEN :a AND :b", { ":p": { S: "x" }, ":a": { N: "1" }, ":b": { N: "2" } }).sort, { operator: "between", values: [{ N: "1" }, { N: "2" }] });
    assert.deepEqual(range(":p = pk AND :a < sk", { ":p": { S: "x" }, ":a": { N: "1" } }).sort, { operator: ">", values: [{ N: "1" }] });
    assert.equal(range("pk = :p", { ":p": { S: "x" } }).sort, undefined);
  });

  it("refuses other shapes", () => {
    refuses(() => range("sk = :a", { ":a": { N: "1" } }), "Query condition missed key schema element: pk");
    refuses(() => range("pk = :p OR sk = :a", { ":p": { S: "x" }, ":a": { N: "1" } }), "Invalid operator used in KeyConditionExpression: OR");
    refuses(() => range("pk > :p", { ":p": { S: "x" } }), "Query key condition not supported");
    refuses(() => range("pk = :p AND extra = :a", { ":p": { S: "x" }, ":a": { N: "1" } }), "Query key condition not supported");
    refuses(() => range("pk = :p AND sk = :a", { ":p": { S: "x" }, ":a": { S: "1" } }), "One or more parameter values were invalid: Condition parameter type does not match schema type");
  });
});

describe("numbers and attribute values", () => {
  it("keeps 38 digits exactly and normalizes the text", () => {
    assert.equal(canonicalNumber("+001.500e1"), "15");
    assert.equal(canonicalNumber("-0.000"), "0");
    assert.equal(canonicalNumber("1e-130"), `0.${"0".repeat(129)}1`);
    assert.equal(formatNumber(addNumbers(parseNumber("12345678901234567890123456789012345678"), parseNumber("1"))), "12345678901234567890123456789012345679");
    refuses(() => canonicalNumber("1".repeat(39)), "Attempting to store more than 38 significant digits in a Number");
    refuses(() => canonicalNumber("1e126"), "Number overflow. Attempting to store a number with magnitude larger than supported range");
    refuses(() => canonicalNumber("1e-131"), "Number underflow. Attempting to store a number with magnitude smaller than supported range");
    refuses(() => canonicalNumber("12abc"), "A value provided cannot be converted into a number");
  });

  it("encodes numbers so byte order is numeric order", () => {
    const numbers = ["-1e100", "-100", "-10.5", "-10", "-1", "-0.5", "-0.05", "0", "0.001", "0.5", "1", "9", "10", "10.5", "11", "1e100"];
    const shuffled = [...numbers].reverse().sort(() => 0).sort((a, b) => Buffer.compare(sortableNumber(parseNumber(a)), sortableNumber(parseNumber(b))));
    assert.deepEqual(shuffled, numbers);
  });

  it("refuses malformed AttributeValues with DynamoDB's messages, and nesting past 32 levels", () => {
    refuses(() => checkValue({}), "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    refuses(() => checkValue({ S: "a", N: "1" }), "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
    refuses(() => checkValue({ NS: [] }), "One or more parameter values were invalid: An number set  may not be empty");
    refuses(() => checkValue({ SS: ["a", "a"] }), "One or more parameter values were invalid: Input collection [a, a] contains duplicates.");
    refuses(() => checkValue({ NS: ["1", "1.0"] }), /contains duplicates/);
    refuses(() => checkValue({ NULL: false }), "One or more parameter values were invalid: Null attribute value types must have the value of true");
    let deep: unknown = { S: "x" };
    for (let i = 0; i < 40; i++) deep = { L: [deep] };
    refuses(() => checkValue(deep), "Nesting Levels have exceeded supported limits");
    assert.deepEqual(checkMap({ n: { N: "1.50" }, s: { S: "" } }), { n: { N: "1.5" }, s: { S: "" } }, "empty strings are allowed outside keys");
  });

  it("counts item size as DynamoDB does: names plus values", () => {
    assert.equal(itemSize({ ab: { S: "xyz" } }), 5);
    assert.equal(itemSize({ n: { N: "12345" } }), 1 + 4);
    assert.equal(itemSize({ m: { M: { k: { BOOL: true } } } }), 1 + 3 + 1 + 1 + 1);
  });
});
