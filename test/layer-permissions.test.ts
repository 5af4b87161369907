/** A layer version's resource-based policy: AddLayerVersionPermission, GetLayerVersionPolicy, RemoveLayerVersionPermission. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AddLayerVersionPermissionCommand, CreateFunctionCommand, DeleteLayerVersionCommand, GetFunctionConfigurationCommand, GetLayerVersionByArnCommand, GetLayerVersionCommand, GetLayerVersionPolicyCommand, PublishLayerVersionCommand, RemoveLayerVersionPermissionCommand,
  UpdateFunctionConfigurationCommand, type LambdaClient,
} from "@aws-sdk/client-lambda";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { zipFiles } from "../src/store/code/zip-directory.js";
import { aws, DEFAULT_CREDENTIALS, lambda, ROLE } from "./helpers/clients.js";
import { runBoto3 } from "./helpers/boto3.js";
import { unkaiSuite } from "./helpers/suite.js";

const ARN = "arn:aws:lambda:us-east-1:000000000000:layer";

/** The error a call ends in: its name, HTTP status and message. */
async function failure(call: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  const error = await call.then(() => undefined, (e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
  assert.ok(error, "the call was expected to fail");
  return { name: error.name, status: error.$metadata?.httpStatusCode, message: error.message };
}

async function publish(client: LambdaClient, name: string): Promise<number> {
  const published = await client.send(new PublishLayerVersionCommand({ LayerName: name, Content: { ZipFile: await zipFiles({ "nodejs/node_modules/x/index.js": "exports.x = 1;" }) } }));
  return published.Version ?? 0;
}

describe("layer version permissions", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });

  it("adds, lists and removes statements as Lambda shapes them, with revision checks", async () => {
    const { client } = suite;
    const version = await publish(client, "shared");
    const added = await client.send(new AddLayerVersionPermissionCommand({ LayerName: "shared", VersionNumber: version, StatementId: "one-account", Action: "lambda:GetLayerVersion", Principal: "210987654321" }));
    assert.equal(added.$metadata.httpStatusCode, 201);
    assert.deepEqual(JSON.parse(added.Statement ?? ""), {
      Sid: "one-account", Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: "lambda:GetLayerVersion", Resource: `${ARN}:shared:${version}`,
    });
    assert.match(added.RevisionId ?? "", /^[0-9a-f-]{36}$/);

    const stale = await failure(client.send(new AddLayerVersionPermissionCommand({
      LayerName: "shared", VersionNumber: version, StatementId: "org", Action: "lambda:GetLayerVersion", Principal: "*", OrganizationId: "o-a1b2c3d4e5", RevisionId: "not-the-revision",
    })));
    assert.equal(stale.name, "PreconditionFailedException");
    assert.equal(stale.status, 412);
    // By the layer's ARN, with the current revision.
    const org = await client.send(new AddLayerVersionPermissionCommand({
      LayerName: `${ARN}:shared`, VersionNumber: version, StatementId: "org", Action: "lambda:GetLayerVersion", Principal: "*", OrganizationId: "o-a1b2c3d4e5", RevisionId: added.RevisionId,
    }));
    assert.deepEqual(JSON.parse(org.Statement ?? ""), {
      Sid: "org", Effect: "Allow", Principal: "*", Action: "lambda:GetLayerVersion", Resource: `${ARN}:shared:${version}`, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
    });
    assert.notEqual(org.RevisionId, added.RevisionId, "every change makes a new revision");

    const duplicate = await failure(client.send(new AddLayerVersionPermissionCommand({ LayerName: "shared", VersionNumber: version, StatementId: "org", Action: "lambda:GetLayerVersion", Principal: "*" })));
    assert.deepEqual(duplicate, {
      name: "ResourceConflictException", status: 409,
      message: "The statement id (org) provided already exists. Please provide a new statement id, or remove the existing statement.",
    });

    const policy = await client.send(new GetLayerVersionPolicyCommand({ LayerName: "shared", VersionNumber: version }));
    assert.equal(policy.RevisionId, org.RevisionId);
    const document = JSON.parse(policy.Policy ?? "") as { Version: string; Statement: { Sid: string }[] };
    assert.equal(document.Version, "2012-10-17");
    assert.deepEqual(document.Statement.map((s) => s.Sid), ["one-account", "org"]);

    const staleRemove = await failure(client.send(new RemoveLayerVersionPermissionCommand({ LayerName: "shared", VersionNumber: version, StatementId: "org", RevisionId: added.RevisionId })));
    assert.equal(staleRemove.name, "PreconditionFailedException");
    await client.send(new RemoveLayerVersionPermissionCommand({ LayerName: "shared", VersionNumber: version, StatementId: "org", RevisionId: org.RevisionId }));
    const gone = await failure(client.send(new RemoveLayerVersionPermissionCommand({ LayerName: "shared", VersionNumber: version, StatementId: "org" })));
    assert.deepEqual(gone, { name: "ResourceNotFoundException", status: 404, message: "Statement org is not found in resource policy." });
    await client.send(new RemoveLayerVersionPermissionCommand({ LayerName: "shared", VersionNumber: version, StatementId: "one-account" }));
    const none = await failure(client.send(new GetLayerVersionPolicyCommand({ LayerName: "shared", VersionNumber: version })));
    assert.deepEqual(none, { name: "ResourceNotFoundException", status: 404, message: "No policy is associated with the given resource." });
  });

  it("refuses bad statements and unknown versions with Lambda's errors, and changes nothing", async () => {
    const { client } = suite;
    const version = await publish(client, "guarded");
    const add = (input: Partial<{ StatementId: string; Action: string; Principal: string; OrganizationId: string; VersionNumber: number; LayerName: string }>) =>
      failure(client.send(new AddLayerVersionPermissionCommand({
        LayerName: "guarded", VersionNumber: version, StatementId: "s", Action: "lambda:GetLayerVersion", Principal: "*", ...input,
      })));
    const invalid = [
      await add({ Action: "lambda:InvokeFunction" }),
      await add({ Action: "lambda:*" }),
      await add({ Principal: "bob" }),
      await add({ Principal: "s3.amazonaws.com" }),
      await add({ StatementId: "has space" }),
      await add({ Principal: "210987654321", OrganizationId: "o-a1b2c3d4e5" }),
      await add({ OrganizationId: "acme" }),
    ];
    for (const refusal of invalid) {
      assert.equal(refusal.name, "InvalidParameterValueException", refusal.message);
      assert.equal(refusal.status, 400);
    }
    assert.match(invalid[0]?.message ?? "", /Action must be lambda:GetLayerVersion/);
    assert.match(invalid[5]?.message ?? "", /OrganizationId can be given only with Principal '\*'/);
    const missing = await add({ VersionNumber: version + 5 });
    assert.deepEqual(missing, { name: "ResourceNotFoundException", status: 404, message: `Layer version ${ARN}:guarded:${version + 5} does not exist.` });
    assert.equal((await add({ LayerName: "no-such-layer" })).name, "ResourceNotFoundException");
    assert.equal((await add({ LayerName: "bad name!" })).name, "InvalidParameterValueException");
    assert.equal((await failure(client.send(new GetLayerVersionPolicyCommand({ LayerName: "guarded", VersionNumber: version })))).name, "ResourceNotFoundException", "no refused statement was stored");

    // A deleted version takes its policy with it.
    await client.send(new AddLayerVersionPermissionCommand({ LayerName: "guarded", VersionNumber: version, StatementId: "all", Action: "lambda:GetLayerVersion", Principal: "*" }));
    await client.send(new DeleteLayerVersionCommand({ LayerName: "guarded", VersionNumber: version }));
    assert.equal((await failure(client.send(new GetLayerVersionPolicyCommand({ LayerName: "guarded", VersionNumber: version })))).name, "ResourceNotFoundException");
  });

  it("works from the AWS CLI and boto3", async () => {
    const { client, unkai } = suite;
    const version = await publish(client, "from-cli");
    const added = await aws(unkai.url, ["lambda", "add-layer-version-permission", "--layer-name", "from-cli", "--version-number", String(version), "--statement-id", "cli", "--action", "lambda:GetLayerVersion", "--principal", "*"]);
    assert.equal(added.code, 0, added.stderr);
    assert.equal((JSON.parse((JSON.parse(added.stdout) as { Statement: string }).Statement) as { Sid: string }).Sid, "cli");
    const bad = await aws(unkai.url, ["lambda", "add-layer-version-permission", "--layer-name", "from-cli", "--version-number", String(version), "--statement-id", "x", "--action", "lambda:InvokeFunction", "--principal", "*"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /InvalidParameterValueException/);
    const viaBoto3 = await runBoto3([
      "import boto3, json, sys",
      "c = boto3.client('lambda', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')",
      "got = c.get_layer_version_policy(LayerName=sys.argv[2], VersionNumber=int(sys.argv[3]))",
      "c.remove_layer_version_permission(LayerName=sys.argv[2], VersionNumber=int(sys.argv[3]), StatementId='cli', RevisionId=got['RevisionId'])",
      "try:",
      "    c.get_layer_version_policy(LayerName=sys.argv[2], VersionNumber=int(sys.argv[3]))",
      "    after = 'still there'",
      "except c.exceptions.ResourceNotFoundException as e:",
      "    after = e.response['Error']['Code']",
      "print(json.dumps({'sids': [s['Sid'] for s in json.loads(got['Policy'])['Statement']], 'after': after}))",
    ], [unkai.url, "from-cli", String(version)]) as { sids: string[]; after: string };
    assert.deepEqual(viaBoto3, { sids: ["cli"], after: "ResourceNotFoundException" });
  });

  it("under enforced IAM, each operation needs its own action on the layer version", async () => {
    const { client, unkai } = suite;
    const version = await publish(client, "audited");
    const iam = new IAMClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS });
    await iam.send(new CreateUserCommand({ UserName: "layer-reader" }));
    const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:GetLayerVersionPolicy", Resource: `${ARN}:audited:*` }] };
    await iam.send(new PutUserPolicyCommand({ UserName: "layer-reader", PolicyName: "read", PolicyDocument: JSON.stringify(policy) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "layer-reader" }));
    iam.destroy();
    const reader = lambda(unkai.url, { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" });
    try {
      await client.send(new AddLayerVersionPermissionCommand({ LayerName: "audited", VersionNumber: version, StatementId: "all", Action: "lambda:GetLayerVersion", Principal: "*" }));
      const read = await reader.send(new GetLayerVersionPolicyCommand({ LayerName: "audited", VersionNumber: version }));
      assert.match(read.Policy ?? "", /"Sid":"all"/);
      const refused = await failure(reader.send(new AddLayerVersionPermissionCommand({ LayerName: "audited", VersionNumber: version, StatementId: "mine", Action: "lambda:GetLayerVersion", Principal: "*" })));
      assert.equal(refused.name, "AccessDeniedException");
      assert.match(refused.message, /lambda:AddLayerVersionPermission/);
      const removal = await failure(reader.send(new RemoveLayerVersionPermissionCommand({ LayerName: "audited", VersionNumber: version, StatementId: "all" })));
      assert.equal(removal.name, "AccessDeniedException");
      const kept = await client.send(new GetLayerVersionPolicyCommand({ LayerName: "audited", VersionNumber: version }));
      assert.deepEqual((JSON.parse(kept.Policy ?? "") as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid), ["all"], "the refused calls changed nothing");

      // The policy itself is a resource policy: a statement for "*" lets the account's user read the
      // version (GetLayerVersion, and GetLayerVersionByArn, which needs the same action), and only while it is there.
      const readVersion = () => Promise.all([
        reader.send(new GetLayerVersionCommand({ LayerName: "audited", VersionNumber: version })),
        reader.send(new GetLayerVersionByArnCommand({ Arn: `${ARN}:audited:${version}` })),
      ]);
      const [byName, byArn] = await readVersion();
      assert.equal(byName.Version, version);
      assert.equal(byArn.Version, version);
      await client.send(new RemoveLayerVersionPermissionCommand({ LayerName: "audited", VersionNumber: version, StatementId: "all" }));
      assert.equal((await failure(reader.send(new GetLayerVersionCommand({ LayerName: "audited", VersionNumber: version })))).name, "AccessDeniedException");
      assert.equal((await failure(reader.send(new GetLayerVersionByArnCommand({ Arn: `${ARN}:audited:${version}` })))).name, "AccessDeniedException");
      // A statement for another account grants nothing to this one's user.
      await client.send(new AddLayerVersionPermissionCommand({ LayerName: "audited", VersionNumber: version, StatementId: "other", Action: "lambda:GetLayerVersion", Principal: "210987654321" }));
      assert.equal((await failure(readVersion())).name, "AccessDeniedException");
    } finally {
      reader.destroy();
    }
  });

  it("a user's function may name a layer only where it may read that layer version", async () => {
    const { client, unkai } = suite;
    const version = await publish(client, "private-libs");
    const layerArn = `${ARN}:private-libs:${version}`;
    const iam = new IAMClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS });
    await iam.send(new CreateUserCommand({ UserName: "deployer" }));
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: ["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"], Resource: "arn:aws:lambda:us-east-1:000000000000:function:deployed-*" },
        { Effect: "Allow", Action: "iam:PassRole", Resource: ROLE },
      ],
    };
    await iam.send(new PutUserPolicyCommand({ UserName: "deployer", PolicyName: "deploy", PolicyDocument: JSON.stringify(policy) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "deployer" }));
    iam.destroy();
    const deployer = lambda(unkai.url, { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" });
    const code = await zipFiles({ "index.js": "exports.handler = async () => 1;" });
    const create = (name: string, layers: string[]) => deployer.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: code }, Layers: layers }));
    try {
      await create("deployed-plain", []);
      const refused = await failure(create("deployed-layered", [layerArn]));
      assert.equal(refused.name, "AccessDeniedException");
      assert.match(refused.message, /lambda:GetLayerVersion/);
      const update = await failure(deployer.send(new UpdateFunctionConfigurationCommand({ FunctionName: "deployed-plain", Layers: [layerArn] })));
      assert.equal(update.name, "AccessDeniedException");
      assert.deepEqual((await client.send(new GetFunctionConfigurationCommand({ FunctionName: "deployed-plain" }))).Layers, undefined, "the refused update changed nothing");
      // The layer's own policy can grant the read, as on AWS.
      await client.send(new AddLayerVersionPermissionCommand({ LayerName: "private-libs", VersionNumber: version, StatementId: "all", Action: "lambda:GetLayerVersion", Principal: "*" }));
      await create("deployed-layered", [layerArn]);
      await deployer.send(new UpdateFunctionConfigurationCommand({ FunctionName: "deployed-plain", Layers: [layerArn] }));
      assert.equal((await client.send(new GetFunctionConfigurationCommand({ FunctionName: "deployed-plain" }))).Layers?.[0]?.Arn, layerArn);
    } finally {
      deployer.destroy();
    }
  });
});
