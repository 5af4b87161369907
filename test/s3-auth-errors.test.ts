/**
 * Issue 21, bug 7: every refused request on an S3 address is answered in S3's XML (never Lambda's
 * JSON): presigned URLs with a bad X-Amz-Expires, malformed Authorization headers signed for `s3`,
 * unsigned path-style requests. Raw requests, so the exact wire answer is seen.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { s3, signedS3Headers } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

/** Asserts an S3 XML error with one of `codes` and returns its code. */
async function s3Error(answer: Response, status: number, codes: readonly string[]): Promise<string> {
  const body = await answer.text();
  assert.equal(answer.status, status, body);
  assert.match(answer.headers.get("content-type") ?? "", /application\/xml/, body);
  const code = /^<\?xml[^>]*>\s*<Error><Code>([^<]+)<\/Code><Message>[^<]+<\/Message>/.exec(body)?.[1];
  assert.ok(code !== undefined && codes.includes(code), `one of ${codes.join(", ")}: ${body}`);
  return code;
}

describe("S3 authentication errors in S3's XML", () => {
  const suite = unkaiSuite();

  it("refuses presigned URLs whose X-Amz-Expires is 0, negative, over seven days or not a number", async () => {
    const client = s3(suite.unkai.url);
    await client.send(new CreateBucketCommand({ Bucket: "auth-xml" }));
    await client.send(new PutObjectCommand({ Bucket: "auth-xml", Key: "k", Body: "x" }));
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: "auth-xml", Key: "k" }), { expiresIn: 60 });
    assert.equal((await fetch(url)).status, 200);
    for (const expires of ["0", "-1", "604801", "soon"]) {
      const answer = await fetch(url.replace(/X-Amz-Expires=\d+/, `X-Amz-Expires=${expires}`));
      await s3Error(answer, 400, ["AuthorizationQueryParametersError"]);
    }
    client.destroy();
  });

  it("refuses a malformed Authorization header scoped to s3 with AuthorizationHeaderMalformed", async () => {
    const headers = await signedS3Headers(suite.unkai.url, "GET", "/auth-xml/k", {});
    const noHost = headers.authorization?.replace("SignedHeaders=host;", "SignedHeaders=");
    assert.ok(noHost !== headers.authorization, "the signature named host");
    const withoutHost = await fetch(`${suite.unkai.url}/auth-xml/k`, { headers: { ...headers, authorization: noHost ?? "" } });
    await s3Error(withoutHost, 400, ["AuthorizationHeaderMalformed"]);
    const { "x-amz-date": _dropped, ...undated } = headers;
    const noDate = await fetch(`${suite.unkai.url}/auth-xml/k`, { headers: undated });
    await s3Error(noDate, 400, ["AuthorizationHeaderMalformed"]);
  });

  it("refuses unsigned path-style requests with AccessDenied, for any method", async () => {
    for (const [method, path] of [["GET", "/auth-xml/k"], ["PUT", "/auth-xml/new"], ["DELETE", "/auth-xml/k"], ["GET", "/auth-xml"], ["PUT", "/new-bucket"], ["GET", "/no-such-bucket/k"]] as const) {
      const answer = await fetch(`${suite.unkai.url}${path}`, { method, body: method === "PUT" ? "x" : undefined });
      await s3Error(answer, 403, ["AccessDenied"]);
    }
    const lambdaStill = await fetch(`${suite.unkai.url}/2015-03-31/functions/`);
    assert.equal(lambdaStill.headers.get("x-amzn-errortype"), "MissingAuthenticationTokenException", "Lambda's paths stay Lambda's");
    assert.equal((await fetch(`${suite.unkai.url}/_unkai/health`)).status, 200);
  });
});
