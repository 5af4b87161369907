/**
 * Runtime API theft and loopback reach under the linux driver (issue 12, point 3): every environment
 * has a network of its own, so a function finds no other environment's Runtime API and reaches
 * Unkai's port but no other service on the host's loopback.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { describe, it } from "node:test";
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { linuxUnavailableReason } from "../src/engine/sandbox/protections.js";
import { zipFiles } from "../src/store/code/zip-directory.js";
import { invoke, ROLE } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

/** AWS's tutorial runtime (curl, `set -e`), answering with the event and the Runtime API address. */
const VICTIM_BOOTSTRAP = `#!/bin/sh
set -eu
API="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -LD "$HEADERS" "$API/invocation/next")"
  REQUEST_ID="$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)"
  curl -sS -X POST "$API/invocation/$REQUEST_ID/response" -d "{\\"api\\":\\"$AWS_LAMBDA_RUNTIME_API\\",\\"event\\":$EVENT}" > /dev/null
  rm -f "$HEADERS"
done
`;

/**
 * Reads the listening sockets it can see, adds the ports it is told of and 9000-9010, and parks a
 * GET /invocation/next on every one of them (IPv4 and IPv6 loopback) for `waitMs`.
 */
const THIEF = `
const fs = require("node:fs");
const http = require("node:http");
function listening(file) {
  let text = "";
  try { text = fs.readFileSync(file, "utf8"); } catch { return []; }
  return text.split("\\n").slice(1).map((line) => line.trim().split(/\\s+/)).filter((f) => f[3] === "0A").map((f) => parseInt(f[1].split(":")[1], 16));
}
function next(host, port, waitMs) {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: "/2018-06-01/runtime/invocation/next", timeout: waitMs }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c) => (body += c)).on("end", () => resolve({ host, port, status: res.statusCode, requestId: res.headers["lambda-runtime-aws-request-id"], body }));
    });
    req.on("timeout", () => { req.destroy(); resolve({ host, port, outcome: "waited" }); });
    req.on("error", (error) => resolve({ host, port, error: error.code }));
  });
}
exports.handler = async (event) => {
  const seen = new Set();
  const ports = new Set(event.hostPorts);
  for (let port = 9000; port <= 9010; port++) ports.add(port);
  // Round after round until the time is up, so it is at it while the victim is invoked, rescanning
  // for listeners each time (a new environment of the victim listens anew).
  const results = new Map();
  let rounds = 0;
  for (const until = Date.now() + event.forMs; Date.now() < until; rounds++) {
    for (const port of [...listening("/proc/net/tcp"), ...listening("/proc/net/tcp6")]) { seen.add(port); ports.add(port); }
    const tries = [...ports].flatMap((port) => [next("127.0.0.1", port, event.waitMs), next("::1", port, event.waitMs)]);
    for (const result of await Promise.all(tries)) results.set(JSON.stringify(result), result);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { seen: [...seen], rounds, results: [...results.values()] };
};
`;

/** Tries a host-loopback port directly and through slirp4netns's gateway, then calls Unkai with the SDK. */
const PROBE = `
const net = require("node:net");
const { LambdaClient, ListFunctionsCommand } = require("@aws-sdk/client-lambda");
function connect(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once("connect", () => { socket.destroy(); resolve("connected"); });
    socket.once("timeout", () => { socket.destroy(); resolve("timeout"); });
    socket.once("error", (error) => resolve(error.code));
  });
}
exports.handler = async (event) => {
  const direct = await connect("127.0.0.1", event.decoyPort);
  const viaGateway = await connect("10.0.2.2", event.decoyPort);
  const listed = await new LambdaClient({}).send(new ListFunctionsCommand({}));
  return { direct, viaGateway, endpoint: process.env.AWS_ENDPOINT_URL, functions: listed.Functions.map((f) => f.FunctionName) };
};
`;

interface Attempt {
  readonly host: string;
  readonly port: number;
  readonly status?: number;
  readonly requestId?: string;
  readonly body?: string;
  readonly error?: string;
  readonly outcome?: string;
}

/** TCP ports listening on the host's loopback (or any address), as the host's /proc/net/tcp lists them. */
function hostListeningPorts(): number[] {
  const ports = new Set<number>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === "0A") ports.add(Number.parseInt(fields[1]?.split(":")[1] ?? "0", 16));
    }
  }
  return [...ports];
}

const unavailable = linuxUnavailableReason();

