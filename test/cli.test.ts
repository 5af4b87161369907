/** The `kumo` CLI through its real entrypoint: deploy, invoke, logs, ls, and its errors. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { signedFetch } from "./helpers/clients.js";
import { startKumo, type TestKumo } from "./helpers/kumo-server.js";
import { FIXTURES, REPO_ROOT } from "./helpers/paths.js";
import { kumoCli as runKumo, type Run } from "./helpers/process.js";

function kumoCli(args: readonly string[], endpoint?: string): Promise<Run> {
  return runKumo(REPO_ROOT, [...args, ...(endpoint ? ["--endpoint", endpoint] : [])]);
}

describe("kumo CLI", () => {
  let kumo: TestKumo;

  before(async () => {
    kumo = await startKumo();
  });
  after(async () => {
    assert.equal(await kumo.stop(), 0);
  });

  it("deploys a folder, invokes it, lists it and shows its logs", async () => {
    const created = await kumoCli(["deploy", join(FIXTURES, "python-hello"), "--name", "cli-py", "--runtime", "python3.12", "--handler", "app.handler", "--env", "AB=1"], kumo.url);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^Created cli-py \(python3\.12, \d+ bytes, sha256 \S+\)$/m);

    const invoked = await kumoCli(["invoke", "cli-py", "--payload", '{"from":"cli"}', "--tail"], kumo.url);
    assert.equal(invoked.code, 0, invoked.stderr);
    assert.deepEqual((JSON.parse(invoked.stdout) as { event: unknown }).event, { from: "cli" });
    assert.match(invoked.stderr, /^REPORT RequestId: /m, "--tail prints the log tail on stderr");

    const updated = await kumoCli(["deploy", join(FIXTURES, "python-hello"), "--name", "cli-py", "--memory", "256"], kumo.url);
    assert.equal(updated.code, 0, updated.stderr);
    assert.match(updated.stdout, /^Updated cli-py/m);

    const listed = await kumoCli(["ls", "--json"], kumo.url);
    const functions = JSON.parse(listed.stdout) as { FunctionName: string; MemorySize: number }[];
    assert.equal(functions.find((f) => f.FunctionName === "cli-py")?.MemorySize, 256);
    const table = await kumoCli(["ls"], kumo.url);
    assert.match(table.stdout, /^NAME\s+RUNTIME\s+MEMORY/m);

    const logs = await kumoCli(["logs", "cli-py", "--since", "10m"], kumo.url);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /^START RequestId: /m);
    assert.match(logs.stdout, /^print line \{'from': 'cli'\}$/m);
  });

  it("lists, re-drives and counts asynchronous events", async () => {
    const created = await kumoCli(["deploy", join(FIXTURES, "throws"), "--name", "cli-async", "--runtime", "nodejs20.x", "--handler", "index.handler"], kumo.url);
    assert.equal(created.code, 0, created.stderr);
    await signedFetch(`${kumo.url}/2019-09-25/functions/cli-async/event-invoke-config`, { method: "PUT", body: JSON.stringify({ MaximumRetryAttempts: 0 }) });
    const sent = await signedFetch(`${kumo.url}/2015-03-31/functions/cli-async/invocations`, { method: "POST", headers: { "X-Amz-Invocation-Type": "Event" }, body: "{}" });
    const id = sent.headers.get("x-amzn-requestid") ?? "";
    let failed: Run | undefined;
    for (let i = 0; i < 100; i++) {
      failed = await kumoCli(["events", "failed", "cli-async"], kumo.url);
      if (failed.stdout.includes(id)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.match(failed?.stdout ?? "", new RegExp(`^${id}\\s+1\\s+RetriesExhausted\\s+`, "m"));
    const stats = await kumoCli(["events", "stats", "--json"], kumo.url);
    const row = (JSON.parse(stats.stdout) as { functionName: string; failed: number }[]).find((f) => f.functionName === "cli-async");
    assert.equal(row?.failed, 1);
    const redriven = await kumoCli(["events", "redrive", "cli-async", "--id", id], kumo.url);
    assert.match(redriven.stdout, /^Re-queued 1 event of cli-async\.$/m);
  });

  it("reports the host's capabilities with kumo doctor", async () => {
    const doctor = await kumoCli(["doctor", "--json"]);
    assert.equal(doctor.code, 0, doctor.stderr);
    const checks = JSON.parse(doctor.stdout) as { name: string; ok: boolean; detail: string }[];
    assert.deepEqual(checks.map((c) => c.name), ["bubblewrap", "namespaces", "cgroups", "node", "python", "driver process", "driver linux"]);
    assert.equal(checks.find((c) => c.name === "node")?.ok, true);
    const cgroups = checks.find((c) => c.name === "cgroups");
    // What is mounted, then the version Kumo uses (or why it can use none).
    assert.match(cgroups?.detail ?? "", cgroups?.ok ? /; Kumo uses v[12]$/ : /unusable: /);
  });

  it("explains what went wrong and what to do", async () => {
    const missing = await kumoCli(["invoke", "ghost"], kumo.url);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Function not found/);
    assert.match(missing.stderr, /kumo ls/);

    const badPayload = await kumoCli(["invoke", "ghost", "--payload", "{nope"], kumo.url);
    assert.match(badPayload.stderr, /the payload is not JSON/);

    const unreachable = await kumoCli(["ls"], "http://127.0.0.1:9");
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /cannot reach Kumo at http:\/\/127\.0\.0\.1:9\.\n\s+Start it with `kumo start`/);

    const unknown = await kumoCli(["frobnicate"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);

    const badConfig = await kumoCli(["start", "--port", "seventy"]);
    assert.equal(badConfig.code, 2);
    assert.match(badConfig.stderr, /Invalid setting port \(--port or KUMO_PORT\)/);
  });
});
