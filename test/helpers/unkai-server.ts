/** Starts a real Unkai server (the `unkai start` entrypoint) on a free port with a fresh data dir. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { whenFileExits } from "./file-exit.js";
import { REPO_ROOT } from "./paths.js";
import { ensureTestRole } from "./test-role.js";

/**
 * Servers this test file started and has not stopped. A test that fails before its `stop()` would
 * leave its server running, which keeps the file's process alive until the runner's timeout: the
 * root `after` hook (and, failing that, process exit) kills what is left.
 */
const running = new Set<ChildProcess>();
const killLeftovers = () => {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
};
after(killLeftovers);
whenFileExits(killLeftovers);

export interface TestUnkai {
  readonly url: string;
  readonly dataDir: string;
  readonly process: ChildProcess;
  /** Everything the server wrote to stderr so far (its structured log). */
  stderr(): string;
  /** Everything it printed on stdout so far (the ready line, and the DynamoDB endpoint's when it opened one). */
  stdout(): string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
}

/**
 * `port` 0 (the default) takes a free one; a fixed port lets a restarted server keep its address (the
 * cluster test's balancer). Once ready, the server gets the suite's execution role (test-role.ts)
 * unless `env.UNKAI_TEST_ROLE` is "none" (tests that count IAM entities).
 */
export async function startUnkai(env: Record<string, string> = {}, dataDir?: string, port = 0): Promise<TestUnkai> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), "unkai-test-"));
  const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "unkai.js"), "start", "--port", String(port), "--data-dir", dir], {
    env: { ...process.env, UNKAI_LOG_LEVEL: "warn", UNKAI_EXAMPLE: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  let stdout = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Unkai did not print its ready line in 10 s. stderr:\n${stderr}`)), 10_000);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const match = /Unkai ready at (http:\/\/\S+) \(/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Unkai exited with ${code} before it was ready. stderr:\n${stderr}`));
    });
  });
  if (env.UNKAI_TEST_ROLE !== "none") {
    const root = { accessKeyId: env.UNKAI_ACCESS_KEY_ID ?? "test", secretAccessKey: env.UNKAI_SECRET_ACCESS_KEY ?? "test" };
    await ensureTestRole(url.replace("0.0.0.0", "127.0.0.1"), root);
  }
  let exited: Promise<number | null> | undefined;
  return {
    url,
    dataDir: dir,
    process: child,
    stderr: () => stderr,
    stdout: () => stdout,
    stop() {
      exited ??= new Promise((resolve) => {
        const gone = (code: number | null) => {
          if (!dataDir) rmSync(dir, { recursive: true, force: true });
          resolve(code);
        };
        // Exited already (a test killed it): its 'exit' has been emitted.
        if (child.exitCode !== null || child.signalCode !== null) return gone(child.exitCode);
        child.once("exit", gone);
        child.kill("SIGTERM");
      });
      return exited;
    },
  };
}
