/** One access-log line per request of an API stage, in Unkai's log store (group `/aws/apigateway/<apiId>/<stage>`). */
import type { LogStore } from "../../store/ports.js";
import { clfTime } from "../../api-mapping/request-parts.js";

export interface AccessEntry {
  readonly apiId: string;
  readonly stage: string;
  readonly requestId: string;
  readonly sourceIp: string;
  readonly receivedAt: number;
  readonly method: string;
  readonly path: string;
  readonly routeKey: string;
  readonly status: number;
  readonly responseLength: number;
  readonly integrationLatencyMs: number | undefined;
  readonly integrationError: string | undefined;
}

const ACCESS_LOG_STREAM = "access";

function accessLogGroup(apiId: string, stage: string): string {
  return `/aws/apigateway/${apiId}/${stage}`;
}

export function writeAccessLog(logs: LogStore, entry: AccessEntry): Promise<void> {
  return logs.append(accessLogGroup(entry.apiId, entry.stage), ACCESS_LOG_STREAM, [{
    timestamp: entry.receivedAt,
    message: JSON.stringify({
      requestId: entry.requestId,
      ip: entry.sourceIp,
      requestTime: clfTime(entry.receivedAt),
      httpMethod: entry.method,
      path: entry.path,
      routeKey: entry.routeKey,
      status: entry.status,
      protocol: "HTTP/1.1",
      responseLength: entry.responseLength,
      integrationLatency: entry.integrationLatencyMs ?? null,
      integrationError: entry.integrationError ?? null,
    }),
  }]);
}
