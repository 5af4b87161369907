/**
 * Browser-based uploads (POST Object): forms boto3's generate_presigned_post signs, and forms signed
 * here as SDK v3's @aws-sdk/s3-presigned-post does (that package is not installed), posted with
 * fetch/FormData. The policy is enforced: an expired policy, a too-large or too-small file, a key
 * outside `starts-with`, a field no condition covers and a forged signature are refused with S3's errors.
 */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { CreateBucketCommand, GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, PutBucketNotificationConfigurationCommand, PutBucketPolicyCommand, type S3Client } from "@aws-sdk/client-s3";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { readForm } from "../src/services/s3/form-data.js";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { boto3S3, s3 } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";
import { allowServicesToSend } from "./helpers/service-access.js";

type Fields = Record<string, string>;

/** A form signed with SigV4 over its base64 policy, as SDK v3's createPresignedPost builds it. */
function signedForm(bucket: string, conditions: unknown[], fields: Fields, expiresInMs = 3_600_000, keys: { accessKeyId: string; secretAccessKey: string } = DEFAULT_CREDENTIALS): Fields {
  const now = new Date();
  const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  const day = amzDate.slice(0, 8);
  const credential = `${keys.accessKeyId}/${day}/us-east-1/s3/aws4_request`;
  const signing = { "X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Credential": credential, "X-Amz-Date": amzDate };
  const all = { bucket, ...fields, ...signing };
  const policy = Buffer.from(JSON.stringify({
    expiration: new Date(now.getTime() + expiresInMs).toISOString(),
    conditions: [...conditions, ...Object.entries(all).map(([name, value]) => ({ [name]: value }))],
  })).toString("base64");
  const key = [day, "us-east-1", "s3", "aws4_request"].reduce<Buffer>((k, part) => createHmac("sha256", k).update(part).digest(), Buffer.from(`AWS4${keys.secretAccessKey}`));
  return { ...all, Policy: policy, "X-Amz-Signature": createHmac("sha256", key).update(policy).digest("hex") };
}

async function post(url: string, bucket: string, fields: Fields, file: Buffer | string, filename = "upload.bin"): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", new Blob([file]), filename);
  return fetch(`${url}/${bucket}`, { method: "POST", body: form, redirect: "manual" });
}

async function s3Error(response: Response): Promise<{ status: number; code: string; message: string }> {
  const text = await response.text();
  const message = (/<Message>(.*?)<\/Message>/s.exec(text)?.[1] ?? "").replaceAll("&quot;", '"').replaceAll("&apos;", "'").replaceAll("&amp;", "&");
  return { status: response.status, code: /<Code>(.*?)<\/Code>/.exec(text)?.[1] ?? text, message };
}

