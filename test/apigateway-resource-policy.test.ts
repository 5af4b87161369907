/**
 * REST API resource policies, set with the AWS CLI v2 (`create-rest-api --policy`, `update-rest-api
 * --patch-operations`) and evaluated as API Gateway evaluates them: on a NONE method only an explicit
 * Allow for the anonymous caller lets a call through (an `aws:SourceIp` condition decides; a Deny wins);
 * a changed policy applies from the next deployment; on an AWS_IAM method (under --iam enforce) the policy
 * and the signer's identity policies are evaluated together with the same-account logic (either may allow,
 * an explicit Deny in either refuses), each call signed with the principal's own keys; on a CUSTOM method
 * (a Lambda authorizer) the policy's explicit Deny refuses before the authorizer is called, and otherwise the
 * policy and the authorizer's answer decide together the same way. Refusals of anonymous calls by the policy
 * are in the IAM decision log.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { APIGatewayClient, UpdateRestApiCommand } from "@aws-sdk/client-api-gateway";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { zipFiles } from "../src/store/code/zip-directory.js";
import { aws, createFromFixture, DEFAULT_CREDENTIALS, ROLE, signedFetch } from "./helpers/clients.js";
import { cli as gatewayCli, fnArn, invocationCount, restProxyApi } from "./helpers/gateway.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";
import type { Keys } from "./helpers/outcome.js";

const ACCOUNT = "000000000000";
const policy = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const invoke = (resource: string | string[], extra: object = {}) => ({ Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: resource, ...extra });

/** A TOKEN authorizer answering a policy for the method ARN: Allow for "allow", Deny for "deny", and for "silent" an Allow of another API only. */
const AUTHORIZER = `
exports.handler = async (event) => {
  const token = event.authorizationToken;
  const effect = token === "deny" ? "Deny" : "Allow";
  const resource = token === "silent" ? "arn:aws:execute-api:us-east-1:000000000000:elsewhere/*/GET/" : event.methodArn;
  return { principalId: "carol", policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }] }, context: { token } };
};`;

