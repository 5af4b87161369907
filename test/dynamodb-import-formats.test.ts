/**
 * ImportTable's CSV reader over text that arrives in chunks, as S3 bodies do: a `""` escape split between
 * two chunks is one quote (before, the first `"` closed the field and the row was read wrong, uncounted),
 * and a column named `__proto__` is an attribute like any other.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { csvRecords, csvRows } from "../src/services/dynamodb/import-formats.js";

async function* chunks(...parts: string[]): AsyncGenerator<string> {
  for (const part of parts) yield part;
}

async function all<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe("CSV imports read chunked text", () => {
  it("a doubled quote split across chunks is one quote; a closing quote at a chunk's end still closes", async () => {
    const whole = 'pk,note\n"a","say ""hi"", then go"\n"b","x"\n';
    const expected = [["pk", "note"], ["a", 'say "hi", then go'], ["b", "x"]];
    assert.deepEqual(await all(csvRows(chunks(whole), ",")), expected);
    for (let cut = 1; cut < whole.length; cut++) {
      assert.deepEqual(await all(csvRows(chunks(whole.slice(0, cut), whole.slice(cut)), ",")), expected, `split at ${cut}`);
    }
    assert.deepEqual(await all(csvRows(chunks('a,"b"'), ",")), [["a", "b"]], "a quote closing the text's last field");
  });

  it("a column named __proto__ becomes an attribute, not the item's prototype", async () => {
    const [item] = await all(csvRecords(chunks('pk,__proto__\nk,v\n'), ",", undefined, [{ AttributeName: "pk", AttributeType: "S" }]));
    assert.ok(item !== undefined && !(item instanceof Error));
    assert.deepEqual(Object.keys(item), ["pk", "__proto__"]);
    assert.equal(JSON.stringify(item), '{"pk":{"S":"k"},"__proto__":{"S":"v"}}');
    assert.equal(Object.getPrototypeOf(item), Object.prototype);
  });
});
