// Baseline for the benchmarks: a bare node:http server that calls the same Lambda handler in-process.
// It does what any HTTP front-end to the handler must do (read body, parse JSON, call, serialise) and
// nothing else: no runtime process, no Runtime API hop, no logs, no bookkeeping.
// Usage: node bench/baseline-server.js <handler-dir> <module.export>; prints "baseline ready at URL".
import { randomUUID } from "node:crypto";
import http from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";

const [dir, spec = "index.handler"] = process.argv.slice(2);
const dot = spec.lastIndexOf(".");
const require = createRequire(join(dir, "noop.js"));
const handler = require(`./${spec.slice(0, dot)}.js`)[spec.slice(dot + 1)];

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", async () => {
    try {
      const raw = Buffer.concat(chunks);
      const event = raw.length === 0 ? {} : JSON.parse(raw.toString("utf8"));
      const deadline = Date.now() + 3000;
      const context = {
        awsRequestId: randomUUID(),
        functionName: "baseline",
        getRemainingTimeInMillis: () => deadline - Date.now(),
      };
      const result = await handler(event, context);
      const body = Buffer.from(JSON.stringify(result ?? null));
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": body.length });
      res.end(body);
    } catch (error) {
      const body = Buffer.from(JSON.stringify({ errorType: error?.name ?? "Error", errorMessage: String(error?.message ?? error) }));
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": body.length, "X-Amz-Function-Error": "Unhandled" });
      res.end(body);
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`baseline ready at http://127.0.0.1:${server.address().port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)) && server.closeAllConnections());
