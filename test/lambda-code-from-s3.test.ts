/**
 * Function and layer code from S3 (`Code.S3Bucket`/`S3Key`/`S3ObjectVersion`, PublishLayerVersion's
 * `Content`), as SAM and the Serverless Framework deploy: the zip is read from Unkai's own S3. A missing
 * bucket, key or version is Lambda's InvalidParameterValueException in Lambda's words; under IAM
 * enforcement the caller also needs s3:GetObject on the object.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import {
  CreateFunctionCommand, GetFunctionCommand, LambdaClient, PublishLayerVersionCommand, UpdateFunctionCodeCommand, waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { zipFiles } from "../src/store/code/zip-directory.js";
import { aws, DEFAULT_CREDENTIALS, invoke, ROLE } from "./helpers/clients.js";
import { attempt } from "./helpers/outcome.js";
import { rawZip } from "./helpers/raw-zip.js";
import { s3 } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

const answering = (answer: string) => zipFiles({ "index.js": `exports.handler = async () => ${JSON.stringify(answer)};` });
const base = { Runtime: "nodejs20.x" as const, Handler: "index.handler", Role: ROLE };

describe("Lambda code from S3", () => {
  const suite = unkaiSuite();
  let versions: string[] = [];

  before(async () => {
    const bucket = s3(suite.unkai.url);
    await bucket.send(new CreateBucketCommand({ Bucket: "deploys" }));
    await bucket.send(new PutBucketVersioningCommand({ Bucket: "deploys", VersioningConfiguration: { Status: "Enabled" } }));
    versions = [];
    for (const answer of ["one", "two"]) {
      const put = await bucket.send(new PutObjectCommand({ Bucket: "deploys", Key: "app.zip", Body: await answering(answer) }));
      versions.push(put.VersionId ?? "");
    }
    await bucket.send(new PutObjectCommand({ Bucket: "deploys", Key: "layer.zip", Body: await zipFiles({ "nodejs/node_modules/greeting/index.js": "module.exports = 'hello from a layer';" }) }));
    bucket.destroy();
  });

  it("creates a function from an object and updates it from an older version of it (SDK v3), with the zip's CodeSha256", async () => {
    const created = await suite.client.send(new CreateFunctionCommand({ ...base, FunctionName: "from-s3", Code: { S3Bucket: "deploys", S3Key: "app.zip" } }));
    assert.equal(created.CodeSha256, createHash("sha256").update(await answering("two")).digest("base64"));
    assert.equal((await invoke(suite.client, "from-s3")).json, "two", "the object's current version");
    await suite.client.send(new UpdateFunctionCodeCommand({ FunctionName: "from-s3", S3Bucket: "deploys", S3Key: "app.zip", S3ObjectVersion: versions[0] }));
    await waitUntilFunctionUpdatedV2({ client: suite.client, maxWaitTime: 10 }, { FunctionName: "from-s3" });
    assert.equal((await invoke(suite.client, "from-s3")).json, "one");
  });

  it("the AWS CLI's --code S3Bucket=…,S3Key=… and a layer published from S3", async () => {
    const cli = await aws(suite.unkai.url, ["lambda", "create-function", "--function-name", "from-s3-cli", "--runtime", "nodejs20.x", "--handler", "index.handler",
      "--role", ROLE, "--code", "S3Bucket=deploys,S3Key=app.zip"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal((JSON.parse(cli.stdout) as { CodeSize: number }).CodeSize, (await answering("two")).length);
    const layer = await suite.client.send(new PublishLayerVersionCommand({ LayerName: "greeting", Content: { S3Bucket: "deploys", S3Key: "layer.zip" } }));
    await suite.client.send(new CreateFunctionCommand({
      ...base, FunctionName: "with-s3-layer", Layers: [layer.LayerVersionArn ?? ""],
      Code: { ZipFile: await zipFiles({ "index.js": "exports.handler = async () => require('greeting');" }) },
    }));
    assert.equal((await invoke(suite.client, "with-s3-layer")).json, "hello from a layer");
  });

  it("refuses a missing bucket, key or version in Lambda's words, and code given twice or half", async () => {
    const create = (Code: Record<string, unknown>) => attempt(() => suite.client.send(new CreateFunctionCommand({ ...base, FunctionName: "never", Code })));
    assert.equal(await create({ S3Bucket: "nope", S3Key: "app.zip" }),
      "InvalidParameterValueException: Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist");
    assert.equal(await create({ S3Bucket: "deploys", S3Key: "missing.zip" }),
      "InvalidParameterValueException: Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.");
    assert.equal(await create({ S3Bucket: "deploys", S3Key: "app.zip", S3ObjectVersion: "nope" }),
      "InvalidParameterValueException: Error occurred while GetObject. S3 Error Code: NoSuchVersion. S3 Error Message: The specified version does not exist.");
    assert.match(await create({ S3Bucket: "deploys" }), /^InvalidParameterValueException: Code from S3 needs both S3Bucket and S3Key/);
    assert.match(await create({ S3Bucket: "deploys", S3Key: "app.zip", ZipFile: await answering("x") }), /^InvalidParameterValueException: Give the code either as ZipFile or as S3Bucket/);
    await assert.rejects(suite.client.send(new GetFunctionCommand({ FunctionName: "never" })), { name: "ResourceNotFoundException" });
  });

  it("a hostile object is refused as an uploaded zip would be: one over 50 MB before it is read, one that climbs out of the package, an empty one", async () => {
    const bucket = s3(suite.unkai.url);
    const put = (Key: string, Body: Buffer) => bucket.send(new PutObjectCommand({ Bucket: "deploys", Key, Body }));
    await put("huge.zip", Buffer.alloc(52_428_801));
    await put("slip.zip", rawZip([{ name: "index.js", content: "exports.handler = async () => 1;" }, { name: "../../escape.js", content: "pwned" }]));
    await put("empty.zip", Buffer.alloc(0));
    bucket.destroy();
    const create = (S3Key: string) => attempt(() => suite.client.send(new CreateFunctionCommand({ ...base, FunctionName: "hostile", Code: { S3Bucket: "deploys", S3Key } })));
    assert.equal(await create("huge.zip"), "InvalidParameterValueException: Zipped size must be smaller than 52428800 bytes");
    assert.match(await create("slip.zip"), /^InvalidParameterValueException: Could not unzip uploaded file.*\.\.\/\.\.\/escape\.js/);
    assert.equal(existsSync(join(suite.unkai.dataDir, "escape.js")), false);
    assert.match(await create("empty.zip"), /^InvalidParameterValueException: The code package is empty/);
    await assert.rejects(suite.client.send(new GetFunctionCommand({ FunctionName: "hostile" })), { name: "ResourceNotFoundException" }, "nothing was stored");
  });

  it("under IAM enforcement the caller needs s3:GetObject on the object, beside lambda:CreateFunction and iam:PassRole", async () => {
    const iam = new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await iam.send(new CreateUserCommand({ UserName: "deployer" }));
    const allow = (actions: string[]) => iam.send(new PutUserPolicyCommand({
      UserName: "deployer", PolicyName: "deploy",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] }),
    }));
    await allow(["lambda:CreateFunction", "iam:PassRole"]);
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "deployer" }));
    const deployer = new LambdaClient({ endpoint: suite.unkai.url, region: "us-east-1", maxAttempts: 1, credentials: { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" } });
    const create = (FunctionName: string) => attempt(() => deployer.send(new CreateFunctionCommand({ ...base, FunctionName, Code: { S3Bucket: "deploys", S3Key: "app.zip" } })));
    assert.match(await create("denied-s3"), /^AccessDeniedException: .*not authorized to perform: s3:GetObject on resource: arn:aws:s3:::deploys\/app\.zip/);
    await allow(["lambda:CreateFunction", "iam:PassRole", "s3:GetObject"]);
    assert.equal(await create("allowed-s3"), "ok");
    deployer.destroy();
    iam.destroy();
  });
});
