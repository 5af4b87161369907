/** Tags and resource-based policies through the AWS CLI: stored and returned as AWS returns them. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { aws, createFromFixture } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

const ARN = "arn:aws:lambda:us-east-1:000000000000:function:tagged";

describe("tags and policies", () => {
  const suite = unkaiSuite();
  const cli = async (...args: string[]) => {
    const result = await aws(suite.unkai.url, ["lambda", ...args]);
    return { ...result, json: result.stdout ? (JSON.parse(result.stdout) as Record<string, unknown>) : {} };
  };

  it("tags, lists and untags a function", async () => {
    await createFromFixture(suite.client, "tagged", "node-cjs", { Tags: { team: "core" } });
    assert.equal((await cli("tag-resource", "--resource", ARN, "--tags", "env=dev,owner=unkai")).code, 0);
    assert.deepEqual((await cli("list-tags", "--resource", ARN)).json.Tags, { team: "core", env: "dev", owner: "unkai" });
    assert.equal((await cli("untag-resource", "--resource", ARN, "--tag-keys", "team", "owner")).code, 0);
    assert.deepEqual((await cli("list-tags", "--resource", ARN)).json.Tags, { env: "dev" });
    const reserved = await cli("tag-resource", "--resource", ARN, "--tags", "aws:x=1");
    assert.match(reserved.stderr, /InvalidParameterValueException.*reserved prefix 'aws:'/);
    const qualified = await cli("list-tags", "--resource", `${ARN}:1`);
    assert.match(qualified.stderr, /InvalidParameterValueException.*unqualified function ARN/);
  });

  it("adds, returns and removes policy statements with AWS's JSON-string shapes", async () => {
    const added = await cli("add-permission", "--function-name", "tagged", "--statement-id", "s3-invoke", "--action", "lambda:InvokeFunction",
      "--principal", "s3.amazonaws.com", "--source-arn", "arn:aws:s3:::my-bucket", "--source-account", "000000000000");
    assert.equal(added.code, 0, added.stderr);
    assert.equal(typeof added.json.Statement, "string", "Statement is a JSON string");
    assert.deepEqual(JSON.parse(String(added.json.Statement)), {
      Sid: "s3-invoke",
      Effect: "Allow",
      Principal: { Service: "s3.amazonaws.com" },
      Action: "lambda:InvokeFunction",
      Resource: ARN,
      Condition: { ArnLike: { "AWS:SourceArn": "arn:aws:s3:::my-bucket" }, StringEquals: { "AWS:SourceAccount": "000000000000" } },
    });
    await cli("add-permission", "--function-name", "tagged", "--statement-id", "account", "--action", "lambda:InvokeFunction", "--principal", "123456789012");
    const policy = await cli("get-policy", "--function-name", "tagged");
    const parsed = JSON.parse(String(policy.json.Policy)) as { Version: string; Id: string; Statement: { Sid: string; Principal: unknown }[] };
    assert.equal(parsed.Version, "2012-10-17");
    assert.deepEqual(parsed.Statement.map((s) => s.Sid), ["s3-invoke", "account"]);
    assert.deepEqual(parsed.Statement[1]?.Principal, { AWS: "arn:aws:iam::123456789012:root" });
    assert.match(String(policy.json.RevisionId), /^[0-9a-f-]{36}$/);

    const duplicate = await cli("add-permission", "--function-name", "tagged", "--statement-id", "account", "--action", "lambda:InvokeFunction", "--principal", "*");
    assert.match(duplicate.stderr, /ResourceConflictException.*The statement id \(account\) provided already exists/);
    assert.equal((await cli("remove-permission", "--function-name", "tagged", "--statement-id", "account")).code, 0);
    const missing = await cli("remove-permission", "--function-name", "tagged", "--statement-id", "account");
    assert.match(missing.stderr, /ResourceNotFoundException.*Statement account is not found in resource policy/);
    await cli("remove-permission", "--function-name", "tagged", "--statement-id", "s3-invoke");
    const none = await cli("get-policy", "--function-name", "tagged");
    assert.match(none.stderr, /ResourceNotFoundException.*The resource you requested does not exist/);
  });
});