describe("API Gateway REST API resource policies", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  const cli = async (args: string[]) => {
    const run = await aws(suite.unkai.url, args);
    return { ...run, json: run.code === 0 && run.stdout.trim() ? (JSON.parse(run.stdout) as Record<string, unknown>) : undefined };
  };
  const call = async (url: string, keys?: Keys) => {
    const response = keys ? await signedFetch(url, { method: "GET", service: "execute-api" }, keys) : await fetch(url);
    return { status: response.status, body: await response.text() };
  };
  const refused = (arn: string, explicit = false) => ({
    status: 403, body: JSON.stringify({ Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${arn}${explicit ? " with an explicit deny" : ""}` }),
  });
  /** The echo fixture answers the v1 event it got: the path it was called with. */
  const echoed = async (url: string, keys?: Keys) => {
    const answer = await call(url, keys);
    return answer.status === 200 ? (JSON.parse(answer.body) as { path: string }).path : answer;
  };

  it("a NONE method needs the policy's explicit Allow: aws:SourceIp decides, a Deny wins, a new policy applies once deployed", async () => {
    await createFromFixture(suite.client, "rp-echo", "gateway-echo");
    const elsewhere = policy(invoke("execute-api:/*", { Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }));
    const { apiId, base } = await restProxyApi(suite.unkai.url, "rp-echo", "test", ["--policy", elsewhere]);
    const arn = (method: string, path: string) => `arn:aws:execute-api:us-east-1:${ACCOUNT}:${apiId}/test/${method}${path}`;
    assert.deepEqual(await call(`${base}/a/item`), refused(arn("GET", "/a/item")), "127.0.0.1 is not in 10.0.0.0/8");

    // GetRestApi answers the document as API Gateway does: `execute-api:/…` expanded, quotes and slashes escaped once more.
    const got = await cli(["apigateway", "get-rest-api", "--rest-api-id", apiId]);
    const answered = String(got.json?.policy);
    assert.ok(answered.startsWith('{\\"Version\\":\\"2012-10-17\\"'), answered);
    const stored = JSON.parse(JSON.parse(`"${answered}"`) as string) as { Statement: { Resource: string }[] };
    assert.equal(stored.Statement[0]?.Resource, `arn:aws:execute-api:us-east-1:${ACCOUNT}:${apiId}/*`);

    const here = policy(
      invoke("execute-api:/*", { Condition: { IpAddress: { "aws:SourceIp": ["127.0.0.0/8", "::1/128"] } } }),
      { Effect: "Deny", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*/GET/secret/*" },
    );
    const updated = await cli(["apigateway", "update-rest-api", "--rest-api-id", apiId, "--patch-operations", JSON.stringify([{ op: "replace", path: "/policy", value: here }])]);
    assert.equal(updated.code, 0, updated.stderr);
    assert.deepEqual(await call(`${base}/a/item`), refused(arn("GET", "/a/item")), "the stage still serves the deployed policy");
    assert.equal((await cli(["apigateway", "create-deployment", "--rest-api-id", apiId, "--stage-name", "test"])).code, 0);
    assert.equal(await echoed(`${base}/a/item`), "/a/item", "allowed from 127.0.0.1 once deployed");
    assert.deepEqual(await call(`${base}/secret/item`), refused(arn("GET", "/secret/item"), true), "the Deny wins over the Allow");

    // Each refusal is in the IAM decision log, as the anonymous principal, with the statement that decided.
    const logged = await waitFor("the refusals in /unkai/iam/decisions", async () => {
      const read = await cli(["logs", "filter-log-events", "--log-group-name", "/unkai/iam/decisions", "--filter-pattern", '{ $.principal = "anonymous" }']);
      const records = ((read.json?.events ?? []) as { message: string }[]).map((e) => JSON.parse(e.message) as { resource: string; decision: string; statement?: { sid: string | null } });
      return records.length >= 3 ? records : undefined;
    });
    assert.deepEqual(logged.map((r) => [r.resource, r.decision]), [
      [arn("GET", "/a/item"), "implicitDeny"], [arn("GET", "/a/item"), "implicitDeny"], [arn("GET", "/secret/item"), "explicitDeny"],
    ]);

    const bad = await cli(["apigateway", "update-rest-api", "--rest-api-id", apiId, "--patch-operations", JSON.stringify([{ op: "replace", path: "/policy", value: "{not json" }])]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /BadRequestException.*Invalid policy document/);
    const noPrincipal = await cli(["apigateway", "create-rest-api", "--name", "bad", "--policy", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: "*" }] })]);
    assert.match(noPrincipal.stderr, /BadRequestException.*Missing required field Principal/);

    const removed = await cli(["apigateway", "update-rest-api", "--rest-api-id", apiId, "--patch-operations", "op=remove,path=/policy"]);
    assert.equal(removed.json?.policy, undefined);
    await cli(["apigateway", "create-deployment", "--rest-api-id", apiId, "--stage-name", "test"]);
    assert.equal(await echoed(`${base}/secret/item`), "/secret/item", "without a policy a NONE method is public again");
  });

  it("an AWS_IAM method: the policy and the signer's identity policies decide together, an explicit Deny in either refuses", async () => {
    const iam = new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const user = async (name: string, statements: object[] = []): Promise<Keys> => {
      await iam.send(new CreateUserCommand({ UserName: name }));
      if (statements.length) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: policy(...statements) }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
      return { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
    };
    const friend = await user("rp-friend");
    const admin = await user("rp-admin", [{ Effect: "Allow", Action: "*", Resource: "*" }]);
    const stranger = await user("rp-stranger");
    await createFromFixture(suite.client, "rp-iam", "gateway-echo");
    const document = policy(
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/rp-friend` }, Action: "execute-api:Invoke", Resource: "execute-api:/*" },
      { Effect: "Deny", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*/GET/blocked/*", Condition: { IpAddress: { "aws:SourceIp": ["127.0.0.0/8", "::1/128"] } } },
    );
    const { apiId, base } = await restProxyApi(suite.unkai.url, "rp-iam", "prod", ["--policy", document], "AWS_IAM");
    const arn = (path: string) => `arn:aws:execute-api:us-east-1:${ACCOUNT}:${apiId}/prod/GET${path}`;
    const denied = (who: string, path: string, explicit = false) => ({
      status: 403, body: JSON.stringify({ Message: `User: arn:aws:iam::${ACCOUNT}:user/${who} is not authorized to perform: execute-api:Invoke on resource: ${arn(path)}${explicit ? " with an explicit deny" : ""}` }),
    });

    assert.equal(await echoed(`${base}/x/item`, friend), "/x/item", "the policy names the user: allowed without an identity policy");
    assert.equal(await echoed(`${base}/x/item`, admin), "/x/item", "the identity policy allows, the resource policy is silent");
    assert.deepEqual(await call(`${base}/x/item`, stranger), denied("rp-stranger", "/x/item"), "neither allows");
    assert.deepEqual(await call(`${base}/blocked/item`, admin), denied("rp-admin", "/blocked/item", true), "the policy's Deny beats Action *");
    assert.deepEqual(await call(`${base}/blocked/item`, friend), denied("rp-friend", "/blocked/item", true));

    // Changing the policy needs apigateway:UpdateRestApiPolicy besides apigateway:PATCH, as AWS documents.
    const editorKeys = await user("rp-editor", [{ Effect: "Allow", Action: ["apigateway:GET", "apigateway:PATCH"], Resource: "*" }]);
    const editor = new APIGatewayClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: editorKeys, maxAttempts: 1 });
    const replacePolicy = () => editor.send(new UpdateRestApiCommand({ restApiId: apiId, patchOperations: [{ op: "replace", path: "/policy", value: policy(invoke("execute-api:/*")) }] }));
    await assert.rejects(replacePolicy(), (error: Error) => error.name === "AccessDeniedException" && error.message.includes("apigateway:UpdateRestApiPolicy"));
    const described = await editor.send(new UpdateRestApiCommand({ restApiId: apiId, patchOperations: [{ op: "replace", path: "/description", value: "edited" }] }));
    assert.equal(described.description, "edited", "PATCH alone may change the rest");
    await iam.send(new PutUserPolicyCommand({ UserName: "rp-editor", PolicyName: "p2", PolicyDocument: policy({ Effect: "Allow", Action: "apigateway:UpdateRestApiPolicy", Resource: "*" }) }));
    assert.match(String((await replacePolicy()).policy), /execute-api:us-east-1:000000000000/);
    editor.destroy();
    iam.destroy();
  });
  describe("a CUSTOM method (Lambda authorizer): the policy's Deny refuses before the authorizer is called, its Allow joins the authorizer's answer (Table A)", () => {
    type CustomApi = { apiId: string; base: string; arn: (path: string) => string };
    /** Deny for 127.0.0.1 on /blocked, Allow everything; silent on the methods called (it allows /elsewhere only); none. */
    let guarded: CustomApi, silent: CustomApi, open: CustomApi;
    const get = async (url: string, token?: string) => {
      const response = await fetch(url, { headers: token === undefined ? {} : { authorization: token } });
      const body = await response.text();
      return { status: response.status, type: response.headers.get("x-amzn-errortype"), body: response.status === 200 ? (JSON.parse(body) as { path: string }).path : body };
    };
    const echoedPath = (path: string) => ({ status: 200, type: null, body: path });
    const authorizerSays = (explicit: boolean) => ({
      status: 403, type: "AccessDeniedException", body: JSON.stringify({ Message: `User is not authorized to access this resource${explicit ? " with an explicit deny" : ""}` }),
    });
    const policyDenies = (path: string) => ({ status: 403, type: "AccessDeniedException", body: refused(guarded.arn(path), true).body });
    const authorizerCalls = () => invocationCount(suite.unkai.url, "rp-authz");

    /** A REST API whose `{proxy+}` GET is guarded by the TOKEN authorizer (answers not cached: each call asks it), with `document` as its policy. */
    const customApi = async (name: string, document?: string): Promise<CustomApi> => {
      const url = suite.unkai.url;
      const uri = (fn: string) => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn(fn)}/invocations`;
      const apiId = String((await gatewayCli(url, ["apigateway", "create-rest-api", "--name", name, ...(document ? ["--policy", document] : [])])).id);
      const root = String(((await gatewayCli(url, ["apigateway", "get-resources", "--rest-api-id", apiId])).items as { id: string }[])[0]?.id);
      const proxy = String((await gatewayCli(url, ["apigateway", "create-resource", "--rest-api-id", apiId, "--parent-id", root, "--path-part", "{proxy+}"])).id);
      const authorizer = await gatewayCli(url, [
        "apigateway", "create-authorizer", "--rest-api-id", apiId, "--name", "token", "--type", "TOKEN", "--authorizer-uri", uri("rp-authz"),
        "--identity-source", "method.request.header.Authorization", "--authorizer-result-ttl-in-seconds", "0",
      ]);
      await gatewayCli(url, ["apigateway", "put-method", "--rest-api-id", apiId, "--resource-id", proxy, "--http-method", "GET", "--authorization-type", "CUSTOM", "--authorizer-id", String(authorizer.id)]);
      await gatewayCli(url, ["apigateway", "put-integration", "--rest-api-id", apiId, "--resource-id", proxy, "--http-method", "GET", "--type", "AWS_PROXY", "--integration-http-method", "POST", "--uri", uri("rp-custom")]);
      await gatewayCli(url, ["apigateway", "create-deployment", "--rest-api-id", apiId, "--stage-name", "prod"]);
      return { apiId, base: `${url}/_aws/execute-api/${apiId}/prod`, arn: (path: string) => `arn:aws:execute-api:us-east-1:${ACCOUNT}:${apiId}/prod/GET${path}` };
    };

    before(async () => {
      await suite.client.send(new CreateFunctionCommand({ FunctionName: "rp-authz", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: await zipFiles({ "index.js": AUTHORIZER }) } }));
      await createFromFixture(suite.client, "rp-custom", "gateway-echo");
      guarded = await customApi("rp-custom-guarded", policy(
        invoke("execute-api:/*"),
        { Sid: "NotFromHere", Effect: "Deny", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*/GET/blocked/*", Condition: { IpAddress: { "aws:SourceIp": "127.0.0.1/32" } } },
      ));
      silent = await customApi("rp-custom-silent", policy(invoke("execute-api:/*/GET/elsewhere/*")));
      open = await customApi("rp-custom-open");
    });

    it("the policy's Deny on the caller's aws:SourceIp: IAM's 403 without calling the authorizer, which would allow", async () => {
      const calls = await authorizerCalls();
      assert.deepEqual(await get(`${guarded.base}/blocked/item`, "allow"), policyDenies("/blocked/item"));
      assert.deepEqual(await get(`${guarded.base}/blocked/item`), policyDenies("/blocked/item"), "no token: still the policy's 403, not the authorizer's 401");
      assert.equal(await authorizerCalls(), calls, "the authorizer was not called");
      assert.deepEqual(await get(`${guarded.base}/open/item`, "allow"), echoedPath("/open/item"));
      assert.equal(await authorizerCalls(), calls + 1, "it is called where the policy does not deny");
    });

    it("the policy's Allow and the authorizer's Allow: the call goes through", async () => {
      assert.deepEqual(await get(`${guarded.base}/open/item`, "allow"), echoedPath("/open/item"));
    });

    it("the policy's Allow and the authorizer's Deny: the authorizer's explicit deny", async () => {
      assert.deepEqual(await get(`${guarded.base}/open/item`, "deny"), authorizerSays(true));
    });

    it("the policy's Allow and an authorizer policy silent on the method: allowed, either may allow", async () => {
      assert.deepEqual(await get(`${guarded.base}/open/item`, "silent"), echoedPath("/open/item"));
    });

    it("a policy silent on the method leaves it to the authorizer: its Allow lets through, its silence is its implicit deny", async () => {
      assert.deepEqual(await get(`${silent.base}/open/item`, "allow"), echoedPath("/open/item"));
      assert.deepEqual(await get(`${silent.base}/open/item`, "silent"), authorizerSays(false));
      assert.deepEqual(await get(`${silent.base}/open/item`, "deny"), authorizerSays(true));
    });

    it("without a policy, the authorizer alone decides, as before", async () => {
      assert.deepEqual(await get(`${open.base}/blocked/item`, "allow"), echoedPath("/blocked/item"));
      assert.deepEqual(await get(`${open.base}/blocked/item`, "silent"), authorizerSays(false));
      assert.deepEqual(await get(`${open.base}/blocked/item`, "deny"), authorizerSays(true));
    });

    it("the IAM decision log holds the policy's refusals (anonymous, the deciding statement), not the authorizer's", async () => {
      // The authorizer's refusals above came before this one, so they would be in the log by the time it is.
      assert.deepEqual(await get(`${guarded.base}/blocked/last`, "allow"), policyDenies("/blocked/last"));
      const logged = await waitFor("the CUSTOM refusals in /unkai/iam/decisions", async () => {
        const read = await cli(["logs", "filter-log-events", "--log-group-name", "/unkai/iam/decisions", "--filter-pattern", '{ $.principal = "anonymous" }']);
        const records = ((read.json?.events ?? []) as { message: string }[])
          .map((e) => JSON.parse(e.message) as { resource: string; decision: string; mode: string; message: string; statement?: { sid: string | null } })
          .filter((r) => [guarded.apiId, silent.apiId, open.apiId].some((id) => r.resource.includes(`:${id}/`)));
        return records.some((r) => r.resource === guarded.arn("/blocked/last")) ? records : undefined;
      });
      const entry = (path: string) => [guarded.arn(path), "explicitDeny", "enforce", "NotFromHere", (JSON.parse(policyDenies(path).body) as { Message: string }).Message];
      assert.deepEqual(logged.map((r) => [r.resource, r.decision, r.mode, r.statement?.sid, r.message]), [entry("/blocked/item"), entry("/blocked/item"), entry("/blocked/last")]);
    });
  });
});
