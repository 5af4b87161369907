/** Routes declared in unkai.json: `unkai deploy` creates the project's HTTP API, reconciles its routes on redeploy, and refuses bad routes. */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { FIXTURES, REPO_ROOT } from "./helpers/paths.js";
import { unkaiCli } from "./helpers/process.js";
import { unkaiSuite } from "./helpers/suite.js";

describe("unkai.json api routes", () => {
  const suite = unkaiSuite();
  const dir = mkdtempSync(join(tmpdir(), "unkai-gateway-project-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const unkai = (args: readonly string[]) => unkaiCli(REPO_ROOT, args, { cwd: dir, env: { UNKAI_ENDPOINT: suite.unkai.url } });
  const writeProject = (api: unknown) => writeFileSync(join(dir, "unkai.json"), JSON.stringify({ name: "shop", defaults: { runtime: "nodejs20.x" }, api }));

  it("deploys the functions and an HTTP API routing to them, then reconciles the routes", async () => {
    for (const name of ["items", "web"]) {
      mkdirSync(join(dir, "functions", name), { recursive: true });
      cpSync(join(FIXTURES, "gateway-echo", "index.mjs"), join(dir, "functions", name, "index.mjs"));
    }
    writeProject({ routes: { "GET /items/{id}": "items", "ANY /{proxy+}": "web" }, cors: { allowOrigins: ["*"] } });
    const first = await unkai(["deploy", "--json"]);
    assert.equal(first.code, 0, first.stderr);
    const { api } = JSON.parse(first.stdout) as { api: { apiId: string; endpoint: string } };
    assert.match(api.endpoint, new RegExp(`^http://${api.apiId}\\.execute-api\\.localhost:\\d+$`));
    const base = `${suite.unkai.url}/_aws/execute-api/${api.apiId}`;
    const item = (await (await fetch(`${base}/items/5`)).json()) as { routeKey: string; pathParameters: unknown; requestContext: { stage: string } };
    assert.equal(item.routeKey, "GET /items/{id}");
    assert.deepEqual(item.pathParameters, { id: "5" });
    assert.equal(item.requestContext.stage, "$default");
    assert.equal(((await (await fetch(`${base}/other/page`)).json()) as { routeKey: string }).routeKey, "ANY /{proxy+}");

    writeProject({ routes: { "GET /items/{id}": "web" } });
    const second = await unkai(["deploy", "--json"]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal((JSON.parse(second.stdout) as { api: { apiId: string } }).api.apiId, api.apiId, "the same API is updated");
    assert.equal((await fetch(`${base}/other/page`)).status, 404, "the removed route is gone");
    assert.equal((await fetch(`${base}/items/5`)).status, 200);
  });

  it("names the route that is wrong", async () => {
    writeProject({ routes: { "FETCH /x": "web" } });
    const bad = await unkai(["deploy"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /api\.routes.*FETCH/);
    writeProject({ routes: { "GET /x": "nobody" } });
    const missing = await unkai(["deploy"]);
    assert.match(missing.stderr, /'nobody', which is not a folder under functions\//);
  });
});
