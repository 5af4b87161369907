/**
 * HTTP API JWT authorizers against a real issuer: a local OpenID configuration and JWKS served by the
 * test, tokens signed with jose. Valid tokens reach the integration with their claims; missing,
 * expired, forged (another key, HS256 with the public key, alg none), wrong-issuer and
 * wrong-audience tokens get 401; a token without the route's scope gets 403.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { ApiGatewayV2Client, CreateAuthorizerCommand, CreateIntegrationCommand, CreateRouteCommand, GetAuthorizerCommand } from "@aws-sdk/client-apigatewayv2";
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWTPayload } from "jose";
import { zipFiles } from "../src/store/code/zip-directory.js";
import { DEFAULT_CREDENTIALS, ROLE } from "./helpers/clients.js";
import { fnArn, quickCreateHttpApi } from "./helpers/gateway.js";
import { unkaiSuite } from "./helpers/suite.js";

const BACKEND = "exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ authorizer: event.requestContext.authorizer ?? null }) });";

describe("HTTP API JWT authorizers", () => {
  const suite = unkaiSuite();
  let issuerServer: Server | undefined;
  let issuer = "";
  let key: CryptoKey;
  let publicPem = "";
  let otherKey: CryptoKey;

  before(async () => {
    const pair = await generateKeyPair("RS256", { extractable: true });
    key = pair.privateKey;
    publicPem = await exportSPKI(pair.publicKey);
    otherKey = (await generateKeyPair("RS256")).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    // Besides the issuer, two hostile ones under /huge-jwks and /huge-config: 3 MB documents, which Unkai must not buffer.
    const huge = `{"keys":[],"padding":"${"x".repeat(3 * 1024 * 1024)}"}`;
    issuerServer = createServer((request, response) => {
      if (request.url === "/huge-jwks/.well-known/openid-configuration") return void response.end(JSON.stringify({ issuer: `${issuer}/huge-jwks`, jwks_uri: `${issuer}/huge-jwks/jwks` }));
      if (request.url === "/huge-jwks/jwks" || request.url === "/huge-config/.well-known/openid-configuration") return void response.end(huge);
      const body = request.url === "/.well-known/openid-configuration" ? { issuer, jwks_uri: `${issuer}/jwks` } : request.url === "/jwks" ? { keys: [jwk] } : undefined;
      response.writeHead(body ? 200 : 404, { "content-type": "application/json" }).end(JSON.stringify(body ?? {}));
    });
    await new Promise<void>((resolve) => issuerServer?.listen(0, "127.0.0.1", resolve));
    issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => issuerServer ? issuerServer.close(() => resolve()) : resolve()));

  const sign = (claims: JWTPayload, options: { key?: CryptoKey; expiresIn?: string | number; issuer?: string } = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "k1" }).setIssuer(options.issuer ?? issuer).setIssuedAt()
      .setExpirationTime(options.expiresIn ?? "1h").sign(options.key ?? key);

  it("lets valid tokens through with their claims and refuses the rest with 401 or 403", async () => {
    const { client, unkai } = suite;
    await client.send(new CreateFunctionCommand({ FunctionName: "jwt-backend", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: await zipFiles({ "index.js": BACKEND }) } }));
    const { apiId, base } = await quickCreateHttpApi(unkai.url, "jwt-backend");
    const gw = new ApiGatewayV2Client({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    try {
      const authorizer = await gw.send(new CreateAuthorizerCommand({
        ApiId: apiId, Name: "jwt", AuthorizerType: "JWT", IdentitySource: ["$request.header.Authorization"], JwtConfiguration: { Issuer: issuer, Audience: ["my-app"] },
      }));
      const shown = await gw.send(new GetAuthorizerCommand({ ApiId: apiId, AuthorizerId: authorizer.AuthorizerId }));
      assert.deepEqual({ type: shown.AuthorizerType, jwt: shown.JwtConfiguration, source: shown.IdentitySource }, { type: "JWT", jwt: { Audience: ["my-app"], Issuer: issuer }, source: ["$request.header.Authorization"] });
      const integration = await gw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: "AWS_PROXY", IntegrationUri: fnArn("jwt-backend"), PayloadFormatVersion: "2.0" }));
      const target = `integrations/${integration.IntegrationId}`;
      await gw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: "GET /me", Target: target, AuthorizationType: "JWT", AuthorizerId: authorizer.AuthorizerId }));
      await gw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: "GET /admin", Target: target, AuthorizationType: "JWT", AuthorizerId: authorizer.AuthorizerId, AuthorizationScopes: ["admin"] }));

      const get = async (path: string, authorization?: string) => {
        const response = await fetch(`${base}${path}`, { headers: authorization === undefined ? {} : { authorization } });
        return { status: response.status, challenge: response.headers.get("www-authenticate"), body: JSON.parse(await response.text()) as Record<string, unknown> };
      };
      const missing = await get("/me");
      assert.equal(missing.status, 401);
      assert.deepEqual(missing.body, { message: "Unauthorized" });
      assert.match(missing.challenge ?? "", /^Bearer /);

      const token = await sign({ sub: "user-1", aud: "my-app", scope: "read write", groups: ["a", "b"] });
      const ok = await get("/me", `Bearer ${token}`);
      assert.equal(ok.status, 200);
      const jwt = (ok.body as { authorizer: { jwt: { claims: Record<string, string>; scopes: string[] } } }).authorizer.jwt;
      assert.equal(jwt.claims.sub, "user-1");
      assert.equal(jwt.claims.iss, issuer);
      assert.equal(jwt.claims.groups, "[a b]");
      assert.equal(typeof jwt.claims.exp, "string", "claims are strings, as API Gateway passes them");
      assert.deepEqual(jwt.scopes, ["read", "write"]);
      // Claims are named by the issuer: one named __proto__ is passed on like any other. (JSON.parse: a literal `__proto__:` would set the prototype.)
      const named = await get("/me", `Bearer ${await sign(JSON.parse('{"aud":"my-app","__proto__":"p","constructor":"c"}') as JWTPayload)}`);
      const namedClaims = (named.body as { authorizer: { jwt: { claims: Record<string, string> } } }).authorizer.jwt.claims;
      assert.deepEqual([Object.getOwnPropertyDescriptor(namedClaims, "__proto__")?.value, namedClaims.constructor], ["p", "c"]);
      assert.equal((await get("/me", token)).status, 200, "the Bearer prefix is optional");
      assert.equal((await get("/me", `Bearer ${await sign({ sub: "app", client_id: "my-app" })}`)).status, 200, "client_id counts as the audience");

      const refused = async (what: string, authorization: string, description: RegExp) => {
        const answer = await get("/me", authorization);
        assert.equal(answer.status, 401, what);
        assert.deepEqual(answer.body, { message: "Unauthorized" }, what);
        assert.match(answer.challenge ?? "", description, what);
      };
      await refused("garbage", "Bearer not-a-jwt", /error="invalid_token"/);
      await refused("expired", `Bearer ${await sign({ aud: "my-app" }, { expiresIn: Math.floor(Date.now() / 1000) - 60 })}`, /expired/);
      await refused("another audience", `Bearer ${await sign({ aud: "someone-else" })}`, /audience/);
      await refused("another issuer", `Bearer ${await sign({ aud: "my-app" }, { issuer: "https://evil.example" })}`, /invalid_token/);
      await refused("another key under the issuer's kid", `Bearer ${await sign({ aud: "my-app" }, { key: otherKey })}`, /signature/);
      const hmac = await new SignJWT({ aud: "my-app" }).setProtectedHeader({ alg: "HS256", kid: "k1" }).setIssuer(issuer).setExpirationTime("1h").sign(new TextEncoder().encode(publicPem));
      await refused("HS256 keyed with the public key", `Bearer ${hmac}`, /invalid_token/);
      const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${Buffer.from(JSON.stringify({ aud: "my-app", iss: issuer, exp: Math.floor(Date.now() / 1000) + 3600 })).toString("base64url")}.`;
      await refused("alg none", `Bearer ${unsigned}`, /invalid_token/);

      const noScope = await get("/admin", `Bearer ${token}`);
      assert.equal(noScope.status, 403);
      assert.deepEqual(noScope.body, { message: "Forbidden" });
      assert.match(noScope.challenge ?? "", /insufficient_scope/);
      assert.equal((await get("/admin", `Bearer ${await sign({ aud: "my-app", scope: "read admin" })}`)).status, 200);
      assert.equal((await get("/hello")).status, 200, "a route without an authorizer is not guarded");

      // An issuer that answers with documents over 1 MB (its JWKS, or its OpenID configuration) gets its tokens refused: Unkai stops reading.
      for (const hostile of ["huge-jwks", "huge-config"]) {
        const bad = await gw.send(new CreateAuthorizerCommand({
          ApiId: apiId, Name: hostile, AuthorizerType: "JWT", IdentitySource: ["$request.header.Authorization"], JwtConfiguration: { Issuer: `${issuer}/${hostile}`, Audience: ["my-app"] },
        }));
        await gw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: `GET /${hostile}`, Target: target, AuthorizationType: "JWT", AuthorizerId: bad.AuthorizerId }));
        const answer = await get(`/${hostile}`, `Bearer ${await sign({ aud: "my-app" }, { issuer: `${issuer}/${hostile}` })}`);
        assert.equal(answer.status, 401, hostile);
        assert.match(answer.challenge ?? "", /larger than 1048576 bytes/, hostile);
      }
      assert.equal((await get("/me", `Bearer ${token}`)).status, 200, "and the good issuer's tokens still pass");
    } finally {
      gw.destroy();
    }
  });

  it("refuses JWT authorizers and routes that do not fit, with API Gateway's errors", async () => {
    const { unkai } = suite;
    const { apiId } = await quickCreateHttpApi(unkai.url, "jwt-backend");
    const gw = new ApiGatewayV2Client({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const failure = (call: Promise<unknown>) => call.then(() => undefined, (e: Error) => ({ name: e.name, message: e.message }));
    try {
      const noIssuer = await failure(gw.send(new CreateAuthorizerCommand({ ApiId: apiId, Name: "x", AuthorizerType: "JWT", IdentitySource: ["$request.header.Authorization"], JwtConfiguration: { Audience: ["a"] } })));
      assert.equal(noIssuer?.name, "BadRequestException");
      const noAudience = await failure(gw.send(new CreateAuthorizerCommand({ ApiId: apiId, Name: "x", AuthorizerType: "JWT", IdentitySource: ["$request.header.Authorization"], JwtConfiguration: { Issuer: issuer } })));
      assert.equal(noAudience?.name, "BadRequestException");
      const lambda = await gw.send(new CreateAuthorizerCommand({
        ApiId: apiId, Name: "lambda", AuthorizerType: "REQUEST", AuthorizerUri: fnArn("jwt-backend"), AuthorizerPayloadFormatVersion: "2.0", IdentitySource: [],
      }));
      const mismatch = await failure(gw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: "GET /x", AuthorizationType: "JWT", AuthorizerId: lambda.AuthorizerId })));
      assert.equal(mismatch?.name, "BadRequestException");
      assert.match(mismatch?.message ?? "", /REQUEST authorizer/);
    } finally {
      gw.destroy();
    }
  });
});
