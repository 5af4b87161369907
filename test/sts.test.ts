/**
 * STS GetCallerIdentity, the module added by following CONTRIBUTING.md's recipe: the AWS CLI v2 and
 * boto3 (both speak awsQuery to STS; no SDK v3 STS client is installed), a function with its own
 * session credentials, STS's XML errors, and refused unsigned or mis-signed calls.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { aws, createFromFixture, invoke, signedFetch } from "./helpers/clients.js";
import { runProcess } from "./helpers/process.js";
import { unkaiSuite } from "./helpers/suite.js";

const ACCOUNT = "111122223333";
const FORM = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" };

interface Identity {
  readonly Arn: string;
  readonly UserId: string;
  readonly Account: string;
}

/** boto3 from Debian's python3, against Unkai; prints the identity or the error code. */
async function boto3Identity(url: string, region: string, accessKeyId = "test"): Promise<Identity | { error: string }> {
  const script = [
    "import json, sys, boto3, botocore.exceptions",
    `client = boto3.client("sts", endpoint_url=sys.argv[1], region_name=sys.argv[2], aws_access_key_id=sys.argv[3], aws_secret_access_key="test")`,
    "try:",
    "    r = client.get_caller_identity()",
    "    print(json.dumps({k: r[k] for k in ('Arn', 'UserId', 'Account')}))",
    "except botocore.exceptions.ClientError as e:",
    "    print(json.dumps({'error': e.response['Error']['Code']}))",
  ].join("\n");
  const run = await runProcess("/usr/bin/python3", ["-c", script, url, region, accessKeyId], { env: { PATH: "/usr/bin:/bin", HOME: "/tmp", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" } });
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Identity | { error: string };
}

/** The `<Type>`, `<Code>` and `<Message>` of an STS XML error, and its request id. */
function stsError(xml: string): { type?: string; code?: string; message?: string; requestId?: string } {
  assert.match(xml, /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>/);
  const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
  return { type: field("Type"), code: field("Code"), message: field("Message"), requestId: field("RequestId") };
}

describe("STS GetCallerIdentity", () => {
  const suite = unkaiSuite({ UNKAI_ACCOUNT_ID: ACCOUNT });

  it("answers the AWS CLI v2 with the account root for an access key", async () => {
    const run = await aws(suite.unkai.url, ["sts", "get-caller-identity"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { UserId: ACCOUNT, Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root` });
  });

  it("answers boto3 signed for any valid region, and refuses a key Unkai does not know", async () => {
    assert.deepEqual(await boto3Identity(suite.unkai.url, "eu-west-3"), { Arn: `arn:aws:iam::${ACCOUNT}:root`, UserId: ACCOUNT, Account: ACCOUNT });
    assert.deepEqual(await boto3Identity(suite.unkai.url, "ap-southeast-2", "AKIAUNKNOWNUNKNOWN00"), { error: "InvalidClientTokenId" });
  });

  it("answers in STS's exact XML, for POST bodies and GET queries", async () => {
    const post = await signedFetch(`${suite.unkai.url}/`, { method: "POST", headers: FORM, body: "Action=GetCallerIdentity&Version=2011-06-15", service: "sts" });
    const requestId = post.headers.get("x-amzn-requestid");
    assert.equal(post.status, 200);
    assert.match(post.headers.get("content-type") ?? "", /^text\/xml/);
    assert.equal(
      await post.text(),
      `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${ACCOUNT}:root</Arn>` +
        `<UserId>${ACCOUNT}</UserId><Account>${ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    );
    const get = await signedFetch(`${suite.unkai.url}/?Action=GetCallerIdentity&Version=2011-06-15`, { service: "sts" });
    assert.equal(get.status, 200);
    assert.match(await get.text(), new RegExp(`<Arn>arn:aws:iam::${ACCOUNT}:root</Arn>`));
  });

  it("answers a function's own session credentials with its execution role, assumed for a session named after the function", async () => {
    // The suite's role in this server's account (test/helpers/test-role.ts).
    const role = `arn:aws:iam::${ACCOUNT}:role/unkai-test`;
    await createFromFixture(suite.client, "who-am-i", "sts-python", { Runtime: "python3.12", Handler: "app.handler", Timeout: 20, Role: role });
    const result = await invoke(suite.client, "who-am-i");
    assert.equal(result.functionError, undefined, result.payload);
    const identity = result.json as Identity;
    const [, roleAccount, roleName] = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(role) ?? [];
    assert.equal(identity.Arn, `arn:aws:sts::${roleAccount}:assumed-role/${roleName}/who-am-i`);
    assert.equal(identity.Account, roleAccount);
    assert.match(identity.UserId, /^AROA[A-Z2-7]{17}:who-am-i$/);
  });

  it("answers an unknown action or version with InvalidAction in STS's XML error shape", async () => {
    const cases = [
      ["Action=NoSuchAction&Version=2011-06-15", "Could not find operation NoSuchAction for version 2011-06-15"],
      ["Action=GetCallerIdentity", "Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED"],
      ["Action=GetCallerIdentity&Version=2000-01-01", "Could not find operation GetCallerIdentity for version 2000-01-01"],
      ["Action=NoSuchAction&Action=GetCallerIdentity&Version=2011-06-15", "Could not find operation NoSuchAction for version 2011-06-15"],
    ] as const;
    for (const [body, message] of cases) {
      const response = await signedFetch(`${suite.unkai.url}/`, { method: "POST", headers: FORM, body, service: "sts" });
      assert.equal(response.status, 400, body);
      const error = stsError(await response.text());
      assert.deepEqual(error, { type: "Sender", code: "InvalidAction", message, requestId: response.headers.get("x-amzn-requestid") ?? "" }, body);
    }
    const missing = await signedFetch(`${suite.unkai.url}/`, { method: "POST", headers: FORM, body: "Version=2011-06-15", service: "sts" });
    assert.equal(missing.status, 400);
    assert.equal(stsError(await missing.text()).code, "MissingAction");
  });

  it("refuses unsigned and mis-signed calls without answering who anyone is", async () => {
    const unsignedGet = await fetch(`${suite.unkai.url}/?Action=GetCallerIdentity&Version=2011-06-15`, { redirect: "manual" });
    assert.equal(unsignedGet.status, 403);
    assert.deepEqual(stsError(await unsignedGet.text()), {
      type: "Sender", code: "MissingAuthenticationToken", message: "Request is missing Authentication Token", requestId: unsignedGet.headers.get("x-amzn-requestid") ?? "",
    });
    // An unsigned POST names no service anywhere Unkai can read before the body: refused by the shared plane.
    const unsignedPost = await fetch(`${suite.unkai.url}/`, { method: "POST", headers: FORM, body: "Action=GetCallerIdentity&Version=2011-06-15" });
    assert.equal(unsignedPost.status, 403);
    assert.doesNotMatch(await unsignedPost.text(), /Arn|arn:aws/);
    const wrongService = await signedFetch(`${suite.unkai.url}/?Action=GetCallerIdentity&Version=2011-06-15`, { service: "lambda" });
    assert.equal(wrongService.status, 403);
    assert.deepEqual(stsError(await wrongService.text()).code, "SignatureDoesNotMatch");
    const forged = await signedFetch(`${suite.unkai.url}/`, { method: "POST", headers: FORM, body: "Action=GetCallerIdentity&Version=2011-06-15", service: "sts" }, { accessKeyId: "test", secretAccessKey: "not-the-secret" });
    assert.equal(forged.status, 403);
    assert.equal(stsError(await forged.text()).code, "SignatureDoesNotMatch");
  });
});