describe("Runtime API theft and loopback reach under the linux driver", { skip: unavailable }, () => {
  const suite = unkaiSuite({ UNKAI_SANDBOX: "linux" });
  const unkaiPort = () => Number(new URL(suite.unkai.url).port);

  it("a function that parks on every loopback port it can find never gets another environment's invocation", async () => {
    await suite.client.send(new CreateFunctionCommand({
      FunctionName: "victim", Runtime: "provided.al2023", Handler: "function.handler", Role: ROLE,
      Code: { ZipFile: await zipFiles({ bootstrap: { content: VICTIM_BOOTSTRAP, mode: 0o755 } }) },
    }));
    await suite.client.send(new CreateFunctionCommand({
      FunctionName: "thief", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Timeout: 30,
      Code: { ZipFile: await zipFiles({ "index.js": THIEF }) },
    }));
    const warm = await invoke(suite.client, "victim", { warm: true });
    assert.equal(warm.functionError, undefined, `${warm.payload}\n${warm.log}\n${suite.unkai.stderr()}`);

    // The victim's runtime is parked on its /next; the thief parks on everything it can reach.
    const hostPorts = hostListeningPorts();
    const theft = invoke(suite.client, "thief", { hostPorts, waitMs: 1000, forMs: 5000 }, false);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const secrets = [1, 2, 3].map((n) => `secret-${n}-${Math.random().toString(36).slice(2)}`);
    for (const secret of secrets) {
      const answer = await invoke(suite.client, "victim", { secret }, false);
      assert.equal(answer.functionError, undefined, answer.payload);
      assert.deepEqual((answer.json as { event: unknown }).event, { secret }, "the victim answers its own invocation");
    }
    const stolen = await theft;
    assert.equal(stolen.functionError, undefined, stolen.payload);
    for (const secret of secrets) assert.ok(!stolen.payload.includes(secret), "the thief never saw a secret");
    const { seen, rounds, results } = stolen.json as { seen: number[]; rounds: number; results: Attempt[] };
    assert.ok(rounds > 3, `the thief kept trying throughout (${rounds} rounds)`);
    assert.deepEqual(seen.filter((port) => port !== unkaiPort()), [], "the only listener in the thief's network is its relay to Unkai");
    const tried = new Set(results.map((attempt) => attempt.port));
    assert.ok(hostPorts.every((port) => tried.has(port)), "the thief tried every port the host listens on");
    for (const attempt of results) {
      assert.equal(attempt.requestId, undefined, `no invocation from ${attempt.host}:${attempt.port}`);
      if (attempt.port === unkaiPort() && attempt.host === "127.0.0.1") {
        assert.notEqual(attempt.status, 200, "Unkai's API is no Runtime API");
      } else {
        assert.ok(attempt.error, `${attempt.host}:${attempt.port} is unreachable (${JSON.stringify(attempt)})`);
      }
    }
    const after = await invoke(suite.client, "victim", { after: true }, false);
    assert.deepEqual((after.json as { event: unknown }).event, { after: true });
    assert.equal((after.json as { api: string }).api, "127.0.0.1:9001", "the Runtime API is where Lambda puts it");
  });

  it("a function reaches Unkai's API with the SDK but no other port of the host's loopback", async () => {
    const connections: string[] = [];
    const decoy: Server = createServer((socket) => {
      connections.push(String(socket.remotePort));
      socket.destroy();
    });
    await new Promise<void>((resolve) => decoy.listen(0, "127.0.0.1", resolve));
    try {
      const decoyPort = (decoy.address() as { port: number }).port;
      await suite.client.send(new CreateFunctionCommand({
        FunctionName: "probe", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Timeout: 30,
        Code: { ZipFile: await zipFiles({ "index.js": PROBE }) },
      }));
      const result = await invoke(suite.client, "probe", { decoyPort }, false);
      assert.equal(result.functionError, undefined, result.payload);
      const body = result.json as { direct: string; viaGateway: string; endpoint: string; functions: string[] };
      assert.equal(body.endpoint, suite.unkai.url, "AWS_ENDPOINT_URL is Unkai's own URL, unchanged");
      assert.ok(body.functions.includes("probe"), "the SDK inside the function talks to Unkai");
      assert.equal(body.direct, "ECONNREFUSED", "the host's 127.0.0.1 is not the function's");
      assert.notEqual(body.viaGateway, "connected", "slirp4netns's gateway does not lead to the host's loopback");
      assert.deepEqual(connections, [], "the decoy on the host's loopback was never reached");
    } finally {
      decoy.close();
    }
  });
});
