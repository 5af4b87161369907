/** Users of the old name (Kumo) are told what to rename instead of getting a silently empty Unkai. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "./helpers/paths.js";

/** Runs `unkai start` in `cwd` until its ready line, then stops it; returns what it wrote to stderr. */
async function startOnceIn(cwd: string, env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "unkai.js"), "start", "--port", "0"], {
    cwd,
    env: { ...process.env, UNKAI_LOG_LEVEL: "warn", UNKAI_EXAMPLE: "false", UNKAI_SANDBOX: "process", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  await new Promise<void>((resolve, reject) => {
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      if (stdout.includes("Unkai ready at")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`unkai start exited with ${code}: ${stderr}`)));
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
  return stderr;
}

describe("the rename from Kumo", () => {
  it("warns about KUMO_* variables and a ./.kumo data directory, and starts on ./.unkai", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "unkai-rename-"));
    try {
      mkdirSync(join(cwd, ".kumo"));
      const stderr = await startOnceIn(cwd, { KUMO_PORT: "4566", KUMO_DATA_DIR: "/somewhere" });
      assert.match(stderr, /WARNING: ignoring KUMO_DATA_DIR, KUMO_PORT: Kumo is now Unkai; set UNKAI_DATA_DIR, UNKAI_PORT instead\./);
      assert.match(stderr, /WARNING: found .*\/\.kumo from before the rename to Unkai; stop Unkai and run `mv \.kumo \.unkai`/);
      assert.ok(existsSync(join(cwd, ".unkai")), "the new default data directory is used");

      const again = await startOnceIn(cwd, {});
      assert.doesNotMatch(again, /KUMO_|\.kumo/, "no notice once the old names are gone from the environment and .unkai exists");
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
