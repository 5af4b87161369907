/**
 * REST APIs' API keys and usage plans with the real @aws-sdk/client-api-gateway and the AWS CLI: the
 * management API (keys, plans, plan keys), and a method with `apiKeyRequired` served only to an enabled
 * key of a plan naming the stage, throttled and held to the plan's quota as API Gateway answers.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  APIGatewayClient, CreateApiKeyCommand, CreateAuthorizerCommand, CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, CreateUsagePlanCommand, CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand, DeleteUsagePlanCommand, DeleteUsagePlanKeyCommand, GetApiKeyCommand, GetUsagePlanCommand, GetApiKeysCommand, GetUsagePlanKeysCommand, GetUsagePlansCommand, PutIntegrationCommand,
  PutMethodCommand, UpdateApiKeyCommand, UpdateUsagePlanCommand,
} from "@aws-sdk/client-api-gateway";
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { s3 } from "./helpers/s3.js";
import { zipFiles } from "../src/store/code/zip-directory.js";
import { aws, DEFAULT_CREDENTIALS, ROLE, createFromFixture } from "./helpers/clients.js";
import { fnArn } from "./helpers/gateway.js";
import { unkaiSuite } from "./helpers/suite.js";
import { refusal } from "./helpers/outcome.js";

describe("REST API keys and usage plans", () => {
  const suite = unkaiSuite();
  let sdk: APIGatewayClient;
  let restApiId = "";
  const call = async (stage: string, key?: string, path = "private") => {
    const response = await fetch(`${suite.unkai.url}/_aws/execute-api/${restApiId}/${stage}/${path}`, { headers: key === undefined ? {} : { "x-api-key": key } });
    return { status: response.status, type: response.headers.get("x-amzn-errortype"), body: await response.text() };
  };
  const newKey = async (fields: { enabled?: boolean; value?: string; name?: string } = {}) => {
    const key = await sdk.send(new CreateApiKeyCommand({ name: fields.name ?? "k", enabled: fields.enabled ?? true, ...(fields.value ? { value: fields.value } : {}) }));
    return { id: String(key.id), value: String(key.value) };
  };

  before(async () => {
    sdk = new APIGatewayClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await createFromFixture(suite.client, "api-keys-echo", "gateway-echo", { Timeout: 10 });
    const api = await sdk.send(new CreateRestApiCommand({ name: "keyed" }));
    restApiId = String(api.id);
    const uri = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn("api-keys-echo")}/invocations`;
    for (const [pathPart, apiKeyRequired] of [["private", true], ["public", false]] as const) {
      const resource = await sdk.send(new CreateResourceCommand({ restApiId, parentId: api.rootResourceId, pathPart }));
      await sdk.send(new PutMethodCommand({ restApiId, resourceId: resource.id, httpMethod: "GET", authorizationType: "NONE", apiKeyRequired }));
      await sdk.send(new PutIntegrationCommand({ restApiId, resourceId: resource.id, httpMethod: "GET", type: "AWS_PROXY", integrationHttpMethod: "POST", uri }));
    }
    for (const stageName of ["prod", "dev", "limited", "quota"]) await sdk.send(new CreateDeploymentCommand({ restApiId, stageName }));
  });

  it("CreateApiKey: disabled unless asked, a generated 40-character value answered on creation only; GetApiKey(s) with and without values, paged", async () => {
    const created = await sdk.send(new CreateApiKeyCommand({ name: "paging-a", description: "first", customerId: "c-1", tags: { team: "a" } }));
    assert.equal(created.enabled, false);
    assert.match(String(created.value), /^[A-Za-z0-9]{40}$/);
    const read = await sdk.send(new GetApiKeyCommand({ apiKey: created.id }));
    assert.deepEqual([read.name, read.description, read.customerId, read.value, read.tags], ["paging-a", "first", "c-1", undefined, { team: "a" }]);
    assert.equal((await sdk.send(new GetApiKeyCommand({ apiKey: created.id, includeValue: true }))).value, created.value);
    await sdk.send(new CreateApiKeyCommand({ name: "paging-b", value: "abcdefghij0123456789" }));
    await sdk.send(new CreateApiKeyCommand({ name: "paging-c" }));

    const seen: string[] = [];
    let position: string | undefined;
    do {
      const page = await sdk.send(new GetApiKeysCommand({ nameQuery: "paging-", limit: 2, position, includeValues: true }));
      assert.ok((page.items ?? []).length <= 2);
      for (const item of page.items ?? []) {
        seen.push(String(item.name));
        assert.ok(item.value, "includeValues answers each key's value");
      }
      position = page.position;
    } while (position);
    assert.deepEqual(seen.sort(), ["paging-a", "paging-b", "paging-c"]);
    assert.ok((await sdk.send(new GetApiKeysCommand({ nameQuery: "paging-" }))).items?.every((item) => item.value === undefined));

    const updated = await sdk.send(new UpdateApiKeyCommand({ apiKey: created.id, patchOperations: [{ op: "replace", path: "/enabled", value: "true" }, { op: "replace", path: "/name", value: "renamed" }] }));
    assert.deepEqual([updated.enabled, updated.name], [true, "renamed"]);
  });

  it("refuses bad keys with API Gateway's errors", async () => {
    assert.deepEqual(await refusal(sdk.send(new CreateApiKeyCommand({ name: "short", value: "too-short" }))), { name: "BadRequestException", message: "Invalid input for value: API Key value should be at least 20 characters.", status: 400 });
    assert.equal((await refusal(sdk.send(new CreateApiKeyCommand({ name: "long", value: "x".repeat(129) })))).name, "BadRequestException");
    assert.equal((await refusal(sdk.send(new CreateApiKeyCommand({ name: "spaces", value: "has spaces in it, twenty+" })))).name, "BadRequestException");
    await newKey({ value: "duplicate-value-000000001" });
    assert.equal((await refusal(sdk.send(new CreateApiKeyCommand({ name: "again", value: "duplicate-value-000000001" })))).name, "ConflictException");
    assert.deepEqual(await refusal(sdk.send(new GetApiKeyCommand({ apiKey: "nosuchkey0" }))), { name: "NotFoundException", message: "Invalid API Key identifier specified", status: 404 });
    assert.equal((await refusal(sdk.send(new CreateApiKeyCommand({ name: "staged", stageKeys: [{ restApiId, stageName: "nosuchstage" }] })))).name, "NotFoundException");
    assert.equal((await refusal(sdk.send(new UpdateApiKeyCommand({ apiKey: (await newKey()).id, patchOperations: [{ op: "replace", path: "/value", value: "x".repeat(30) }] })))).name, "BadRequestException");
    assert.equal((await refusal(sdk.send(new CreateUsagePlanCommand({ name: "bad", apiStages: [{ apiId: restApiId, stage: "nosuchstage" }] })))).name, "NotFoundException");
    assert.equal((await refusal(sdk.send(new CreateUsagePlanCommand({ name: "bad", apiStages: [{ apiId: restApiId, stage: "prod", throttle: { "/nowhere/GET": { rateLimit: 1 } } }] })))).name, "BadRequestException");
    assert.equal((await refusal(sdk.send(new CreateUsagePlanCommand({ name: "bad", quota: { limit: 5, period: "WEEK", offset: 7 } })))).name, "BadRequestException");
    const quoted = await sdk.send(new CreateUsagePlanCommand({ name: "quoted", quota: { limit: 5, period: "DAY" } }));
    for (const [path, value] of [["/quota/period", "YEAR"], ["/quota/limit", "2.5"], ["/quota/limit", "3000000000"], ["/quota/offset", "1.5"]]) {
      const refused = await refusal(sdk.send(new UpdateUsagePlanCommand({ usagePlanId: quoted.id, patchOperations: [{ op: "replace", path, value }] })));
      assert.deepEqual([refused.name, refused.status], ["BadRequestException", 400], `${path} ${value}: ${refused.message}`);
    }
    const throttled = await sdk.send(new CreateUsagePlanCommand({ name: "prototype", apiStages: [{ apiId: restApiId, stage: "dev" }] }));
    assert.equal((await refusal(sdk.send(new UpdateUsagePlanCommand({ usagePlanId: throttled.id, patchOperations: [{ op: "replace", path: `/apiStages/${restApiId}:dev/throttle/~1private/constructor/rateLimit`, value: "1" }] })))).name, "BadRequestException", "a method named like an Object.prototype member");
  });

  it("a method with apiKeyRequired: 403 Forbidden without an enabled key of a plan naming the stage; the key reaches the function's event", async () => {
    const forbidden = { status: 403, type: "ForbiddenException", body: JSON.stringify({ message: "Forbidden" }) };
    const key = await newKey();
    assert.deepEqual(await call("prod"), forbidden, "no key");
    assert.deepEqual(await call("prod", "not-a-key-of-anyone-at-all"), forbidden, "an unknown key");
    assert.deepEqual(await call("prod", key.value), forbidden, "a key in no usage plan");
    assert.equal((await call("prod", undefined, "public")).status, 200, "a method that needs no key");

    const plan = await sdk.send(new CreateUsagePlanCommand({ name: "prod-only", apiStages: [{ apiId: restApiId, stage: "prod" }] }));
    const planKey = await sdk.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: "API_KEY" }));
    assert.deepEqual([planKey.id, planKey.type, planKey.value], [key.id, "API_KEY", key.value]);
    const served = await call("prod", key.value);
    assert.equal(served.status, 200);
    const identity = (JSON.parse(served.body) as { requestContext: { identity: Record<string, unknown> } }).requestContext.identity;
    assert.deepEqual([identity.apiKey, identity.apiKeyId], [key.value, key.id]);
    assert.deepEqual(await call("dev", key.value), forbidden, "the plan does not name stage dev");
    assert.deepEqual(await call("prod", key.value.toLowerCase() === key.value ? key.value.toUpperCase() : key.value.toLowerCase()), forbidden, "the value is case-sensitive");

    await sdk.send(new UpdateApiKeyCommand({ apiKey: key.id, patchOperations: [{ op: "replace", path: "/enabled", value: "false" }] }));
    assert.deepEqual(await call("prod", key.value), forbidden, "a disabled key");
    await sdk.send(new UpdateApiKeyCommand({ apiKey: key.id, patchOperations: [{ op: "replace", path: "/enabled", value: "true" }] }));
    assert.equal((await call("prod", key.value)).status, 200);

    assert.deepEqual((await sdk.send(new GetUsagePlansCommand({ keyId: key.id }))).items?.map((p) => p.id), [plan.id]);
    assert.deepEqual((await sdk.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id }))).items?.map((k) => k.id), [key.id]);
    await sdk.send(new DeleteUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id }));
    assert.deepEqual(await call("prod", key.value), forbidden, "a key taken out of the plan");
    await sdk.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: "API_KEY" }));
    assert.equal((await call("prod", key.value)).status, 200);

    // API Gateway's quota of 10 usage plans per key (plans that share no stage with the first).
    const spare: string[] = [];
    for (let i = 0; i < 9; i++) {
      const extra = await sdk.send(new CreateUsagePlanCommand({ name: `spare-${i}` }));
      await sdk.send(new CreateUsagePlanKeyCommand({ usagePlanId: extra.id, keyId: key.id, keyType: "API_KEY" }));
      spare.push(String(extra.id));
    }
    const eleventh = await sdk.send(new CreateUsagePlanCommand({ name: "eleventh" }));
    assert.deepEqual(await refusal(sdk.send(new CreateUsagePlanKeyCommand({ usagePlanId: eleventh.id, keyId: key.id, keyType: "API_KEY" }))), {
      name: "LimitExceededException", message: `API key ${key.id} is already in 10 usage plans, API Gateway's quota per key.`, status: 429,
    });
    for (const id of spare) await sdk.send(new DeleteUsagePlanKeyCommand({ usagePlanId: id, keyId: key.id }));
    const other = await sdk.send(new CreateUsagePlanCommand({ name: "prod-again", apiStages: [{ apiId: restApiId, stage: "prod" }] }));
    assert.equal((await refusal(sdk.send(new CreateUsagePlanKeyCommand({ usagePlanId: other.id, keyId: key.id, keyType: "API_KEY" })))).name, "ConflictException", "one plan per key and stage");

    await sdk.send(new DeleteApiKeyCommand({ apiKey: key.id }));
    assert.deepEqual(await call("prod", key.value), forbidden, "a deleted key");
    assert.deepEqual((await sdk.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id }))).items ?? [], [], "deleting a key takes it out of its plans");
  });

  it("a plan's throttle answers 429 Too Many Requests past its burst, and its quota 429 Limit Exceeded past its limit", async () => {
    const key = await newKey();
    const plan = await sdk.send(new CreateUsagePlanCommand({ name: "slow", apiStages: [{ apiId: restApiId, stage: "limited" }], throttle: { rateLimit: 0.01, burstLimit: 2 } }));
    await sdk.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: "API_KEY" }));
    const statuses = async (value: string, count: number) => {
      const seen = [];
      for (let i = 0; i < count; i++) seen.push((await call("limited", value)).status);
      return seen;
    };
    assert.deepEqual(await statuses(key.value, 3), [200, 200, 429]);
    assert.deepEqual(await call("limited", key.value), { status: 429, type: "TooManyRequestsException", body: JSON.stringify({ message: "Too Many Requests" }) });
    // A method throttle that sets only a burst keeps the plan's rate (member by member).
    await sdk.send(new UpdateUsagePlanCommand({ usagePlanId: plan.id, patchOperations: [{ op: "replace", path: `/apiStages/${restApiId}:limited/throttle/~1private/GET/burstLimit`, value: "1" }] }));
    assert.deepEqual(await statuses(key.value, 2), [200, 429], "a fresh bucket of one token at the plan's slow rate");
    // A method's own throttle in the plan's stage wins over the plan's.
    await sdk.send(new UpdateUsagePlanCommand({ usagePlanId: plan.id, patchOperations: [{ op: "replace", path: `/apiStages/${restApiId}:limited/throttle/~1private/GET/rateLimit`, value: "1000" }] }));
    assert.equal((await call("limited", key.value)).status, 200);

    const counted = await newKey();
    const quota = await sdk.send(new CreateUsagePlanCommand({ name: "two-a-day", apiStages: [{ apiId: restApiId, stage: "quota" }], quota: { limit: 2, period: "DAY" } }));
    await sdk.send(new CreateUsagePlanKeyCommand({ usagePlanId: quota.id, keyId: counted.id, keyType: "API_KEY" }));
    assert.equal((await call("quota", counted.value)).status, 200);
    assert.equal((await call("quota", counted.value)).status, 200);
    assert.deepEqual(await call("quota", counted.value), { status: 429, type: "LimitExceededException", body: JSON.stringify({ message: "Limit Exceeded" }) });
    await sdk.send(new UpdateUsagePlanCommand({ usagePlanId: quota.id, patchOperations: [{ op: "replace", path: "/quota/limit", value: "3" }] }));
    assert.equal((await call("quota", counted.value)).status, 200, "a raised quota counts the calls already made");
    assert.equal((await call("quota", counted.value)).status, 429);
  });

  it("DeleteUsagePlan refuses a plan that still names stages, as AWS does; UpdateUsagePlan removes them first", async () => {
    const plan = await sdk.send(new CreateUsagePlanCommand({ name: "doomed", apiStages: [{ apiId: restApiId, stage: "dev", throttle: { "/private/GET": { rateLimit: 3 } } }] }));
    assert.deepEqual(await refusal(sdk.send(new DeleteUsagePlanCommand({ usagePlanId: plan.id }))), {
      name: "BadRequestException", message: `Cannot delete Usage Plan ${String(plan.id)} because there are API Stages associated with it, including ${restApiId}:dev`, status: 400,
    });
    assert.deepEqual(await refusal(sdk.send(new UpdateUsagePlanCommand({ usagePlanId: plan.id, patchOperations: [{ op: "remove", path: "/apiStages", value: `${restApiId}:prod` }] }))), {
      name: "BadRequestException", message: "Invalid API Stage specified", status: 400,
    });
    const unthrottled = await sdk.send(new UpdateUsagePlanCommand({ usagePlanId: plan.id, patchOperations: [{ op: "remove", path: `/apiStages/${restApiId}:dev/throttle/~1private/GET` }] }));
    assert.deepEqual(unthrottled.apiStages, [{ apiId: restApiId, stage: "dev" }]);
    await sdk.send(new UpdateUsagePlanCommand({ usagePlanId: plan.id, patchOperations: [{ op: "remove", path: "/apiStages", value: `${restApiId}:dev` }] }));
    await sdk.send(new DeleteUsagePlanCommand({ usagePlanId: plan.id }));
    assert.equal((await refusal(sdk.send(new GetUsagePlanCommand({ usagePlanId: plan.id })))).name, "NotFoundException");
  });

  it("apiKeySource AUTHORIZER: the key is the Lambda authorizer's usageIdentifierKey, not the x-api-key header", async () => {
    const authorizer = "exports.handler = async (event) => ({ principalId: 'p', usageIdentifierKey: event.authorizationToken, policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] } });";
    await suite.client.send(new CreateFunctionCommand({ FunctionName: "api-keys-authz", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: await zipFiles({ "index.js": authorizer }) } }));
    const api = await sdk.send(new CreateRestApiCommand({ name: "keyed-by-authorizer", apiKeySource: "AUTHORIZER" }));
    assert.equal(api.apiKeySource, "AUTHORIZER");
    const lambdaUri = (fn: string) => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn(fn)}/invocations`;
    const authorizerId = (await sdk.send(new CreateAuthorizerCommand({ restApiId: api.id, name: "keys", type: "TOKEN", authorizerUri: lambdaUri("api-keys-authz"), identitySource: "method.request.header.Authorization", authorizerResultTtlInSeconds: 0 }))).id;
    const resource = await sdk.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "private" }));
    await sdk.send(new PutMethodCommand({ restApiId: api.id, resourceId: resource.id, httpMethod: "GET", authorizationType: "CUSTOM", authorizerId, apiKeyRequired: true }));
    await sdk.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: resource.id, httpMethod: "GET", type: "AWS_PROXY", integrationHttpMethod: "POST", uri: lambdaUri("api-keys-echo") }));
    await sdk.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "prod" }));
    const key = await newKey();
    const plan = await sdk.send(new CreateUsagePlanCommand({ name: "by-authorizer", apiStages: [{ apiId: String(api.id), stage: "prod" }] }));
    await sdk.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: "API_KEY" }));
    const get = async (headers: Record<string, string>) => (await fetch(`${suite.unkai.url}/_aws/execute-api/${String(api.id)}/prod/private`, { headers })).status;
    assert.equal(await get({ authorization: key.value }), 200);
    assert.equal(await get({ authorization: "not-a-key-at-all-0000000", "x-api-key": key.value }), 403, "the header does not count when the authorizer supplies the key");
  });

  it("an S3 bucket named apikeys or usageplans is S3's, path style: the API Gateway paths are claimed only for requests not signed for S3", async () => {
    const client = s3(suite.unkai.url);
    try {
      for (const Bucket of ["apikeys", "usageplans", "restapis"]) {
        await client.send(new CreateBucketCommand({ Bucket }));
        await client.send(new PutObjectCommand({ Bucket, Key: "k", Body: "body" }));
        assert.equal(await (await client.send(new GetObjectCommand({ Bucket, Key: "k" }))).Body?.transformToString(), "body");
      }
    } finally {
      client.destroy();
    }
    assert.ok(Array.isArray((await sdk.send(new GetApiKeysCommand({}))).items), "the management API still answers");
  });

  it("the AWS CLI creates a key and a plan and lists them", async () => {
    const created = await aws(suite.unkai.url, ["apigateway", "create-api-key", "--name", "from-cli", "--enabled", "--value", "cli-key-value-0123456789"]);
    assert.equal(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout) as { id: string; enabled: boolean; value: string };
    assert.deepEqual([key.enabled, key.value], [true, "cli-key-value-0123456789"]);
    const plan = await aws(suite.unkai.url, ["apigateway", "create-usage-plan", "--name", "cli-plan", "--api-stages", `apiId=${restApiId},stage=dev`, "--throttle", "burstLimit=10,rateLimit=5"]);
    assert.equal(plan.code, 0, plan.stderr);
    const planId = (JSON.parse(plan.stdout) as { id: string }).id;
    const added = await aws(suite.unkai.url, ["apigateway", "create-usage-plan-key", "--usage-plan-id", planId, "--key-id", key.id, "--key-type", "API_KEY"]);
    assert.equal(added.code, 0, added.stderr);
    assert.equal((await call("dev", key.value)).status, 200);
    const listed = await aws(suite.unkai.url, ["apigateway", "get-api-keys", "--name-query", "from-cli", "--include-values"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout) as { items: { value: string }[] }).items.map((k) => k.value), ["cli-key-value-0123456789"]);
  });
});
