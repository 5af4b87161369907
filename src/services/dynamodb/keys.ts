/**
 * Item keys: DynamoDB's checks on key attributes, and their encoding as bytes whose unsigned order is
 * DynamoDB's key order (S by UTF-8 bytes, B by bytes, N numerically), so the store can sort and range
 * over them with plain SQL.
 */
import { RawJson } from "../../protocol/codecs/raw-json.js";
import type { DynamoItemKey, DynamoItemRow, DynamoSortBound } from "../../store/ports.js";
import { invalid, type IndexDefinition, type TableDefinition } from "./table-definition.js";
import { attributeOf, checkMap, setAttribute, itemSize, parseNumber, sortableNumber, typeOf, type AttributeMap, type AttributeValue, type KeyRange, type KeySchema } from "./expressions/index.js";

const MAX_PARTITION_KEY_BYTES = 2048;
const MAX_SORT_KEY_BYTES = 1024;
export const MAX_ITEM_BYTES = 400 * 1024;

export function encodeKeyValue(value: AttributeValue): Buffer {
  if (value.S !== undefined) return Buffer.from(value.S, "utf8");
  if (value.N !== undefined) return sortableNumber(parseNumber(value.N));
  return Buffer.from(value.B ?? new Uint8Array());
}

/** The sort key bounds of a key condition (begins_with: from the prefix up to, not including, the next prefix). */
export function sortBounds(range: KeyRange): { lower?: DynamoSortBound; upper?: DynamoSortBound } {
  const sort = range.sort;
  if (sort === undefined) return {};
  const [first, second] = sort.values.map(encodeKeyValue) as [Buffer, Buffer | undefined];
  switch (sort.operator) {
    case "=":
      return { lower: { key: first, inclusive: true }, upper: { key: first, inclusive: true } };
    case "<":
    case "<=":
      return { upper: { key: first, inclusive: sort.operator === "<=" } };
    case ">":
    case ">=":
      return { lower: { key: first, inclusive: sort.operator === ">=" } };
    case "between":
      return { lower: { key: first, inclusive: true }, upper: { key: second as Buffer, inclusive: true } };
    case "begins_with": {
      const end = prefixEnd(first);
      return { lower: { key: first, inclusive: true }, ...(end === undefined ? {} : { upper: { key: end, inclusive: false } }) };
    }
  }
}

/** Whether sort key bytes fall within the bounds. */
export function withinBounds(value: Buffer, { lower, upper }: { lower?: DynamoSortBound; upper?: DynamoSortBound }): boolean {
  if (lower !== undefined) {
    const c = Buffer.compare(value, lower.key);
    if (c < 0 || (c === 0 && !lower.inclusive)) return false;
  }
  if (upper !== undefined) {
    const c = Buffer.compare(value, upper.key);
    if (c > 0 || (c === 0 && !upper.inclusive)) return false;
  }
  return true;
}

/** The smallest byte string above every string starting with `prefix`, if any. */
function prefixEnd(prefix: Buffer): Buffer | undefined {
  const bytes = Buffer.from(prefix);
  for (let i = bytes.length - 1; i >= 0; i--) {
    if ((bytes[i] as number) < 0xff) {
      bytes[i] = (bytes[i] as number) + 1;
      return bytes.subarray(0, i + 1);
    }
  }
  return undefined;
}

function checkKeyValue(name: string, expected: string, value: AttributeValue, limit: number, tooLarge: string): void {
  const actual = typeOf(value);
  if (actual !== expected) throw invalid(`One or more parameter values were invalid: Type mismatch for key ${name} expected: ${expected} actual: ${actual}`);
  const bytes = value.S !== undefined ? Buffer.byteLength(value.S, "utf8") : value.B !== undefined ? value.B.length : 1;
  if (bytes === 0) throw invalid(`One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${value.S !== undefined ? "string" : "binary"} value. Key: ${name}`);
  if (bytes > limit) throw invalid(`One or more parameter values were invalid: ${tooLarge}`);
}

