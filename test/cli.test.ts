/** The `unkai` CLI through its real entrypoint: deploy, invoke, logs, ls, and its errors. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { signedFetch } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { FIXTURES, REPO_ROOT } from "./helpers/paths.js";
import { unkaiCli as runUnkai, type Run } from "./helpers/process.js";

function unkaiCli(args: readonly string[], endpoint?: string): Promise<Run> {
  return runUnkai(REPO_ROOT, [...args, ...(endpoint ? ["--endpoint", endpoint] : [])]);
}

describe("unkai CLI", () => {
  let unkai: TestUnkai;

  before(async () => {
    unkai = await startUnkai();
  });
  after(async () => {
    assert.equal(await unkai.stop(), 0);
  });

  it("deploys a folder, invokes it, lists it and shows its logs", async () => {
    const created = await unkaiCli(["deploy", join(FIXTURES, "python-hello"), "--name", "cli-py", "--runtime", "python3.12", "--handler", "app.handler", "--env", "AB=1"], unkai.url);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^Created cli-py \(python3\.12, \d+ bytes, sha256 \S+\)$/m);

    const invoked = await unkaiCli(["invoke", "cli-py", "--payload", '{"from":"cli"}', "--tail"], unkai.url);
    assert.equal(invoked.code, 0, invoked.stderr);
    assert.deepEqual((JSON.parse(invoked.stdout) as { event: unknown }).event, { from: "cli" });
    assert.match(invoked.stderr, /^REPORT RequestId: /m, "--tail prints the log tail on stderr");

    const updated = await unkaiCli(["deploy", join(FIXTURES, "python-hello"), "--name", "cli-py", "--memory", "256"], unkai.url);
    assert.equal(updated.code, 0, updated.stderr);
    assert.match(updated.stdout, /^Updated cli-py/m);

    const listed = await unkaiCli(["ls", "--json"], unkai.url);
    const functions = JSON.parse(listed.stdout) as { FunctionName: string; MemorySize: number }[];
    assert.equal(functions.find((f) => f.FunctionName === "cli-py")?.MemorySize, 256);
    const table = await unkaiCli(["ls"], unkai.url);
    assert.match(table.stdout, /^NAME\s+RUNTIME\s+MEMORY/m);

    const logs = await unkaiCli(["logs", "cli-py", "--since", "10m"], unkai.url);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /^START RequestId: /m);
    assert.match(logs.stdout, /^print line \{'from': 'cli'\}$/m);
  });

  it("lists, re-drives and counts asynchronous events", async () => {
    const created = await unkaiCli(["deploy", join(FIXTURES, "throws"), "--name", "cli-async", "--runtime", "nodejs20.x", "--handler", "index.handler"], unkai.url);
    assert.equal(created.code, 0, created.stderr);
    await signedFetch(`${unkai.url}/2019-09-25/functions/cli-async/event-invoke-config`, { method: "PUT", body: JSON.stringify({ MaximumRetryAttempts: 0 }) });
    const sent = await signedFetch(`${unkai.url}/2015-03-31/functions/cli-async/invocations`, { method: "POST", headers: { "X-Amz-Invocation-Type": "Event" }, body: "{}" });
    const id = sent.headers.get("x-amzn-requestid") ?? "";
    let failed: Run | undefined;
    for (let i = 0; i < 100; i++) {
      failed = await unkaiCli(["events", "failed", "cli-async"], unkai.url);
      if (failed.stdout.includes(id)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.match(failed?.stdout ?? "", new RegExp(`^${id}\\s+1\\s+RetriesExhausted\\s+`, "m"));
    const stats = await unkaiCli(["events", "stats", "--json"], unkai.url);
    const row = (JSON.parse(stats.stdout) as { functionName: string; failed: number }[]).find((f) => f.functionName === "cli-async");
    assert.equal(row?.failed, 1);
    const redriven = await unkaiCli(["events", "redrive", "cli-async", "--id", id], unkai.url);
    assert.match(redriven.stdout, /^Re-queued 1 event of cli-async\.$/m);
  });

  it("reports the host's capabilities with unkai doctor", async () => {
    const doctor = await unkaiCli(["doctor", "--json"]);
    assert.equal(doctor.code, 0, doctor.stderr);
    const checks = JSON.parse(doctor.stdout) as { name: string; ok: boolean; detail: string }[];
    const protections = ["namespaces", "unprivileged uid", "capabilities dropped", "no_new_privs", "seccomp filter", "ephemeral /tmp on disk", "cgroup controllers", "network isolation"];
    assert.deepEqual(checks.map((c) => c.name), ["bubblewrap", "cgroups", ...protections.map((p) => `protection ${p}`), "node", "python", "driver process", "driver linux"]);
    assert.equal(checks.find((c) => c.name === "node")?.ok, true);
    // Each protection says whether it is active; the linux driver is offered only with all the required ones.
    for (const name of protections) assert.match(checks.find((c) => c.name === `protection ${name}`)?.detail ?? "", /^(active|NOT active): /);
    const linux = checks.find((c) => c.name === "driver linux");
    const required = protections.map((p) => checks.find((c) => c.name === `protection ${p}`)?.ok);
    assert.equal(linux?.ok, required.every(Boolean), linux?.detail);
    if (!linux?.ok) assert.match(linux?.detail ?? "", /^refused, a protection is missing: /);
    const cgroups = checks.find((c) => c.name === "cgroups");
    // What is mounted, then the version Unkai uses (or why it can use none).
    assert.match(cgroups?.detail ?? "", cgroups?.ok ? /; Unkai uses v[12]$/ : /unusable: /);
    // The linux driver is available only with network isolation.
    const network = checks.find((c) => c.name === "protection network isolation");
    if (checks.find((c) => c.name === "driver linux")?.ok) assert.equal(network?.ok, true, network?.detail);
    if (!network?.ok) assert.match(network?.detail ?? "", /slirp4netns|socat|util-linux|network namespaces/);
  });

  it("explains what went wrong and what to do", async () => {
    const missing = await unkaiCli(["invoke", "ghost"], unkai.url);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Function not found/);
    assert.match(missing.stderr, /unkai ls/);

    const badPayload = await unkaiCli(["invoke", "ghost", "--payload", "{nope"], unkai.url);
    assert.match(badPayload.stderr, /the payload is not JSON/);

    const unreachable = await unkaiCli(["ls"], "http://127.0.0.1:9");
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /cannot reach Unkai at http:\/\/127\.0\.0\.1:9\.\n\s+Start it with `unkai start`/);

    const unknown = await unkaiCli(["frobnicate"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);

    const badConfig = await unkaiCli(["start", "--port", "seventy"]);
    assert.equal(badConfig.code, 2);
    assert.match(badConfig.stderr, /Invalid setting port \(--port or UNKAI_PORT\)/);
  });
});
