// Baseline for the gateway benchmark: a bare node:http server that builds a minimal HTTP event, calls
// the same handler in-process and writes its { statusCode, headers, body } back. No runtime process,
// no Runtime API hop, no logs, no bookkeeping. Usage: node bench/gateway-baseline.js <handler-dir>.
import http from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";

const [dir] = process.argv.slice(2);
const handler = createRequire(join(dir, "noop.js"))("./index.js").handler;

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", async () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const event = { version: "2.0", routeKey: "$default", rawPath: req.url, headers: req.headers, body, isBase64Encoded: false };
    const result = await handler(event, { awsRequestId: "baseline" });
    const out = Buffer.from(result.body ?? "");
    res.writeHead(result.statusCode ?? 200, { ...result.headers, "Content-Length": out.length });
    res.end(out);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => process.stdout.write(`baseline ready at http://127.0.0.1:${server.address().port}\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)) && server.closeAllConnections());
