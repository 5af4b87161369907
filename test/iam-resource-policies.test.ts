/**
 * Resource-based policies beside SQS's, S3's, SNS's and functions' under `--iam enforce`, tried with
 * each principal's own keys: an EventBridge bus's policy (PutPermission) for PutEvents, and AWS_IAM
 * Function URLs authorized as lambda:InvokeFunctionUrl by identity policies or the function's policy
 * (AddPermission with FunctionUrlAuthType). SDK v3 and AWS CLI v2.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateEventBusCommand, DescribeEventBusCommand, EventBridgeClient, PutEventsCommand, PutPermissionCommand } from "@aws-sdk/client-eventbridge";
import { AddPermissionCommand, CreateAliasCommand, InvokeCommand, LambdaClient, PublishVersionCommand } from "@aws-sdk/client-lambda";
import { aws, createFromFixture, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { createFunctionUrl } from "./helpers/gateway.js";
import { unkaiSuite } from "./helpers/suite.js";
import { attempt, type Keys } from "./helpers/outcome.js";

const ACCOUNT = "000000000000";
const BUS_ARN = (name: string) => `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/${name}`;
const USER_ARN = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
describe("event bus policies and Function URL permissions under --iam enforce", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  const iam = () => new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  const events = (keys: Keys = DEFAULT_CREDENTIALS) => new EventBridgeClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: keys, maxAttempts: 1 });
  const user = async (name: string, options: { managed?: string; statements?: object[] } = {}): Promise<Keys> => {
    await iam().send(new CreateUserCommand({ UserName: name }));
    if (options.managed) await iam().send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: options.managed }));
    if (options.statements) {
      await iam().send(new PutUserPolicyCommand({ UserName: name, PolicyName: "inline", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: options.statements }) }));
    }
    const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
  };

  it("a bus policy's Allow lets a user with no identity policy put events on that bus only; its Deny beats AdministratorAccess", async () => {
    await events().send(new CreateEventBusCommand({ Name: "orders" }));
    const guest = await user("bus-guest");
    const admin = await user("bus-admin", { managed: "arn:aws:iam::aws:policy/AdministratorAccess" });
    const put = (keys: Keys, bus = "orders") => attempt(async () => {
      const answer = await events(keys).send(new PutEventsCommand({ Entries: [{ EventBusName: bus, Source: "shop", DetailType: "order", Detail: "{}" }] }));
      assert.equal(answer.FailedEntryCount, 0);
    });
    const denied = (who: string, bus: string, why: string) => `AccessDeniedException: User: ${USER_ARN(who)} is not authorized to perform: events:PutEvents on resource: ${BUS_ARN(bus)} ${why}`;
    assert.equal(await put(guest), denied("bus-guest", "orders", "because no identity-based policy allows the events:PutEvents action"));
    assert.equal(await put(admin), "ok");

    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Sid: "guest-puts", Effect: "Allow", Principal: { AWS: USER_ARN("bus-guest") }, Action: "events:PutEvents", Resource: BUS_ARN("orders") },
        { Sid: "admin-may-not", Effect: "Deny", Principal: { AWS: USER_ARN("bus-admin") }, Action: "events:PutEvents", Resource: BUS_ARN("orders") },
      ],
    };
    await events().send(new PutPermissionCommand({ EventBusName: "orders", Policy: JSON.stringify(policy) }));
    assert.equal(await put(guest), "ok", "the bus policy names the user");
    assert.equal(await put(guest, "default"), denied("bus-guest", "default", "because no identity-based policy allows the events:PutEvents action"), "another bus's policy does not apply");
    assert.match(await attempt(() => events(guest).send(new DescribeEventBusCommand({ Name: "orders" }))), /^AccessDeniedException: .* events:DescribeEventBus on resource: .*event-bus\/orders because no identity-based policy allows/, "PutEvents only");
    assert.equal(await put(admin), denied("bus-admin", "orders", "with an explicit deny in a resource-based policy"));
    assert.equal(await put(DEFAULT_CREDENTIALS), "ok", "the account root is not governed by IAM enforcement");

    // PutPermission without Policy adds a statement beside the others (CLI v2), RemovePermission takes it out.
    const add = await aws(suite.unkai.url, ["events", "put-permission", "--event-bus-name", "orders", "--action", "events:PutEvents", "--principal", "111122223333", "--statement-id", "partner"]);
    assert.equal(add.code, 0, add.stderr);
    const described = JSON.parse((await events().send(new DescribeEventBusCommand({ Name: "orders" }))).Policy ?? "{}") as { Statement: { Sid: string; Principal: unknown }[] };
    assert.deepEqual(described.Statement.map((s) => s.Sid), ["guest-puts", "admin-may-not", "partner"]);
    assert.deepEqual(described.Statement[2]?.Principal, { AWS: "arn:aws:iam::111122223333:root" });
    const remove = await aws(suite.unkai.url, ["events", "remove-permission", "--event-bus-name", "orders", "--statement-id", "guest-puts"]);
    assert.equal(remove.code, 0, remove.stderr);
    assert.equal(await put(guest), denied("bus-guest", "orders", "because no identity-based policy allows the events:PutEvents action"), "the removed statement no longer allows");

    const badAction = await attempt(() => events().send(new PutPermissionCommand({ EventBusName: "orders", Action: "events:PutRule", Principal: "111122223333", StatementId: "x" })));
    assert.equal(badAction, "ValidationException: Action must be events:PutEvents.");
    const badPolicy = await attempt(() => events().send(new PutPermissionCommand({ EventBusName: "orders", Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "events:PutEvents", Resource: "*" }] }) })));
    assert.equal(badPolicy, "ValidationException: Policy is not valid: Missing required field Principal");
  });

  it("an AWS_IAM Function URL answers only principals allowed lambda:InvokeFunctionUrl, by identity or function policy; others get 403 Forbidden", async () => {
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    await iam().send(new CreateRoleCommand({ RoleName: "url-fn", AssumeRolePolicyDocument: trust }));
    await createFromFixture(suite.client, "private-url", "gateway-echo", { Role: `arn:aws:iam::${ACCOUNT}:role/url-fn` });
    const { base } = await createFunctionUrl(suite.unkai.url, "private-url", [], "AWS_IAM");
    const functionArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:private-url`;
    const caller = await user("url-caller", { statements: [{ Effect: "Allow", Action: "lambda:InvokeFunctionUrl", Resource: functionArn, Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "AWS_IAM" } } }] });
    const invoker = await user("url-invoker", { statements: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: functionArn }] });
    const publicOnly = await user("url-public-only", { statements: [{ Effect: "Allow", Action: "lambda:InvokeFunctionUrl", Resource: functionArn, Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "NONE" } } }] });
    const stranger = await user("url-stranger");
    const call = async (keys: Keys) => {
      const target = new URL(`${base}/x/plain`);
      const signer = new SignatureV4({ service: "lambda", region: "us-east-1", credentials: keys, sha256: Sha256 });
      const signed = await signer.sign({ method: "GET", protocol: "http:", hostname: target.hostname, port: Number(target.port), path: target.pathname, headers: { host: target.host } });
      const response = await fetch(target, { headers: signed.headers });
      return { status: response.status, body: await response.text() };
    };
    const FORBIDDEN = { status: 403, body: JSON.stringify({ Message: "Forbidden" }) };
    assert.deepEqual(await call(caller), { status: 200, body: JSON.stringify({ hello: "world" }) });
    assert.deepEqual(await call(DEFAULT_CREDENTIALS), { status: 200, body: JSON.stringify({ hello: "world" }) }, "the account root");
    assert.deepEqual(await call(stranger), FORBIDDEN, "no policy allows it");
    assert.deepEqual(await call(invoker), FORBIDDEN, "lambda:InvokeFunction is not lambda:InvokeFunctionUrl");
    assert.deepEqual(await call(publicOnly), FORBIDDEN, "the URL's auth type is AWS_IAM, not NONE");

    // The function's own policy (AddPermission with FunctionUrlAuthType) names the stranger: it may call it alone.
    const add = await aws(suite.unkai.url, ["lambda", "add-permission", "--function-name", "private-url", "--statement-id", "stranger-url", "--action", "lambda:InvokeFunctionUrl", "--principal", USER_ARN("url-stranger"), "--function-url-auth-type", "AWS_IAM"]);
    assert.equal(add.code, 0, add.stderr);
    assert.deepEqual(await call(stranger), { status: 200, body: JSON.stringify({ hello: "world" }) });
    await aws(suite.unkai.url, ["lambda", "remove-permission", "--function-name", "private-url", "--statement-id", "stranger-url"]);
    assert.deepEqual(await call(stranger), FORBIDDEN, "removed again");
    const none = await aws(suite.unkai.url, ["lambda", "add-permission", "--function-name", "private-url", "--statement-id", "none-only", "--action", "lambda:InvokeFunctionUrl", "--principal", USER_ARN("url-caller"), "--function-url-auth-type", "NONE"]);
    assert.equal(none.code, 0, none.stderr);
    assert.deepEqual(await call(caller), { status: 200, body: JSON.stringify({ hello: "world" }) }, "an Allow conditioned on NONE neither grants nor refuses an AWS_IAM call");
  });

  it("a function's policy is looked up by the qualifier's own name: an alias named constructor or hasOwnProperty has none until one is added", async () => {
    await createFromFixture(suite.client, "odd-aliases", "node-esm");
    const lambda = (keys: Keys = DEFAULT_CREDENTIALS) => new LambdaClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: keys, maxAttempts: 1 });
    const { Version } = await lambda().send(new PublishVersionCommand({ FunctionName: "odd-aliases" }));
    const stranger = await user("alias-stranger");
    for (const alias of ["constructor", "hasOwnProperty"]) {
      await lambda().send(new CreateAliasCommand({ FunctionName: "odd-aliases", Name: alias, FunctionVersion: Version }));
      const invoke = () => lambda(stranger).send(new InvokeCommand({ FunctionName: `odd-aliases:${alias}` }));
      assert.match(await attempt(invoke), /^AccessDeniedException: .*not authorized to perform: lambda:InvokeFunction/, `${alias}: no policy yet`);
      await lambda().send(new AddPermissionCommand({ FunctionName: "odd-aliases", Qualifier: alias, StatementId: "stranger", Action: "lambda:InvokeFunction", Principal: USER_ARN("alias-stranger") }));
      assert.equal(await attempt(invoke), "ok", `${alias}: its policy names the stranger`);
    }
  });
});