/** The store key of an item being written (PutItem's `Item`): its key attributes must be there and typed right. */
export function keyOfItem(table: string, schema: KeySchema, item: AttributeMap): DynamoItemKey {
  for (const key of [schema.partition, schema.sort]) {
    if (key === undefined) continue;
    const value = attributeOf(item, key.name);
    if (value === undefined) throw invalid(`One or more parameter values were invalid: Missing the key ${key.name} in the item`);
    const partition = key === schema.partition;
    checkKeyValue(key.name, key.type, value, partition ? MAX_PARTITION_KEY_BYTES : MAX_SORT_KEY_BYTES, partition ? "Size of hashkey has exceeded the maximum size limit of2048 bytes" : "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
  }
  return encodeKey(table, schema, item);
}

function encodeKey(table: string, schema: KeySchema, item: AttributeMap): DynamoItemKey {
  const { partitionKey, sortKey } = keyBytes(schema, item);
  return { table, partitionKey, sortKey };
}

const NO_SORT_KEY = Buffer.alloc(0);

/**
 * The order-preserving bytes of an item's key under a key schema, a table's or an index's (empty sort
 * bytes without a sort key). The item must carry the key's attributes.
 */
export function keyBytes(schema: KeySchema, item: AttributeMap): { partitionKey: Buffer; sortKey: Buffer } {
  return {
    partitionKey: encodeKeyValue(attributeOf(item, schema.partition.name) as AttributeValue),
    sortKey: schema.sort === undefined ? NO_SORT_KEY : encodeKeyValue(attributeOf(item, schema.sort.name) as AttributeValue),
  };
}

/** A `Key` parameter: exactly the key attributes, typed right (DynamoDB's "does not match the schema"). */
export function checkKey(table: string, schema: KeySchema, raw: unknown): { key: DynamoItemKey; attributes: AttributeMap } {
  const attributes = checkMap(raw ?? {});
  const names = [schema.partition.name, ...(schema.sort ? [schema.sort.name] : [])];
  const given = Object.keys(attributes);
  if (given.length !== names.length || !names.every((name) => attributeOf(attributes, name) !== undefined)) throw invalid("The provided key element does not match the schema");
  for (const key of [schema.partition, schema.sort]) {
    if (key === undefined) continue;
    const value = attributeOf(attributes, key.name) as AttributeValue;
    if (typeOf(value) !== key.type) throw invalid("The provided key element does not match the schema");
    checkKeyValue(key.name, key.type, value, Infinity, "");
  }
  return { key: encodeKey(table, schema, attributes), attributes };
}

/** The key attributes of an item (LastEvaluatedKey, UnprocessedKeys). */
export function keyAttributes(schema: KeySchema, item: AttributeMap): AttributeMap {
  const key: AttributeMap = {};
  for (const k of [schema.partition, schema.sort]) {
    const value = k === undefined ? undefined : attributeOf(item, k.name);
    if (k !== undefined && value !== undefined) setAttribute(key, k.name, value);
  }
  return key;
}

export function checkItemSize(item: AttributeMap): number {
  const size = itemSize(item);
  if (size > MAX_ITEM_BYTES) throw invalid("Item size has exceeded the maximum allowed size");
  return size;
}

/** A binary as JSON.stringify writes it unaided (an object of its bytes), under `B` or in a `BS`; most items hold none. */
const BINARY_WRITTEN = /"BS?":[{[]/;

/** An item as the store keeps it: JSON with binaries in base64 (the replacer, a call per value, only for an item that may hold one). */
export function storedItem(item: AttributeMap): string {
  const plain = JSON.stringify(item);
  if (!BINARY_WRITTEN.test(plain)) return plain;
  return JSON.stringify(item, function (this: Record<string, unknown>, key, value: unknown) {
    const original = this[key];
    return original instanceof Uint8Array ? Buffer.from(original).toString("base64") : value;
  });
}

/** Whether stored JSON may hold a binary (a `"B":` or `"BS":` member); most items hold none. */
const MAY_HOLD_BINARY = /"BS?":/;

/**
 * A stored row's item as the wire has it, without parsing it: `storedItem` wrote it with
 * JSON.stringify, binaries as base64, which is exactly how the response would serialise the parsed item.
 */
export function wireJsonOf(row: DynamoItemRow): RawJson {
  return new RawJson(row.item);
}

/** The item of a stored row: `B` members and `BS` elements back to bytes (a map member named B holds an object, not a string). */
export function itemOf(row: DynamoItemRow | undefined): AttributeMap | undefined {
  if (row === undefined) return undefined;
  // Without a binary the stored JSON is the item as it is: a plain parse, without a reviver call per value.
  if (!MAY_HOLD_BINARY.test(row.item)) return JSON.parse(row.item) as AttributeMap;
  return JSON.parse(row.item, (key, value: unknown) => {
    if (key === "B" && typeof value === "string") return Buffer.from(value, "base64");
    if (key === "BS" && Array.isArray(value) && value.every((v) => typeof v === "string")) return value.map((v: string) => Buffer.from(v, "base64"));
    return value;
  }) as AttributeMap;
}

export function rowOf(key: DynamoItemKey, item: AttributeMap): DynamoItemRow {
  return { ...key, item: storedItem(item), size: itemSize(item) };
}

/** An item's index key attributes, where present, must have the type the table defines (indexes skip items without them). */
export function checkIndexKeys(definition: TableDefinition, item: AttributeMap): void {
  for (const index of [...(definition.GlobalSecondaryIndexes ?? []), ...(definition.LocalSecondaryIndexes ?? [])]) {
    const problem = indexKeyProblem(definition, index, item);
    if (problem !== undefined) throw invalid(problem);
  }
}

/**
 * Whether the item's index key attributes may go into the index: a write refuses an item whose don't
 * (checkIndexKeys), and a GSI created over items already there leaves such items out, as AWS's backfill does.
 */
export function fitsIndex(definition: TableDefinition, index: IndexDefinition, item: AttributeMap): boolean {
  return indexKeyProblem(definition, index, item) === undefined;
}

/** What is wrong with the item's key attributes of one index (a wrong type, an empty value, too many bytes), in DynamoDB's words. */
function indexKeyProblem(definition: TableDefinition, index: IndexDefinition, item: AttributeMap): string | undefined {
  for (const key of index.KeySchema) {
    const value = attributeOf(item, key.AttributeName);
    const expected = definition.AttributeDefinitions.find((d) => d.AttributeName === key.AttributeName)?.AttributeType;
    if (value === undefined || expected === undefined) continue;
    const actual = typeOf(value);
    if (actual !== expected) {
      return `One or more parameter values were invalid: Type mismatch for Index Key ${key.AttributeName} Expected: ${expected} Actual: ${actual} IndexName: ${index.IndexName}`;
    }
    if ((value.S ?? value.B ?? "x").length === 0) {
      return `One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty ${value.S !== undefined ? "string" : "binary"} value. IndexName: ${index.IndexName}, IndexKey: ${key.AttributeName}`;
    }
    const bytes = value.S !== undefined ? Buffer.byteLength(value.S, "utf8") : (value.B?.length ?? 0);
    const limit = key.KeyType === "HASH" ? MAX_PARTITION_KEY_BYTES : MAX_SORT_KEY_BYTES;
    if (bytes > limit) {
      return `One or more parameter values were invalid: Size limit exceeded for Index Key ${key.AttributeName} Actual Size: ${bytes} bytes Max Size: ${limit} bytes IndexName: ${index.IndexName}`;
    }
  }
  return undefined;
}