describe("S3 browser-based uploads (POST Object)", () => {
  const suite = unkaiSuite();
  let client: S3Client;
  before(async () => {
    client = s3(suite.unkai.url);
    await client.send(new CreateBucketCommand({ Bucket: "forms" }));
  });
  after(() => client.destroy());

  it("stores the file of a form boto3's generate_presigned_post signed (key with ${filename}, starts-with, content-length-range)", async () => {
    const presigned = await boto3S3(suite.unkai.url, [
      `v4 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test",`,
      `                  config=botocore.config.Config(signature_version="s3v4", s3={"addressing_style": "path"}))`,
      `p = v4.generate_presigned_post("forms", "uploads/\${filename}", Fields={"Content-Type": "text/plain", "x-amz-meta-owner": "ana"},`,
      `    Conditions=[["starts-with", "$key", "uploads/"], {"Content-Type": "text/plain"}, {"x-amz-meta-owner": "ana"}, ["content-length-range", 1, 1000]], ExpiresIn=600)`,
      `print(json.dumps(p))`,
    ].join("\n")) as { url: string; fields: Fields };
    assert.ok(presigned.fields.policy && presigned.fields["x-amz-signature"], "boto3 signs with SigV4");
    const response = await post(suite.unkai.url, "forms", presigned.fields, "hello from a form", "note.txt");
    assert.equal(response.status, 204, await response.clone().text());
    assert.equal(response.headers.get("etag"), `"${createHash("md5").update("hello from a form").digest("hex")}"`);
    const got = await client.send(new GetObjectCommand({ Bucket: "forms", Key: "uploads/note.txt" }));
    assert.equal(await got.Body?.transformToString(), "hello from a form");
    assert.equal(got.ContentType, "text/plain");
    assert.deepEqual(got.Metadata, { owner: "ana" });

    const large = await post(suite.unkai.url, "forms", presigned.fields, Buffer.alloc(1001, 1), "big.txt");
    assert.deepEqual(await s3Error(large), { status: 400, code: "EntityTooLarge", message: "Your proposed upload exceeds the maximum allowed size of 1000 bytes." });
    const empty = await post(suite.unkai.url, "forms", presigned.fields, "", "empty.txt");
    assert.deepEqual(await s3Error(empty), { status: 400, code: "EntityTooSmall", message: "Your proposed upload is smaller than the minimum allowed size" });
    await assert.rejects(client.send(new HeadObjectCommand({ Bucket: "forms", Key: "uploads/big.txt" })), "a refused file is not stored");

    // boto3 1.26's default client still signs forms with signature version 2.
    const v2 = await boto3S3(suite.unkai.url, `print(json.dumps(s3.generate_presigned_post("forms", "v2.txt")))`) as { fields: Fields };
    assert.ok(v2.fields.AWSAccessKeyId && v2.fields.signature, "a version-2 form");
    assert.equal((await post(suite.unkai.url, "forms", v2.fields, "two")).status, 204);
    const forgedV2 = await post(suite.unkai.url, "forms", { ...v2.fields, key: "v2.txt", signature: Buffer.alloc(20).toString("base64") }, "x");
    assert.equal((await s3Error(forgedV2)).code, "SignatureDoesNotMatch");
    assert.equal(await (await client.send(new GetObjectCommand({ Bucket: "forms", Key: "v2.txt" }))).Body?.transformToString(), "two");
  });

  it("answers success_action_status 201 with a PostResponse and success_action_redirect with a 303; streams a multi-megabyte file", async () => {
    const created = await post(suite.unkai.url, "forms", signedForm("forms", [], { key: "a/b.txt", success_action_status: "201" }), "x");
    assert.equal(created.status, 201);
    assert.match(await created.text(), /<PostResponse[^>]*>.*<Bucket>forms<\/Bucket><Key>a\/b.txt<\/Key><ETag>&quot;9dd4e461268c8034f5c8564e155c67a6&quot;<\/ETag>/s);
    const redirected = await post(suite.unkai.url, "forms", signedForm("forms", [], { key: "r.txt", success_action_redirect: "https://app.example/done?from=form" }), "r");
    assert.equal(redirected.status, 303);
    const location = new URL(redirected.headers.get("location") ?? "");
    assert.deepEqual([location.origin, location.searchParams.get("from"), location.searchParams.get("bucket"), location.searchParams.get("key"), location.searchParams.get("etag")],
      ["https://app.example", "form", "forms", "r.txt", `"${createHash("md5").update("r").digest("hex")}"`]);
    const big = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.write(`--block ${i}\r\n`, i);
    const ok = await post(suite.unkai.url, "forms", signedForm("forms", [], { key: "big.bin" }), big);
    assert.equal(ok.status, 204);
    const head = await client.send(new HeadObjectCommand({ Bucket: "forms", Key: "big.bin" }));
    assert.equal(head.ContentLength, big.length);
    assert.equal(head.ETag, `"${createHash("md5").update(big).digest("hex")}"`);
  });

  it("refuses an expired policy, a key outside starts-with, an uncovered field, a forged signature and a form without key or file", async () => {
    const url = suite.unkai.url;
    const starts = [["starts-with", "$key", "user/ana/"]];
    const expired = await post(url, "forms", signedForm("forms", [], { key: "late.txt" }, -1_000), "x");
    assert.deepEqual(await s3Error(expired), { status: 403, code: "AccessDenied", message: "Invalid according to Policy: Policy expired." });
    const outside = signedForm("forms", starts, { key: "user/ana/ok.txt" });
    const moved = await post(url, "forms", { ...outside, key: "user/bob/x.txt" }, "x");
    assert.deepEqual(await s3Error(moved), { status: 403, code: "AccessDenied", message: 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/ana/"]' });
    const extra = await post(url, "forms", { ...outside, "x-amz-meta-sneaky": "1" }, "x");
    assert.deepEqual(await s3Error(extra), { status: 403, code: "AccessDenied", message: "Invalid according to Policy: Extra input fields: x-amz-meta-sneaky" });
    const forged = await post(url, "forms", signedForm("forms", [], { key: "f.txt" }, 3_600_000, { accessKeyId: "test", secretAccessKey: "not-the-secret" }), "x");
    assert.equal((await s3Error(forged)).code, "SignatureDoesNotMatch");
    const { key: _key, ...keyless } = signedForm("forms", [], { key: "k.txt" });
    assert.deepEqual(await s3Error(await post(url, "forms", keyless, "x")),
      { status: 400, code: "InvalidArgument", message: "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields." });
    const form = new FormData();
    for (const [name, value] of Object.entries(signedForm("forms", [], { key: "nofile.txt" }))) form.append(name, value);
    assert.deepEqual(await s3Error(await fetch(`${url}/forms`, { method: "POST", body: form })),
      { status: 400, code: "InvalidArgument", message: "POST requires exactly one file upload per request." });
    assert.equal((await s3Error(await post(url, "nowhere", signedForm("nowhere", [], { key: "x" }), "x"))).code, "NoSuchBucket");
    for (const key of ["late.txt", "user/bob/x.txt", "user/ana/ok.txt", "f.txt", "nofile.txt"]) {
      await assert.rejects(client.send(new HeadObjectCommand({ Bucket: "forms", Key: key })), `${key} was not stored`);
    }
  });

  it("applies the tagging field's tags and accepts acl private / bucket-owner-full-control; refuses public ACLs and bad tags before storing", async () => {
    const url = suite.unkai.url;
    const tagging = "<Tagging><TagSet><Tag><Key>team</Key><Value>forms &amp; co</Value></Tag><Tag><Key>stage</Key><Value></Value></Tag></TagSet></Tagging>";
    const tagged = await post(url, "forms", signedForm("forms", [], { key: "tagged.txt", acl: "bucket-owner-full-control", tagging }), "t");
    assert.equal(tagged.status, 204, await tagged.clone().text());
    const tags = await client.send(new GetObjectTaggingCommand({ Bucket: "forms", Key: "tagged.txt" }));
    assert.deepEqual(tags.TagSet?.map((t) => [t.Key, t.Value]).sort(), [["stage", ""], ["team", "forms & co"]]);
    assert.equal((await client.send(new HeadObjectCommand({ Bucket: "forms", Key: "tagged.txt" }))).$metadata.httpStatusCode, 200);
    assert.equal((await post(url, "forms", signedForm("forms", [], { key: "private.txt", acl: "private" }), "p")).status, 204);

    const publicRead = await post(url, "forms", signedForm("forms", [], { key: "public.txt", acl: "public-read" }), "x");
    assert.deepEqual(await s3Error(publicRead), { status: 400, code: "AccessControlListNotSupported", message: "The bucket does not allow ACLs" });
    const unknownAcl = await post(url, "forms", signedForm("forms", [], { key: "weird.txt", acl: "everyone" }), "x");
    assert.deepEqual(await s3Error(unknownAcl), { status: 400, code: "InvalidArgument", message: "everyone is not a canned ACL." });
    const tooMany = `<Tagging><TagSet>${Array.from({ length: 11 }, (_, i) => `<Tag><Key>k${i}</Key><Value>v</Value></Tag>`).join("")}</TagSet></Tagging>`;
    const overLimit = await post(url, "forms", signedForm("forms", [], { key: "many.txt", tagging: tooMany }), "x");
    assert.deepEqual(await s3Error(overLimit), { status: 400, code: "InvalidTag", message: "Object tags cannot be greater than 10" });
    const notXml = await post(url, "forms", signedForm("forms", [], { key: "bad.txt", tagging: "team=forms" }), "x");
    assert.equal((await s3Error(notXml)).code, "MalformedXML");
    for (const key of ["public.txt", "weird.txt", "many.txt", "bad.txt"]) {
      await assert.rejects(client.send(new HeadObjectCommand({ Bucket: "forms", Key: key })), `${key} was not stored`);
    }
  });

  it("refuses fields over 20 KB before the file with MaxPostPreDataLengthExceeded, answering while a large file follows", async () => {
    const fields = signedForm("forms", [["starts-with", "$x-ignore-pad", ""]], { key: "padded.bin" });
    const response = await post(suite.unkai.url, "forms", { ...fields, "x-ignore-pad": "p".repeat(30_000) }, Buffer.alloc(5_000_000));
    assert.deepEqual(await s3Error(response), { status: 400, code: "MaxPostPreDataLengthExceeded", message: "Your POST request fields preceding the upload file were too large." });
  });

  it("announces the upload as ObjectCreated:Post", async () => {
    const sqs = new SQSClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "posted" }));
      await allowServicesToSend(sqs, String(QueueUrl), "arn:aws:sqs:us-east-1:000000000000:posted", [{ service: "s3.amazonaws.com", sourceArn: "arn:aws:s3:::forms" }]);
      await client.send(new PutBucketNotificationConfigurationCommand({ Bucket: "forms", NotificationConfiguration: { QueueConfigurations: [{
        QueueArn: "arn:aws:sqs:us-east-1:000000000000:posted", Events: ["s3:ObjectCreated:*"],
      }] } }));
      assert.equal((await post(suite.unkai.url, "forms", signedForm("forms", [], { key: "notify.txt" }), "n")).status, 204);
      const names: string[] = [];
      for (let attempt = 0; attempt < 10 && !names.includes("ObjectCreated:Post"); attempt++) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 2, MaxNumberOfMessages: 10 }));
        for (const message of Messages) {
          const body = JSON.parse(message.Body ?? "{}") as { Records?: { eventName: string; s3: { object: { key: string } } }[] };
          for (const record of body.Records ?? []) if (record.s3.object.key === "notify.txt") names.push(record.eventName);
        }
      }
      assert.deepEqual(names, ["ObjectCreated:Post"]);
    } finally {
      sqs.destroy();
    }
  });

  it("anonymous forms and unsigned PUTs write only where the bucket policy allows everyone s3:PutObject on the key", async () => {
    const anonymousForm = (bucket: string, fields: Fields, body = "anon") => post(suite.unkai.url, bucket, fields, body, "note.txt");
    const refused = await s3Error(await anonymousForm("forms", { key: "inbox/${filename}" }));
    assert.equal(refused.status, 403, "a bucket without a policy refuses anonymous forms");
    assert.equal(refused.code, "AccessDenied");
    await client.send(new CreateBucketCommand({ Bucket: "dropbox" }));
    await client.send(new PutBucketPolicyCommand({
      Bucket: "dropbox",
      Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:PutObject", Resource: "arn:aws:s3:::dropbox/inbox/*" }] }),
    }));
    const posted = await anonymousForm("dropbox", { key: "inbox/${filename}", "Content-Type": "text/plain", "x-amz-server-side-encryption": "AES256" });
    assert.equal(posted.status, 204, await posted.clone().text());
    assert.equal(posted.headers.get("x-amz-server-side-encryption"), "AES256");
    const stored = await client.send(new GetObjectCommand({ Bucket: "dropbox", Key: "inbox/note.txt" }));
    assert.equal(await stored.Body?.transformToString(), "anon");
    assert.equal(stored.ContentType, "text/plain");
    assert.equal((await s3Error(await anonymousForm("dropbox", { key: "outside.txt" }))).code, "AccessDenied", "the policy covers inbox/* only");
    const kms = await s3Error(await anonymousForm("dropbox", { key: "inbox/kms.txt", "x-amz-server-side-encryption": "aws:kms" }));
    assert.deepEqual([kms.status, kms.code], [400, "InvalidArgument"]);
    // Unsigned REST writes are judged by the same policy.
    assert.equal((await fetch(`${suite.unkai.url}/dropbox/inbox/rest.txt`, { method: "PUT", body: "rest" })).status, 200);
    assert.equal(await (await client.send(new GetObjectCommand({ Bucket: "dropbox", Key: "inbox/rest.txt" }))).Body?.transformToString(), "rest");
    assert.equal((await fetch(`${suite.unkai.url}/dropbox/outside.txt`, { method: "PUT", body: "no" })).status, 403);
    assert.equal((await fetch(`${suite.unkai.url}/dropbox/inbox/rest.txt`)).status, 403, "writing does not open reading");
    await assert.rejects(client.send(new HeadObjectCommand({ Bucket: "dropbox", Key: "outside.txt" })), "nothing was written outside inbox/");
    await assert.rejects(client.send(new HeadObjectCommand({ Bucket: "dropbox", Key: "inbox/kms.txt" })));
  });

  it("the form reader finds fields and the file whatever the chunking (1-byte chunks, boundary-like bytes in the file)", async () => {
    const boundary = "----b0undary";
    const file = Buffer.from(`line\r\n------b0undar not quite\r\n--\r\n`);
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="Key"\r\n\r\nk/\${filename}\r\n--${boundary}\r\n`),
      Buffer.from(`Content-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n`), file,
      Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="after"\r\n\r\nignored\r\n--${boundary}--\r\n`),
    ]);
    for (const size of [1, 7, body.length]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < body.length; i += size) chunks.push(body.subarray(i, i + size));
      const form = await readForm(Readable.from(chunks), boundary, 20_480);
      assert.deepEqual([...form.fields], [["key", "k/${filename}"]]);
      assert.equal(form.file?.filename, "a.txt");
      const read: Buffer[] = [];
      for await (const chunk of form.file?.body ?? []) read.push(chunk as Buffer);
      assert.deepEqual(Buffer.concat(read), file, `chunks of ${size}`);
    }
  });
});

describe("S3 browser-based uploads under --iam enforce", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });

  it("a form acts for its signer: an IAM user allowed s3:PutObject on uploads/* posts there and is refused elsewhere", async () => {
    const client = s3(suite.unkai.url);
    const iam = new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    try {
      await client.send(new CreateBucketCommand({ Bucket: "forms" }));
      await iam.send(new CreateUserCommand({ UserName: "uploader" }));
      await iam.send(new PutUserPolicyCommand({ UserName: "uploader", PolicyName: "uploads", PolicyDocument: JSON.stringify({
        Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::forms/uploads/*" }],
      }) }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "uploader" }));
      const keys = { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
      assert.equal((await post(suite.unkai.url, "forms", signedForm("forms", [], { key: "uploads/a.txt" }, 600_000, keys), "a")).status, 204);
      const refused = await s3Error(await post(suite.unkai.url, "forms", signedForm("forms", [], { key: "private/a.txt" }, 600_000, keys), "a"));
      assert.deepEqual([refused.status, refused.code], [403, "AccessDenied"]);
      assert.match(refused.message, /user\/uploader is not authorized to perform: s3:PutObject on resource: "?arn:aws:s3:::forms\/private\/a.txt/);
      await assert.rejects(client.send(new HeadObjectCommand({ Bucket: "forms", Key: "private/a.txt" })), "nothing was stored");
    } finally {
      client.destroy();
      iam.destroy();
    }
  });
});
