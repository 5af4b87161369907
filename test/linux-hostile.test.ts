/** Hostile functions under the linux driver: each is contained, and Unkai keeps serving the others. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { CreateFunctionCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { zipFiles } from "../src/store/code/zip-directory.js";
import { createFromFixture, invoke, ROLE } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

const FORK_BOMB = `
const { spawn } = require("node:child_process");
exports.handler = async () => {
  let started = 0;
  for (;;) {
    try {
      const child = spawn("/usr/bin/sleep", ["600"], { stdio: "ignore" });
      const failed = await new Promise((resolve) => { child.once("spawn", () => resolve(undefined)); child.once("error", (e) => resolve(e.code)); });
      if (failed) return { started, stoppedBy: failed };
      started++;
    } catch (error) {
      return { started, stoppedBy: error.code };
    }
  }
};
`;

const DAEMON = `
const { spawn } = require("node:child_process");
exports.handler = async (event) => {
  const daemon = spawn("/usr/bin/sleep", [String(event.marker)], { detached: true, stdio: "ignore" });
  daemon.unref();
  if (event.spin) for (;;) {}
  return { daemon: daemon.pid };
};
`;

const FILL_TMP = `
const fs = require("node:fs");
exports.handler = async (event) => {
  const before = fs.readdirSync("/tmp").length;
  if (!event.fill) return { before };
  const chunk = Buffer.alloc(1024 * 1024, 1);
  const fd = fs.openSync("/tmp/fill", "w");
  let written = 0;
  try {
    for (;;) { fs.writeSync(fd, chunk); written++; }
  } catch (error) {
    return { before, written, stoppedBy: error.code };
  } finally {
    fs.closeSync(fd);
  }
};
`;

/** Host processes whose command line is exactly `sleep <marker>`. */
function hostSleepers(marker: number): number {
  let count = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8") === `/usr/bin/sleep\0${marker}\0`) count++;
    } catch {
      // gone meanwhile
    }
  }
  return count;
}

describe("hostile functions under the linux driver", () => {
  const suite = unkaiSuite({ UNKAI_SANDBOX: "linux" });

  async function create(name: string, source: string, extra: Record<string, unknown> = {}): Promise<void> {
    await suite.client.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: await zipFiles({ "index.js": source }) }, ...extra }));
  }

  async function stillServing(): Promise<void> {
    const result = await invoke(suite.client, "healthy", { ok: true }, false);
    assert.equal(result.functionError, undefined, result.payload);
  }

  it("stops a fork bomb at the pids limit", async () => {
    await createFromFixture(suite.client, "healthy", "node-cjs");
    await create("forks", FORK_BOMB, { Timeout: 60, MemorySize: 1024 });
    const result = await invoke(suite.client, "forks", {}, false);
    const body = result.json as { started: number; stoppedBy: string };
    assert.equal(result.functionError, undefined, result.payload);
    assert.equal(body.stoppedBy, "EAGAIN", "the kernel refused more processes");
    assert.ok(body.started < 1024, `${body.started} processes started before the limit`);
    await stillServing();
    await suite.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "forks", Description: "retire the environment" }));
  });

  it("kills a daemon that outlives its invocation together with its environment, and a spinning one at its timeout", async () => {
    await create("daemon", DAEMON, { Timeout: 2 });
    const marker = 4_000 + Math.floor(Math.random() * 1000);
    const result = await invoke(suite.client, "daemon", { marker }, false);
    assert.equal(result.functionError, undefined, result.payload);
    assert.equal(hostSleepers(marker), 1, "the daemon runs on after the invocation, as on Lambda");
    const spun = await invoke(suite.client, "daemon", { marker: marker + 1, spin: true }, false);
    assert.equal((spun.json as { errorType: string }).errorType, "Sandbox.Timedout");
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(hostSleepers(marker), 0, "the timed-out environment's whole tree is gone");
    assert.equal(hostSleepers(marker + 1), 0);
    await stillServing();
  });

  it("bounds /tmp by EphemeralStorage, not by memory: a 128 MB function fills 512 MB of /tmp; a new environment starts with an empty /tmp", async () => {
    await create("filler", FILL_TMP, { Timeout: 60, MemorySize: 128, EphemeralStorage: { Size: 512 } });
    const [filled] = await Promise.all([invoke(suite.client, "filler", { fill: true }, false), stillServing()]);
    assert.equal(filled.functionError, undefined, filled.payload);
    const body = filled.json as { written: number; stoppedBy: string };
    assert.equal(body.stoppedBy, "ENOSPC");
    assert.ok(body.written >= 500 && body.written <= 512, `${body.written} MB written into a 512 MB /tmp`);
    await suite.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "filler", Description: "new environment" }));
    const fresh = await invoke(suite.client, "filler", {}, false);
    assert.deepEqual(fresh.json, { before: 0 });
    await stillServing();
  });
});
