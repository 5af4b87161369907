// System calls per warm Invoke, for the Unkai server and for the function's environment, counted
// with strace: `node bench/syscalls.js [invocations]` (default 300). Not part of `npm run bench`.
//
// Why: on a shared machine CPU time per request swings by 2x or more with other people's load, so a
// change that removes work cannot be shown by it. The number of system calls a warm invocation makes
// (reads, writes, wake-ups, SQLite's WAL writes and locks) does not depend on that load, and most
// of the front end's per-request cost that is not JavaScript is in them.
//
// One connection, one invocation at a time, one environment (UNKAI_PRESTART=0): counts are per
// invocation, over `invocations` sequential signed Invokes of a Node hello handler after 100
// unmeasured ones. strace slows the traced processes down, which changes how many invocations
// share one write-behind flush, so compare runs of the same length only.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { closeAgent, ensureBenchRole, request, sleep, spawnUntilLine, stopProcess, zipFiles } from "./lib.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const N = Number(process.argv[2] ?? 300);
const HELLO_JS = `exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ hello: "world" }) });\n`;

/** Every descendant pid of `root`, from /proc. */
function descendants(root) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // gone
    }
  }
  const out = [];
  const stack = [...(children.get(root) ?? [])];
  while (stack.length) {
    const pid = stack.pop();
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** strace -c's table as [name, calls] rows (the "total" row left out). */
function counts(file) {
  const rows = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5 || !/^[\d.]+$/.test(fields[0]) || fields.at(-1) === "total") continue;
    rows.push([fields.at(-1), Number(fields[3])]);
  }
  return rows.sort((a, b) => b[1] - a[1]);
}

async function main() {
  if (spawnSync("strace", ["-V"]).error) throw new Error("strace is not installed (apt-get install strace)");
  const dir = mkdtempSync(join(tmpdir(), "unkai-syscalls-"));
  const env = { ...process.env, UNKAI_EXAMPLE: "0", UNKAI_LOG_LEVEL: "warn", UNKAI_PRESTART: "0" };
  const { child, match } = await spawnUntilLine(process.execPath, [join(ROOT, "bin", "unkai.js"), "start", "--host", "127.0.0.1", "--port", "0", "--data-dir", join(dir, "data")], {
    env, cwd: ROOT, pattern: /Unkai ready at (http:\/\/[^\s]+)/, stderrFd: openSync(join(dir, "server.log"), "a"),
  });
  child.stdout.resume();
  try {
    const url = match[1];
    const zip = await zipFiles({ "index.js": HELLO_JS });
    const created = await request(`${url}/2015-03-31/functions`, {
      method: "POST",
      body: { FunctionName: "hello", Runtime: "nodejs20.x", Role: await ensureBenchRole(url), Handler: "index.handler", Timeout: 10, MemorySize: 128, Code: { ZipFile: zip.toString("base64") } },
    });
    if (created.status > 201) throw new Error(`CreateFunction: HTTP ${created.status} ${created.body.slice(0, 300)}`);
    const invoke = async () => {
      const res = await request(`${url}/2015-03-31/functions/hello/invocations`, { method: "POST", body: "{}" });
      if (res.status !== 200) throw new Error(`Invoke: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    };
    for (let i = 0; i < 100; i++) await invoke();
    const trace = (pids, file) => spawn("strace", ["-f", "-c", "-o", file, ...pids.flatMap((pid) => ["-p", String(pid)])], { stdio: "ignore" });
    const tracers = [trace([child.pid], join(dir, "server.txt")), trace(descendants(child.pid), join(dir, "environment.txt"))];
    await sleep(1500); // strace attaches to every thread before the measured invocations start
    for (let i = 0; i < N; i++) await invoke();
    await Promise.all(tracers.map((tracer) => new Promise((done) => {
      tracer.once("exit", done);
      tracer.kill("SIGINT");
    })));
    for (const [label, file] of [["server", "server.txt"], ["environment", "environment.txt"]]) {
      const rows = counts(join(dir, file));
      const total = rows.reduce((sum, [, calls]) => sum + calls, 0);
      console.log(`${label}: ${(total / N).toFixed(2)} system calls per invocation`);
      console.log(`  ${rows.filter(([, calls]) => calls / N >= 0.05).map(([name, calls]) => `${name} ${(calls / N).toFixed(2)}`).join(", ")}`);
    }
  } finally {
    closeAgent();
    await stopProcess(child, 10_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
