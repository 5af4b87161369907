/**
 * Lambda's TagResource, ListTags and UntagResource over the wire, and a map of environment variables. The requests are signed by hand: the
 * SDK builds a map's JSON in a plain object, where a key named `__proto__` would be lost before sending.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createFromFixture, signedFetch } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

const ARN = "arn:aws:lambda:us-east-1:000000000000:function:tagged";

describe("Lambda tags", () => {
  const suite = unkaiSuite();
  const tagsUrl = (query = "") => `${suite.unkai.url}/2017-03-31/tags/${encodeURIComponent(ARN)}${query}`;
  const tag = (body: string) => signedFetch(tagsUrl(), { method: "POST", headers: { "content-type": "application/json" }, body });
  /** ListTags' body as text: JSON.parse keeps a `__proto__` key as an own member, so it is parsed here, not by the SDK. */
  const listed = async () => JSON.parse(await (await signedFetch(tagsUrl())).text()) as { Tags: Record<string, string> };

  it("keeps tags named like JavaScript object members, __proto__ included, and still refuses values that are not strings", async () => {
    await createFromFixture(suite.client, "tagged", "node-esm");
    assert.equal((await tag('{"Tags": {"__proto__": "a", "constructor": "b", "k": "v"}}')).status, 204);
    const tags = (await listed()).Tags;
    assert.deepEqual(Object.entries(tags), [["__proto__", "a"], ["constructor", "b"], ["k", "v"]]);

    const untagged = await signedFetch(tagsUrl("?tagKeys=__proto__"), { method: "DELETE" });
    assert.equal(untagged.status, 204);
    assert.deepEqual(Object.keys((await listed()).Tags), ["constructor", "k"]);

    for (const body of ['{"Tags": {"n": 1}}', '{"Tags": ["a"]}', "{}"]) {
      const refused = await tag(body);
      assert.equal(refused.status, 400, body);
      assert.equal(refused.headers.get("x-amzn-errortype"), "InvalidParameterValueException", body);
    }
  });

  it("an environment variable named __proto__ is refused as an invalid name, not dropped", async () => {
    const configure = (variables: string) => signedFetch(`${suite.unkai.url}/2015-03-31/functions/tagged/configuration`, {
      method: "PUT", headers: { "content-type": "application/json" }, body: `{"Environment": {"Variables": ${variables}}}`,
    });
    const refused = await configure('{"__proto__": "x", "OK": "1"}');
    assert.equal(refused.status, 400);
    assert.equal(refused.headers.get("x-amzn-errortype"), "InvalidParameterValueException");
    assert.match(await refused.text(), /Environment variable name '__proto__' is invalid/);
    assert.equal((await configure('{"OK": "1"}')).status, 200);
  });
});
