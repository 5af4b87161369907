/**
 * The sandbox's port relays (socat inside an environment's network namespace, src/engine/sandbox/
 * network-namespace.ts) must not outlive Unkai: killed with it even by SIGKILL, and never left running
 * by a spawn that Unkai's death interrupted. Run here in this process's own namespace, so the relay's
 * port can be reached from the test.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { networkUnavailableReason, relayArguments } from "../src/engine/sandbox/network-namespace.js";
import { freePort } from "./helpers/postgres.js";
import { signalable } from "./helpers/process.js";
import { waitFor } from "./helpers/wait.js";

const NSENTER = "/usr/bin/nsenter";

/** What a line sent through 127.0.0.1:`port` comes back as, or undefined when nothing listens there. */
function echoed(port: number, line: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => socket.end(line));
    let answer = "";
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
    socket.on("close", () => resolve(answer));
    socket.on("error", () => resolve(undefined));
  });
}

describe("sandbox port relays", { skip: networkUnavailableReason() }, () => {
  let dir: string;
  let target: string;
  const echo = createServer((socket) => socket.pipe(socket));
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "unkai-relay-"));
    target = join(dir, "echo.sock");
    await new Promise<void>((resolve) => echo.listen(target, resolve));
  });
  after(() => {
    echo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs nsenter with the relay's arguments in this process's namespace, expecting `parentPid` as its parent. */
  function startRelay(port: number, parentPid: number) {
    const ns = openSync("/proc/self/ns/net", "r");
    const child = spawn(NSENTER, relayArguments(port, target, parentPid), { stdio: ["ignore", "ignore", "ignore", ns], detached: true });
    closeSync(ns);
    return child;
  }

  it("relays connections to its socket while its parent is the one it was started for", async () => {
    const port = await freePort();
    const relay = startRelay(port, process.pid);
    try {
      assert.equal(await waitFor("the relay listening", () => echoed(port, "ping")), "ping");
    } finally {
      process.kill(-(relay.pid as number), "SIGKILL");
    }
  });

  it("gives up at once when its parent is not the one it was started for (Unkai killed while it spawned), listening nowhere", async () => {
    const port = await freePort();
    const relay = startRelay(port, 1);
    try {
      const exited = new Promise<number | null>((resolve) => relay.once("exit", resolve));
      const code = await Promise.race([exited, new Promise<"running">((resolve) => setTimeout(() => resolve("running"), 5_000).unref())]);
      assert.notEqual(code, "running", "the relay kept running for a parent that is not its own");
      assert.notEqual(code, 0);
      assert.equal(await echoed(port, "ping"), undefined, "nothing listens on its port");
    } finally {
      if (relay.exitCode === null) process.kill(-(relay.pid as number), "SIGKILL");
    }
  });

  it("dies with the process that started it, even when that process is SIGKILLed", async () => {
    const port = await freePort();
    // A stand-in for Unkai: starts the relay for itself, as Unkai does, says its pid, and waits to be killed.
    const module = new URL("../src/engine/sandbox/network-namespace.js", import.meta.url).href;
    const script = `
      import { spawn } from "node:child_process";
      import { openSync } from "node:fs";
      const { relayArguments } = await import(${JSON.stringify(module)});
      const ns = openSync("/proc/self/ns/net", "r");
      const relay = spawn(${JSON.stringify(NSENTER)}, relayArguments(${port}, ${JSON.stringify(target)}, process.pid), { stdio: ["ignore", "ignore", "ignore", ns], detached: true });
      console.log(relay.pid);
      setInterval(() => {}, 1000);`;
    const standIn = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    standIn.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const relayPid = Number(await waitFor("the relay's pid", () => (/^\d+\n/.test(out) ? out.trim() : undefined)));
    assert.equal(await waitFor("the relay listening", () => echoed(port, "ping")), "ping");
    standIn.kill("SIGKILL");
    await waitFor("the relay gone with its parent", () => (signalable(relayPid) && !isZombie(relayPid) ? undefined : true));
    assert.equal(await echoed(port, "ping"), undefined);
  });
});

/** A process that has exited and waits for init to reap it. */
function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return true;
  }
}
