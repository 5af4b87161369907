/**
 * Object tagging: Put/Get/DeleteObjectTagging, `x-amz-tagging` on PutObject, the tag count on GET/HEAD,
 * CopyObject's tagging directive, S3's InvalidTag limits. SDK v3, boto3 and the AWS CLI v2.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CopyObjectCommand, CreateBucketCommand, DeleteObjectTaggingCommand, GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, PutObjectCommand, PutObjectTaggingCommand, S3ServiceException, type S3Client,
} from "@aws-sdk/client-s3";
import { awsS3, boto3S3, s3 } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

async function rejects(promise: Promise<unknown>, code: string, status: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof S3ServiceException, `an S3 error, got ${String(error)}`);
    assert.equal(error.$metadata.httpStatusCode, status);
    assert.equal(error.name, code);
    return true;
  });
}

describe("S3 object tagging", () => {
  const suite = unkaiSuite();
  let client: S3Client;
  const tagsOf = async (Key: string) => (await client.send(new GetObjectTaggingCommand({ Bucket: "tagged", Key }))).TagSet?.map((t) => [t.Key, t.Value]);
  before(async () => {
    client = s3(suite.unkai.url);
    await client.send(new CreateBucketCommand({ Bucket: "tagged" }));
  });
  after(() => client.destroy());

  it("stores x-amz-tagging with the object, counts tags on GET/HEAD, replaces and deletes them without touching the body", async () => {
    await client.send(new PutObjectCommand({ Bucket: "tagged", Key: "k", Body: "body", Tagging: "project=unkai&empty=&sp%20ace=a%26b" }));
    assert.deepEqual(await tagsOf("k"), [["project", "unkai"], ["empty", ""], ["sp ace", "a&b"]]);
    const head = await client.send(new HeadObjectCommand({ Bucket: "tagged", Key: "k" }));
    assert.equal(head.TagCount, 3);
    await client.send(new PutObjectTaggingCommand({ Bucket: "tagged", Key: "k", Tagging: { TagSet: [{ Key: "stage", Value: "prod" }] } }));
    assert.deepEqual(await tagsOf("k"), [["stage", "prod"]]);
    const got = await client.send(new GetObjectCommand({ Bucket: "tagged", Key: "k" }));
    assert.equal(await got.Body?.transformToString(), "body");
    assert.equal(got.TagCount, 1);
    assert.equal(got.ETag, head.ETag, "retagging leaves the object as it was");
    await client.send(new DeleteObjectTaggingCommand({ Bucket: "tagged", Key: "k" }));
    assert.deepEqual(await tagsOf("k"), []);
    assert.equal((await client.send(new HeadObjectCommand({ Bucket: "tagged", Key: "k" }))).TagCount, undefined);
    await client.send(new PutObjectCommand({ Bucket: "tagged", Key: "k", Body: "overwritten" }));
    assert.deepEqual(await tagsOf("k"), [], "an overwrite without tags has none");
  });

  it("copies the source's tags by default and takes x-amz-tagging with the REPLACE directive", async () => {
    await client.send(new PutObjectCommand({ Bucket: "tagged", Key: "src", Body: "s", Tagging: "a=1" }));
    await client.send(new CopyObjectCommand({ Bucket: "tagged", Key: "copied", CopySource: "tagged/src" }));
    assert.deepEqual(await tagsOf("copied"), [["a", "1"]]);
    await client.send(new CopyObjectCommand({ Bucket: "tagged", Key: "replaced", CopySource: "tagged/src", TaggingDirective: "REPLACE", Tagging: "b=2" }));
    assert.deepEqual(await tagsOf("replaced"), [["b", "2"]]);
  });

  it("refuses tag sets past S3's limits with InvalidTag, and tags of a missing object with NoSuchKey", async () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    for (const TagSet of [many, [{ Key: "x".repeat(129), Value: "" }], [{ Key: "k", Value: "v".repeat(257) }], [{ Key: "d", Value: "1" }, { Key: "d", Value: "2" }], [{ Key: "", Value: "v" }]]) {
      await rejects(client.send(new PutObjectTaggingCommand({ Bucket: "tagged", Key: "src", Tagging: { TagSet } })), "InvalidTag", 400);
    }
    await rejects(client.send(new PutObjectCommand({ Bucket: "tagged", Key: "refused", Body: "x", Tagging: many.map((t) => `${t.Key}=v`).join("&") })), "InvalidTag", 400);
    await rejects(client.send(new GetObjectCommand({ Bucket: "tagged", Key: "refused" })), "NoSuchKey", 404);
    assert.deepEqual(await tagsOf("src"), [["a", "1"]], "a refused tag set changes nothing");
    await rejects(client.send(new PutObjectTaggingCommand({ Bucket: "tagged", Key: "missing", Tagging: { TagSet: [] } })), "NoSuchKey", 404);
  });

  it("keeps tags named like JavaScript object members, __proto__ included", async () => {
    await client.send(new PutObjectCommand({ Bucket: "tagged", Key: "inherited", Body: "x", Tagging: "__proto__=a&constructor=b" }));
    assert.deepEqual(await tagsOf("inherited"), [["__proto__", "a"], ["constructor", "b"]]);
    assert.equal((await client.send(new HeadObjectCommand({ Bucket: "tagged", Key: "inherited" }))).TagCount, 2);
    await client.send(new PutObjectTaggingCommand({ Bucket: "tagged", Key: "inherited", Tagging: { TagSet: [{ Key: "__proto__", Value: "c" }] } }));
    assert.deepEqual(await tagsOf("inherited"), [["__proto__", "c"]]);
    await rejects(client.send(new PutObjectTaggingCommand({ Bucket: "tagged", Key: "inherited", Tagging: { TagSet: [{ Key: "__proto__", Value: "1" }, { Key: "__proto__", Value: "2" }] } })), "InvalidTag", 400);
  });

  it("boto3 and the AWS CLI v2 tag and read tags", async () => {
    const boto = await boto3S3(suite.unkai.url, [
      `s3.put_object(Bucket="tagged", Key="py", Body=b"x")`,
      `s3.put_object_tagging(Bucket="tagged", Key="py", Tagging={"TagSet": [{"Key": "lang", "Value": "python"}]})`,
      `print(json.dumps(s3.get_object_tagging(Bucket="tagged", Key="py")["TagSet"]))`,
    ].join("\n"));
    assert.deepEqual(boto, [{ Key: "lang", Value: "python" }]);
    const cli = await awsS3(suite.unkai.url, ["s3api", "get-object-tagging", "--bucket", "tagged", "--key", "py"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual((JSON.parse(cli.stdout) as { TagSet: unknown }).TagSet, [{ Key: "lang", Value: "python" }]);
  });
});
