/**
 * Unkai's own endpoints under /_unkai/: health, invocation records, code downloads (GetFunction's
 * Code.Location); and `GET /metrics` for Prometheus when the operator turned it on (`--metrics`).
 */
import type { Readable } from "node:stream";
import { UnkaiError } from "../../core/errors.js";
import { restJsonError } from "../../protocol/errors.js";
import { json, type Service, type UnkaiRequest, type UnkaiResponse } from "../../protocol/http.js";
import type { AsyncQueueStore, InvocationStore, TestEventStore } from "../../store/ports.js";
// Unkai's endpoints serve Lambda's data (functions, records, test events) and answer in Lambda's dialect.
import { LAMBDA_ERRORS } from "../lambda/errors.js";
import { consoleData } from "./console-data.js";
import type { ServiceModule } from "../module.js";
import { decodeUtf8 } from "../../protocol/utf8.js";

export interface UnkaiServiceDeps {
  /** A code package's zip by its hex SHA-256, from the blob store; undefined when there is none. */
  readonly codeZip: (hexSha256: string) => Promise<Readable | undefined>;
  readonly health: () => Record<string, unknown>;
  readonly invocations: InvocationStore;
  readonly queue: AsyncQueueStore;
  readonly worker: { inFlightOf(functionName: string): number; wake(): void };
  readonly testEvents: TestEventStore;
  readonly functionExists: (name: string) => Promise<boolean>;
  /** `GET /metrics`, present only with `--metrics`: whether a request's Authorization header may read it, and the page. */
  readonly metrics?: MetricsEndpoint | undefined;
}

export interface MetricsEndpoint {
  authorized(authorization: string | undefined): boolean;
  render(): Promise<string>;
}

/** `GET /metrics` without an AWS signature (a signed one is S3's ListObjects of a bucket named `metrics`). */
const isMetricsScrape = (request: UnkaiRequest) =>
  request.method === "GET" && request.path === "/metrics" && !(request.headers.authorization ?? "").startsWith("AWS4-") && !request.query.has("X-Amz-Signature");

async function scrape(metrics: MetricsEndpoint, request: UnkaiRequest): Promise<UnkaiResponse> {
  if (!metrics.authorized(request.headers.authorization)) {
    return { status: 401, headers: { "Content-Type": "text/plain; charset=utf-8", "WWW-Authenticate": 'Bearer realm="unkai-metrics"' }, body: "A valid bearer token is required.\n" };
  }
  return { status: 200, headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" }, body: await metrics.render() };
}

export function unkaiService({ codeZip, health, invocations, queue, worker, testEvents, functionExists, metrics }: UnkaiServiceDeps): Service {
  const forConsole = consoleData({ invocations, testEvents, functionExists });
  return {
    name: "unkai",
    // Unkai's CLI and console sign as `unkai`; these endpoints extend the Lambda API (Code.Location), so `lambda` too.
    signingNames: ["unkai", "lambda"],
    matches: (request) => request.path.startsWith("/_unkai/") || (metrics !== undefined && isMetricsScrape(request)),
    // Health is for load balancers and probes, /metrics for Prometheus (its own bearer token); everything else under /_unkai/ is signed (any service name).
    public: (request) => request.method === "GET" && (request.path === "/_unkai/health" || (metrics !== undefined && isMetricsScrape(request))),
    async handle(request) {
      if (request.method === "GET" && request.path === "/_unkai/health") return json(200, health());
      if (metrics && isMetricsScrape(request)) return scrape(metrics, request);
      try {
        const answer = await forConsole(request);
        if (answer) return answer;
      } catch (error) {
        if (!(error instanceof UnkaiError)) throw error;
        return restJsonError(error, LAMBDA_ERRORS);
      }
      const records = /^\/_unkai\/functions\/([a-zA-Z0-9_-]{1,64})\/invocations$/.exec(request.path);
      if (request.method === "GET" && records?.[1]) {
        const limit = limitParam(request);
        return json(200, { invocations: await invocations.recent(records[1], limit) });
      }
      if (request.method === "GET" && request.path === "/_unkai/events/stats") {
        const now = Date.now();
        return json(200, {
          functions: (await queue.stats()).map((s) => ({
            functionName: s.functionName,
            queued: s.queued,
            oldestAgeMs: s.oldestEnqueuedAt === undefined ? 0 : now - s.oldestEnqueuedAt,
            inFlight: worker.inFlightOf(s.functionName),
            failed: s.failed,
          })),
        });
      }
      const events = /^\/_unkai\/functions\/([a-zA-Z0-9_-]{1,64})\/events\/(failed|redrive)$/.exec(request.path);
      if (events?.[1] && events[2] === "failed" && request.method === "GET") {
        const limit = limitParam(request);
        const failed = (await queue.failed(events[1], limit)).map((e) => ({
          id: e.id,
          enqueuedAt: new Date(e.enqueuedAt).toISOString(),
          attempts: e.attempts,
          condition: e.failure?.condition,
          reason: e.failure?.reason,
          failedAt: e.failure ? new Date(e.failure.failedAt).toISOString() : undefined,
          lastResponse: e.failure?.lastResponse,
          payload: e.payload.toString("utf8"),
        }));
        return json(200, { failed });
      }
      if (events?.[1] && events[2] === "redrive" && request.method === "POST") {
        let ids: string[] | undefined;
        try {
          const body = request.body.length > 0 ? (JSON.parse(decodeUtf8(request.body)) as { ids?: unknown }) : {};
          if (body.ids !== undefined) {
            if (!Array.isArray(body.ids) || !body.ids.every((id) => typeof id === "string")) throw new Error("ids");
            ids = body.ids;
          }
        } catch {
          return json(400, { message: 'Body must be JSON like {"ids": ["<request id>", …]} or empty for all failed events.' });
        }
        const redriven = await queue.redrive(events[1], ids, Date.now());
        worker.wake();
        return json(200, { redriven });
      }
      const code = /^\/_unkai\/code\/([0-9a-f]{64})\.zip$/.exec(request.path);
      if (request.method === "GET" && code) {
        const body = await codeZip(code[1] ?? "");
        if (body) return { status: 200, headers: { "Content-Type": "application/zip" }, body };
        return json(404, { message: "No code package with that hash." });
      }
      return json(404, { message: `No Unkai endpoint at ${request.method} ${request.path}.` });
    },
  };
}

/** `limit`: a whole number of records from 1 to 1000 (100 when absent or not a number). */
function limitParam(request: UnkaiRequest): number {
  const limit = Math.floor(Number(request.query.get("limit") ?? "100"));
  return Number.isFinite(limit) ? Math.min(1000, Math.max(1, limit)) : 100;
}

export const unkaiModule: ServiceModule = {
  name: "unkai",
  errors: { kind: "json", table: LAMBDA_ERRORS, heading: "## Lambda errors" },
  compatibility: "docs/console.md#unkais-endpoints-for-the-console",
  create: (p) => unkaiService({
    codeZip: (hex) => p.code.zip(Buffer.from(hex, "hex").toString("base64")), invocations: p.store.invocations, queue: p.store.asyncQueue, worker: p.worker, health: () => p.health(),
    testEvents: p.store.testEvents, functionExists: async (name) => (await p.functions.find(name)) !== undefined, metrics: p.metrics,
  }),
};
