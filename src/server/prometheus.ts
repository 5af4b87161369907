/**
 * Unkai's own health for Prometheus (`GET /metrics`, text exposition format 0.0.4), off unless
 * `--metrics` is set and always behind `--metrics-token` (docs/compatibility/cloudwatch.md#prometheus-metrics): requests
 * answered per service and status, environments warm and busy, the async queue's depth per function,
 * and per function invocations by outcome with a duration histogram. Counters live in this node's
 * memory from its start, as Prometheus expects of a scraped process.
 */
import { timingSafeEqual, createHash } from "node:crypto";
import type { InvocationRecord } from "../core/invocation.js";
import type { QueueStats } from "../store/ports.js";

/** Upper bounds of the duration histogram, in seconds: from a warm no-op to Lambda's 15-minute limit. */
const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900] as const;

export interface Gauges {
  readonly environmentsLive: number;
  readonly environmentsBusy: number;
  readonly queue: readonly QueueStats[];
}

interface Histogram {
  readonly buckets: number[];
  count: number;
  sumSeconds: number;
}

/** A label value as the exposition format writes it: backslash, quote and newline escaped. */
const label = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export class PrometheusMetrics {
  private readonly requests = new Map<string, number>();
  private readonly invocations = new Map<string, number>();
  private readonly durations = new Map<string, Histogram>();

  /** Called once per answered request with the service that answered it ("none" when no service claimed it). */
  countRequest(service: string, status: number): void {
    const key = `service="${label(service)}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  /** Called with each invocation record as it is written (an Invoker observer). */
  observeInvocation(record: InvocationRecord): void {
    const key = `function="${label(record.functionName)}",status="${record.status}"`;
    this.invocations.set(key, (this.invocations.get(key) ?? 0) + 1);
    const fn = `function="${label(record.functionName)}"`;
    let histogram = this.durations.get(fn);
    if (!histogram) {
      histogram = { buckets: DURATION_BUCKETS_SECONDS.map(() => 0), count: 0, sumSeconds: 0 };
      this.durations.set(fn, histogram);
    }
    const seconds = record.durationMs / 1000;
    DURATION_BUCKETS_SECONDS.forEach((bound, i) => {
      if (seconds <= bound) (histogram.buckets[i] as number) += 1;
    });
    histogram.count += 1;
    histogram.sumSeconds += seconds;
  }

  render(gauges: Gauges): string {
    const lines: string[] = [];
    const family = (name: string, type: string, help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    family("unkai_http_requests_total", "counter", "Requests answered, by the service that answered and HTTP status.");
    for (const [labels, value] of this.requests) lines.push(`unkai_http_requests_total{${labels}} ${value}`);
    family("unkai_environments", "gauge", "Live execution environments: warm (idle) or busy (running an invocation).");
    lines.push(`unkai_environments{state="busy"} ${gauges.environmentsBusy}`);
    lines.push(`unkai_environments{state="warm"} ${Math.max(0, gauges.environmentsLive - gauges.environmentsBusy)}`);
    family("unkai_async_queue_depth", "gauge", "Asynchronous events waiting to run, per function.");
    for (const s of gauges.queue) lines.push(`unkai_async_queue_depth{function="${label(s.functionName)}"} ${s.queued}`);
    family("unkai_async_events_failed", "gauge", "Asynchronous events that ended failed and are kept for redrive, per function.");
    for (const s of gauges.queue) lines.push(`unkai_async_events_failed{function="${label(s.functionName)}"} ${s.failed}`);
    family("unkai_invocations_total", "counter", "Invocations ended on this node, per function and outcome.");
    for (const [labels, value] of this.invocations) lines.push(`unkai_invocations_total{${labels}} ${value}`);
    family("unkai_invocation_duration_seconds", "histogram", "Invocation duration on this node, per function.");
    for (const [fn, h] of this.durations) {
      DURATION_BUCKETS_SECONDS.forEach((bound, i) => lines.push(`unkai_invocation_duration_seconds_bucket{${fn},le="${bound}"} ${h.buckets[i] ?? 0}`));
      lines.push(`unkai_invocation_duration_seconds_bucket{${fn},le="+Inf"} ${h.count}`);
      lines.push(`unkai_invocation_duration_seconds_sum{${fn}} ${h.sumSeconds}`);
      lines.push(`unkai_invocation_duration_seconds_count{${fn}} ${h.count}`);
    }
    return `${lines.join("\n")}\n`;
  }
}

/** Whether an Authorization header carries exactly `Bearer <token>`; compared in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/.exec(header ?? "")?.[1];
  if (given === undefined || token === "") return false;
  // Hashes have one length, so the comparison time says nothing about the token's length either.
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(token));
}
