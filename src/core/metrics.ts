/** Per-function metrics over time, aggregated from invocation records (what the console charts). */
import type { InvocationRecord } from "./invocation.js";

export interface MetricsBucket {
  /** Epoch ms at which the bucket starts. */
  readonly start: number;
  /** Invocations that ran (throttled requests are not invocations, as on Lambda). */
  readonly invocations: number;
  readonly errors: number;
  readonly throttles: number;
  readonly coldStarts: number;
  readonly durationP50Ms: number | undefined;
  readonly durationP99Ms: number | undefined;
  /** The most invocations running at one instant within the bucket. */
  readonly concurrentExecutions: number;
  readonly billedDurationMs: number;
}

export interface MetricsTotals {
  readonly invocations: number;
  readonly errors: number;
  readonly throttles: number;
  readonly coldStarts: number;
  readonly averageDurationMs: number | undefined;
  readonly averageBilledDurationMs: number | undefined;
  readonly memorySizeMb: number | undefined;
}

export const isError = (record: InvocationRecord): boolean => record.status === "error" || record.status === "timeout" || record.status === "crashed";

/** The value at quantile `q` (0..1) of sorted values, nearest-rank. */
export function quantile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

/** Buckets of `periodMs` from `fromMs` up to `toMs`, each with the records that started in it. */
export function aggregate(records: readonly InvocationRecord[], fromMs: number, toMs: number, periodMs: number): MetricsBucket[] {
  const count = Math.max(1, Math.ceil((toMs - fromMs) / periodMs));
  const groups: InvocationRecord[][] = Array.from({ length: count }, () => []);
  for (const record of records) {
    const index = Math.floor((record.startedAt - fromMs) / periodMs);
    if (index >= 0 && index < count) groups[index]?.push(record);
  }
  return groups.map((group, index) => {
    const ran = group.filter((r) => r.status !== "throttled");
    const durations = ran.map((r) => r.durationMs).sort((a, b) => a - b);
    return {
      start: fromMs + index * periodMs,
      invocations: ran.length,
      errors: ran.filter(isError).length,
      throttles: group.length - ran.length,
      coldStarts: ran.filter((r) => r.coldStart).length,
      durationP50Ms: quantile(durations, 0.5),
      durationP99Ms: quantile(durations, 0.99),
      concurrentExecutions: peakConcurrency(ran),
      billedDurationMs: ran.reduce((sum, r) => sum + r.billedDurationMs, 0),
    };
  });
}

export function totals(records: readonly InvocationRecord[]): MetricsTotals {
  const ran = records.filter((r) => r.status !== "throttled");
  const average = (values: number[]) => (values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length);
  return {
    invocations: ran.length,
    errors: ran.filter(isError).length,
    throttles: records.length - ran.length,
    coldStarts: ran.filter((r) => r.coldStart).length,
    averageDurationMs: average(ran.map((r) => r.durationMs)),
    averageBilledDurationMs: average(ran.map((r) => r.billedDurationMs)),
    memorySizeMb: ran.at(-1)?.memorySizeMb,
  };
}

/** The most intervals [start, start + duration) overlapping at one instant (a sweep over their ends). */
function peakConcurrency(records: readonly InvocationRecord[]): number {
  const edges: [number, number][] = [];
  for (const r of records) {
    edges.push([r.startedAt, 1], [r.startedAt + Math.max(r.durationMs, 0.001), -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let peak = 0;
  for (const [, delta] of edges) {
    running += delta;
    peak = Math.max(peak, running);
  }
  return peak;
}
