/** The linux driver (opt-in, issue 5): Lambda's layout, read-only code, private /tmp and PIDs, enforced memory. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { zipFiles } from "../src/store/code/zip-directory.js";
import { createFromFixture, invoke, parseReport, ROLE } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

const INSPECTOR = `
const fs = require("node:fs");
exports.handler = async (event) => {
  const attempt = (fn) => { try { fn(); return "ok"; } catch (error) { return error.code; } };
  fs.writeFileSync("/tmp/mine", "x");
  return {
    taskRoot: process.env.LAMBDA_TASK_ROOT,
    cwd: process.cwd(),
    ownCode: fs.existsSync("/var/task/index.js"),
    writeTask: attempt(() => fs.writeFileSync("/var/task/evil.js", "x")),
    writeUsr: attempt(() => fs.writeFileSync("/usr/evil", "x")),
    tmp: fs.readFileSync("/tmp/mine", "utf8"),
    seesDataDir: fs.existsSync(event.dataDir),
    seesDatabase: fs.existsSync(event.dataDir + "/unkai.db"),
    pids: fs.readdirSync("/proc").filter((name) => /^\\d+$/.test(name)).length,
    signalUnkai: attempt(() => process.kill(event.unkaiPid, 0)),
  };
};
`;

describe("linux sandbox driver", () => {
  const suite = unkaiSuite({ UNKAI_SANDBOX: "linux", UNKAI_MEMORY_POLL_MS: "20" });

  it("gives the function Lambda's layout and nothing of Unkai's", async () => {
    await suite.client.send(new CreateFunctionCommand({
      FunctionName: "inspector", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: await zipFiles({ "index.js": INSPECTOR }) },
    }));
    const result = await invoke(suite.client, "inspector", { dataDir: suite.unkai.dataDir, unkaiPid: suite.unkai.process.pid });
    assert.equal(result.functionError, undefined, result.payload);
    assert.deepEqual(result.json, {
      taskRoot: "/var/task",
      cwd: "/var/task",
      ownCode: true,
      writeTask: "EROFS",
      writeUsr: "EROFS",
      tmp: "x",
      seesDataDir: false,
      seesDatabase: false,
      pids: (result.json as { pids: number }).pids,
      signalUnkai: "ESRCH",
    });
    assert.ok((result.json as { pids: number }).pids <= 3, "only its own processes are visible");
  });

  it("kills an environment that exceeds its memory, and keeps serving", async () => {
    await createFromFixture(suite.client, "hog", "hogs-memory", { MemorySize: 128, Timeout: 30 });
    const result = await invoke(suite.client, "hog", { mb: 400 });
    assert.equal(result.functionError, "Unhandled");
    assert.equal(parseReport(result.log)["Error Type"], "Runtime.OutOfMemory");
    const small = await invoke(suite.client, "hog", { mb: 1 });
    assert.equal(small.functionError, undefined, small.payload);
    const other = await invoke(suite.client, "inspector", { dataDir: "/nope", unkaiPid: 1 });
    assert.equal(other.functionError, undefined);
  });

  it("runs Python and custom runtimes inside the sandbox", async () => {
    await createFromFixture(suite.client, "py", "python-hello", { Runtime: "python3.12", Handler: "app.handler" });
    const py = await invoke(suite.client, "py", { in: "bwrap" });
    assert.equal(py.functionError, undefined, py.payload);
    assert.deepEqual((py.json as { event: unknown }).event, { in: "bwrap" });
    await createFromFixture(suite.client, "shell", "custom-curl", { Runtime: "provided.al2023" });
    const shell = await invoke(suite.client, "shell", { hi: 1 });
    assert.equal(shell.functionError, undefined, shell.payload);
  });

  it("words a runtime's end as Lambda does: killed by SIGKILL is 'signal: killed', exit(137) is 'exit status 137'", async () => {
    const source = `exports.handler = async (event) => { if (event.kill) process.kill(process.pid, "SIGKILL"); else process.exit(137); };`;
    await suite.client.send(new CreateFunctionCommand({
      FunctionName: "ender", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: await zipFiles({ "index.js": source }) },
    }));
    const killed = await invoke(suite.client, "ender", { kill: true });
    assert.match((killed.json as { errorMessage: string }).errorMessage, /Runtime exited with error: signal: killed$/);
    const exited = await invoke(suite.client, "ender", { kill: false });
    assert.match((exited.json as { errorMessage: string }).errorMessage, /Runtime exited with error: exit status 137$/);
  });
});
