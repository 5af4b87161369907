/**
 * Unkai never runs the linux driver with a protection silently missing. Run as an unprivileged
 * user (a real host where the probe sandbox cannot start and the cgroups are not writable):
 * `--sandbox linux` refuses to start and says which protections are missing; `auto` falls back
 * to the process driver with a loud warning.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT } from "./helpers/paths.js";

const NOBODY = 65534;

/** `unkai start` as uid/gid 65534; resolves once it is ready (then stops it) or has exited. */
function startAsNobody(args: readonly string[], dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/setpriv", ["--reuid", String(NOBODY), "--regid", String(NOBODY), "--clear-groups", "--", process.execPath, join(REPO_ROOT, "bin", "unkai.js"), "start", "--port", "0", "--data-dir", dataDir, ...args], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", UNKAI_EXAMPLE: "false", UNKAI_LOG_LEVEL: "warn" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      if (/Unkai ready at/.test(stdout)) child.kill("SIGTERM");
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("choosing the sandbox driver", { skip: process.getuid?.() === 0 ? false : "needs root to start Unkai as another user" }, () => {
  const scratch = mkdtempSync(join(tmpdir(), "unkai-choice-"));
  chownSync(scratch, NOBODY, NOBODY);
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("--sandbox linux refuses to start when protections are missing, and names them", async () => {
    const run = await startAsNobody(["--sandbox", "linux"], join(scratch, "linux"));
    assert.equal(run.code, 2, run.stderr);
    assert.doesNotMatch(run.stdout, /Unkai ready/);
    assert.match(run.stderr, /The linux sandbox driver cannot run here: .*unprivileged uid.*seccomp filter.* missing/);
    assert.match(run.stderr, /cgroup controllers missing/);
  });

  it("--sandbox auto falls back to the process driver with a warning saying why", async () => {
    const run = await startAsNobody([], join(scratch, "auto"));
    assert.match(run.stdout, /Unkai ready at .* \(driver process,/);
    assert.match(run.stderr, /WARNING: sandbox driver 'process' \(the linux driver cannot run here: .*seccomp filter.*\): functions run as plain processes with Unkai's own user and privileges/);
  });
});
