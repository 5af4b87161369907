/** unkai.json projects end to end: init, deploy, unchanged redeploys, build hooks, aliases, rollback, errors. */
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { GetAliasCommand, GetFunctionCommand } from "@aws-sdk/client-lambda";
import { REPO_ROOT } from "./helpers/paths.js";
import { unkaiCli } from "./helpers/process.js";
import { unkaiSuite } from "./helpers/suite.js";

describe("unkai.json projects", () => {
  const suite = unkaiSuite();
  const dir = mkdtempSync(join(tmpdir(), "unkai-project-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const unkai = (args: readonly string[], cwd = dir) => unkaiCli(REPO_ROOT, args, { cwd, env: { UNKAI_ENDPOINT: suite.unkai.url } });

  it("scaffolds, deploys and invokes by project-local name; an unchanged redeploy uploads nothing", async () => {
    const init = await unkai(["init", "--runtime", "python3.12", "--name", "shop"]);
    assert.equal(init.code, 0, init.stderr);
    const first = await unkai(["deploy"]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^shop_hello\s+created\s+updated\s+\$LATEST\s+ok$/m);
    const invoked = await unkai(["invoke", "hello", "--payload", '{"name":"project"}']);
    assert.equal(invoked.code, 0, invoked.stderr);
    assert.equal((JSON.parse(invoked.stdout) as { message: string }).message, "Hello, project!");
    const again = await unkai(["deploy", "hello"]);
    assert.match(again.stdout, /^shop_hello\s+unchanged\s+unchanged\s+\$LATEST\s+ok$/m, again.stdout + again.stderr);
  });

  it("runs build hooks, publishes behind an alias, and rolls the alias back", async () => {
    mkdirSync(join(dir, "shared"), { recursive: true });
    writeFileSync(join(dir, "shared", "greeting.py"), "GREETING = 'v1'\n");
    const fn = join(dir, "functions", "hello");
    writeFileSync(join(fn, "function.json"), JSON.stringify({ hooks: { build: "cp ../../shared/greeting.py ." }, exclude: ["*.md"] }));
    writeFileSync(join(fn, "app.py"), "from greeting import GREETING\n\ndef handler(event, context):\n    return {'greeting': GREETING}\n");
    writeFileSync(join(fn, "NOTES.md"), "not deployed\n");
    const v1 = await unkai(["deploy", "--alias", "live"]);
    assert.equal(v1.code, 0, v1.stderr);
    assert.match(v1.stdout, /^shop_hello\s+updated\s+unchanged\s+1 \(live\)\s+ok$/m, v1.stdout);
    writeFileSync(join(dir, "shared", "greeting.py"), "GREETING = 'v2'\n");
    const v2 = await unkai(["deploy", "--alias", "live"]);
    assert.match(v2.stdout, /^shop_hello\s+updated\s+unchanged\s+2 \(live\)\s+ok$/m, v2.stdout);
    const alias = await suite.client.send(new GetAliasCommand({ FunctionName: "shop_hello", Name: "live" }));
    assert.equal(alias.FunctionVersion, "2");

    const back = await unkai(["rollback", "hello", "--alias", "live"]);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /Moved shop_hello:live from version 2 back to 1/);
    const live = await unkai(["invoke", "shop_hello:live"]);
    assert.deepEqual(JSON.parse(live.stdout), { greeting: "v1" });
  });

  it("stops a function whose build hook fails, showing its output, and deploys nothing of it", async () => {
    const before = (await suite.client.send(new GetFunctionCommand({ FunctionName: "shop_hello" }))).Configuration?.CodeSha256;
    writeFileSync(join(dir, "functions", "hello", "function.json"), JSON.stringify({ hooks: { build: "echo compiling; echo 'syntax error in app' >&2; exit 3" } }));
    writeFileSync(join(dir, "functions", "hello", "app.py"), "broken = \n");
    const failed = await unkai(["deploy"]);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /build hook `echo compiling; .*` failed with exit code 3:\ncompiling\nsyntax error in app/);
    assert.match(failed.stdout, /^shop_hello\s+-\s+-\s+-\s+failed$/m);
    const after = (await suite.client.send(new GetFunctionCommand({ FunctionName: "shop_hello" }))).Configuration?.CodeSha256;
    assert.equal(after, before, "nothing half-deployed");
  });

  it("names the file and field of a bad project file", async () => {
    writeFileSync(join(dir, "unkai.json"), JSON.stringify({ name: "shop", defaults: { runtime: "python3.12", memory: 64 } }));
    const bad = await unkai(["deploy"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unkai\.json: field 'defaults\.memory' is invalid: /);
    writeFileSync(join(dir, "unkai.json"), JSON.stringify({ name: "shop", defaults: { runtime: "cobol" } }));
    assert.match((await unkai(["deploy"])).stderr, /unkai\.json: field 'defaults\.runtime' is invalid/);
  });
});
