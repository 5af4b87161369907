// The measured floor of a warm Invoke on this machine: the least any server can do that runs the handler
// the way Lambda does, in a separate process that serves one invocation at a time. A bare node:http
// server reads the request and hands the event, as one frame, to an idle child Node process over its
// fd-3 socketpair; the child calls the handler and sends the result back as one frame, which becomes the
// response. Two processes and two socket hops per request, nothing else: no signature, no routing, no
// logs, records or metrics, no isolation. Children are started up front, as many as `children`; a request
// that finds none idle waits for the first to free up.
// Usage: node bench/floor-server.js <handler-dir> <module.export> [children=32]; prints "floor ready at URL".
// `--child` is the child's role (internal).
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import http from "node:http";
import { createRequire } from "node:module";
import net from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** One frame: u32 BE header length, u32 BE body length, header (JSON), body. */
function frame(header, body) {
  const headerText = JSON.stringify(header);
  const out = Buffer.allocUnsafe(8 + Buffer.byteLength(headerText) + Buffer.byteLength(body));
  const headerLength = out.write(headerText, 8, "utf8");
  out.writeUInt32BE(headerLength, 0);
  out.writeUInt32BE(out.write(body, 8 + headerLength, "utf8"), 4);
  return out;
}

/** Calls `onFrame(header, body)` for each whole frame in the chunks pushed. */
function frameReader(onFrame) {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 8) {
      const headerLength = pending.readUInt32BE(0);
      const end = 8 + headerLength + pending.readUInt32BE(4);
      if (pending.length < end) return;
      onFrame(JSON.parse(pending.toString("utf8", 8, 8 + headerLength)), pending.toString("utf8", 8 + headerLength, end));
      pending = pending.subarray(end);
    }
  };
}

function child(dir, spec) {
  const dot = spec.lastIndexOf(".");
  const handler = createRequire(join(dir, "noop.js"))(`./${spec.slice(0, dot)}.js`)[spec.slice(dot + 1)];
  const socket = new net.Socket({ fd: 3, readable: true, writable: true });
  socket.on("data", frameReader(async (header, body) => {
    const context = { awsRequestId: header.requestId, functionName: "floor", getRemainingTimeInMillis: () => header.deadlineMs - Date.now() };
    let result;
    try {
      result = { type: "response", value: await handler(body === "" ? {} : JSON.parse(body), context) };
    } catch (error) {
      result = { type: "error", value: { errorType: error?.name ?? "Error", errorMessage: String(error?.message ?? error) } };
    }
    socket.write(frame({ type: result.type, requestId: header.requestId }, JSON.stringify(result.value ?? null)));
  }));
}

function server(dir, spec, count) {
  const idle = [];
  const waiting = [];
  const release = (worker) => {
    const next = waiting.shift();
    if (next) next(worker);
    else idle.push(worker);
  };
  for (let i = 0; i < count; i++) {
    const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), "--child", dir, spec], { stdio: ["ignore", "inherit", "inherit", "pipe"] });
    const worker = { channel: proc.stdio[3], answer: undefined };
    worker.channel.on("data", frameReader((header, body) => {
      const answer = worker.answer;
      worker.answer = undefined;
      release(worker);
      answer?.(header, body);
    }));
    idle.push(worker);
  }
  const take = () => (idle.length > 0 ? Promise.resolve(idle.pop()) : new Promise((resolve) => waiting.push(resolve)));
  const httpServer = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", async () => {
      const worker = await take();
      worker.answer = (header, body) => {
        const payload = Buffer.from(body);
        const headers = { "Content-Type": "application/json", "Content-Length": payload.length };
        if (header.type === "error") headers["X-Amz-Function-Error"] = "Unhandled";
        res.writeHead(200, headers);
        res.end(payload);
      };
      worker.channel.write(frame({ requestId: randomUUID(), deadlineMs: Date.now() + 3000 }, Buffer.concat(chunks).toString("utf8")));
    });
  });
  httpServer.keepAliveTimeout = 65_000;
  httpServer.listen(0, "127.0.0.1", () => console.log(`floor ready at http://127.0.0.1:${httpServer.address().port}`));
}

const args = process.argv.slice(2);
if (args[0] === "--child") child(args[1], args[2]);
else server(args[0], args[1] ?? "index.handler", Number(args[2] ?? 32));
