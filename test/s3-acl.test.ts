/**
 * ACLs as a BucketOwnerEnforced bucket answers them on AWS (SDK v3, AWS CLI): reads show the owner
 * with FULL_CONTROL; canned `private` (and `bucket-owner-full-control` on objects) is accepted on
 * writes, every other ACL refused with AccessControlListNotSupported (InvalidBucketAclWithObjectOwnership
 * on CreateBucket); GetBucketOwnershipControls answers BucketOwnerEnforced.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetBucketAclCommand, GetBucketOwnershipControlsCommand, GetObjectAclCommand, HeadObjectCommand,
  PutBucketAclCommand, PutBucketOwnershipControlsCommand, PutObjectAclCommand, PutObjectCommand, type S3Client,
} from "@aws-sdk/client-s3";
import { awsS3, s3, rejectsWithS3Error as rejects } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

const OWNER = "000000000000";
const NO_ACLS = /The bucket does not allow ACLs/;

describe("S3 ACLs on BucketOwnerEnforced buckets", () => {
  const suite = unkaiSuite();
  let client: S3Client;
  before(async () => {
    client = s3(suite.unkai.url);
    await client.send(new CreateBucketCommand({ Bucket: "owned", ACL: "private" }));
    await client.send(new PutObjectCommand({ Bucket: "owned", Key: "doc", Body: "hello" }));
  });
  after(() => client.destroy());

  it("GetBucketAcl and GetObjectAcl answer the owner with FULL_CONTROL; GetBucketOwnershipControls answers BucketOwnerEnforced", async () => {
    for (const acl of [await client.send(new GetBucketAclCommand({ Bucket: "owned" })), await client.send(new GetObjectAclCommand({ Bucket: "owned", Key: "doc" }))]) {
      assert.equal(acl.Owner?.ID, OWNER);
      assert.deepEqual(acl.Grants?.map((g) => [g.Grantee?.Type, g.Grantee?.ID, g.Permission]), [["CanonicalUser", OWNER, "FULL_CONTROL"]]);
    }
    await rejects(client.send(new GetObjectAclCommand({ Bucket: "owned", Key: "missing" })), "NoSuchKey");
    await rejects(client.send(new GetBucketAclCommand({ Bucket: "missing" })), "NoSuchBucket");
    const controls = await client.send(new GetBucketOwnershipControlsCommand({ Bucket: "owned" }));
    assert.deepEqual(controls.OwnershipControls?.Rules, [{ ObjectOwnership: "BucketOwnerEnforced" }]);
    await client.send(new PutBucketOwnershipControlsCommand({ Bucket: "owned", OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] } }));
    await rejects(client.send(new PutBucketOwnershipControlsCommand({ Bucket: "owned", OwnershipControls: { Rules: [{ ObjectOwnership: "ObjectWriter" }] } })), "NotImplemented");
  });

  it("accepts canned private (and bucket-owner-full-control on objects) and the owner's FULL_CONTROL written out; refuses every other ACL", async () => {
    await client.send(new PutBucketAclCommand({ Bucket: "owned", ACL: "private" }));
    await client.send(new PutObjectAclCommand({ Bucket: "owned", Key: "doc", ACL: "private" }));
    await client.send(new PutObjectAclCommand({ Bucket: "owned", Key: "doc", ACL: "bucket-owner-full-control" }));
    const ownerOnly = { Owner: { ID: OWNER }, Grants: [{ Grantee: { Type: "CanonicalUser" as const, ID: OWNER }, Permission: "FULL_CONTROL" as const }] };
    await client.send(new PutBucketAclCommand({ Bucket: "owned", AccessControlPolicy: ownerOnly }));
    await client.send(new PutObjectAclCommand({ Bucket: "owned", Key: "doc", AccessControlPolicy: ownerOnly }));
    await client.send(new PutObjectCommand({ Bucket: "owned", Key: "private", Body: "x", ACL: "private" }));
    await client.send(new PutObjectCommand({ Bucket: "owned", Key: "full", Body: "x", ACL: "bucket-owner-full-control" }));

    await rejects(client.send(new PutBucketAclCommand({ Bucket: "owned", ACL: "public-read" })), "AccessControlListNotSupported", NO_ACLS);
    await rejects(client.send(new PutObjectAclCommand({ Bucket: "owned", Key: "doc", ACL: "public-read" })), "AccessControlListNotSupported", NO_ACLS);
    const everyone = { ...ownerOnly, Grants: [...ownerOnly.Grants, { Grantee: { Type: "Group" as const, URI: "http://acs.amazonaws.com/groups/global/AllUsers" }, Permission: "READ" as const }] };
    await rejects(client.send(new PutObjectAclCommand({ Bucket: "owned", Key: "doc", AccessControlPolicy: everyone })), "AccessControlListNotSupported", NO_ACLS);
    await rejects(client.send(new PutObjectCommand({ Bucket: "owned", Key: "public", Body: "x", ACL: "public-read" })), "AccessControlListNotSupported", NO_ACLS);
    await rejects(client.send(new PutObjectCommand({ Bucket: "owned", Key: "public", Body: "x", GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' })), "AccessControlListNotSupported", NO_ACLS);
    await rejects(client.send(new CopyObjectCommand({ Bucket: "owned", Key: "public", CopySource: "owned/doc", ACL: "public-read" })), "AccessControlListNotSupported", NO_ACLS);
    await rejects(client.send(new CreateMultipartUploadCommand({ Bucket: "owned", Key: "public", ACL: "authenticated-read" })), "AccessControlListNotSupported", NO_ACLS);
    await rejects(client.send(new HeadObjectCommand({ Bucket: "owned", Key: "public" })), "NotFound");
    await rejects(client.send(new CreateBucketCommand({ Bucket: "public-bucket", ACL: "public-read" })), "InvalidBucketAclWithObjectOwnership", /Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting/);
    await rejects(client.send(new PutBucketAclCommand({ Bucket: "owned", ACL: "bucket-owner-full-control" as "private" })), "AccessControlListNotSupported", NO_ACLS);
  });

  it("the AWS CLI: put-object --acl public-read fails as on AWS; get-bucket-acl shows the owner", async () => {
    const refused = await awsS3(suite.unkai.url, ["s3api", "put-object", "--bucket", "owned", "--key", "cli", "--acl", "public-read"]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /An error occurred \(AccessControlListNotSupported\) when calling the PutObject operation( \(reached max retries: 0\))?: The bucket does not allow ACLs/);
    const read = await awsS3(suite.unkai.url, ["s3api", "get-bucket-acl", "--bucket", "owned"]);
    assert.equal(read.code, 0, read.stderr);
    assert.equal((JSON.parse(read.stdout) as { Grants: { Permission: string }[] }).Grants[0]?.Permission, "FULL_CONTROL");
  });
});
