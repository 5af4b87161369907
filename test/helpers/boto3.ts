/** boto3 as a test client: Debian's /usr/bin/python3 with its boto3 1.26, the Python SDK functions use on Lambda. */
import assert from "node:assert/strict";
import { runProcess } from "./process.js";

/** No profile, config or credentials of the machine's: every client a script makes names its own endpoint and keys. */
const ISOLATED_ENV = { PATH: "/usr/bin:/bin", HOME: "/tmp", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" };

/**
 * Runs a Python script (its lines joined) with `args` as sys.argv[1:]; it must exit 0 and print one
 * JSON value, which is returned. `env` adds to (or overrides) the isolated environment.
 */
export async function runBoto3(script: readonly string[], args: readonly string[] = [], env: Record<string, string> = {}): Promise<unknown> {
  const run = await runProcess("/usr/bin/python3", ["-c", script.join("\n"), ...args], { env: { ...ISOLATED_ENV, ...env } });
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as unknown;
}
