/**
 * The per-minute accumulators of the metrics AWS's services publish about themselves (every AWS/*
 * namespace Unkai serves), written to the metric data port as statistic sets on `flush`.
 *
 * Lambda's own metrics in AWS/Lambda come from invocation records: Invocations, Errors, Throttles, Duration
 * and ConcurrentExecutions, per function (`FunctionName`), per qualifier invoked (`FunctionName` +
 * `Resource` = `name:qualifier`), per alias and the version it ran (`FunctionName` + `Resource` +
 * `ExecutedVersion`, all but ConcurrentExecutions) and in total (no dimension); ProvisionedConcurrencyInvocations,
 * ProvisionedConcurrencySpilloverInvocations, ProvisionedConcurrentExecutions and ProvisionedConcurrencyUtilization
 * per function and qualifier for versions with provisioned concurrency; UnreservedConcurrentExecutions (those of
 * functions without reserved concurrency) in total only, as on AWS. Each record only updates a per-minute
 * accumulator in memory; `flush` writes the finished minutes as statistic-set points (one row per
 * metric, dimension set and minute), so an invocation costs no database write. Duration keeps its
 * values at three significant digits with their counts, so percentiles stay within 0.5%.
 *
 * `sink` takes the other figures services report through the platform's ServiceMetrics (AWS/Lambda's
 * async and stream metrics, AWS/SQS, AWS/SNS) into the same accumulators; times (Milliseconds) keep
 * their values the way Duration does.
 */
import type { InvocationRecord } from "../../core/invocation.js";
import { isError } from "../../core/metrics.js";
import type { MetricSink } from "../../core/service-metrics.js";
import type { RunningCounts } from "../../engine/invoker.js";
import type { MetricDataStore, MetricDatum } from "../../store/ports.js";

const LAMBDA = "AWS/Lambda";
const MINUTE_MS = 60_000;

interface Accumulator {
  sampleCount: number;
  sum: number;
  minimum: number;
  maximum: number;
}

/** Metric name + dimension set + minute → its accumulator (Duration: one per rounded value). */
interface Cell {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly minute: number;
  readonly unit: string;
  readonly values: Map<number, Accumulator>;
  /** The flush this cell's figures go out with (`ServiceMetricMinutes.flushes` when it was made). */
  readonly flush: number;
}

const QUALIFIED = /:function:[^:]+:([^:]+)$/;

/** An alias names a qualifier that is neither a version number nor $LATEST. */
const isAlias = (qualifier: string): boolean => qualifier !== "$LATEST" && !/^\d+$/.test(qualifier);

const threeDigits = (value: number): number => (value === 0 ? 0 : Number(value.toPrecision(3)));

export class ServiceMetricMinutes {
  private cells = new Map<string, Cell>();
  /** How many flushes have taken the cells so far: a cell made before the last one is no longer among them. */
  private flushes = 0;
  /**
   * The cell each metric name last reached with one dimensions object, so a reporter that names its
   * dimensions with the same (frozen) object every time finds its cell without building its key
   * (AWS/DynamoDB's per-request figures). Used only while the cell is of the same namespace, minute
   * and flush, so it is the very cell the key finds; any other report takes the keyed way.
   */
  private readonly byDimensions = new WeakMap<object, Map<string, Cell>>();

  constructor(private readonly store: MetricDataStore) {}

  /** The invoker's observer: cheap and synchronous (see Invoker.observe). */
  readonly observe = (record: InvocationRecord, invokedArn: string, running: RunningCounts): void => {
    const minute = Math.floor(record.startedAt / MINUTE_MS) * MINUTE_MS;
    const qualifier = QUALIFIED.exec(invokedArn)?.[1];
    // Each dimension set with its own concurrency: the total, the function's (any qualifier), the invoked alias or version's.
    const sets: [Record<string, string>, number | undefined][] = [[{}, running.total], [{ FunctionName: record.functionName }, running.function]];
    if (qualifier !== undefined) {
      const resource = `${record.functionName}:${qualifier}`;
      sets.push([{ FunctionName: record.functionName, Resource: resource }, running.invokedArn]);
      // Through an alias, also per version the alias routed to (AWS's ExecutedVersion, for weighted aliases).
      // No concurrency there: the invoker counts in-flight invocations per invoked ARN, not per alias and version.
      if (isAlias(qualifier)) sets.push([{ FunctionName: record.functionName, Resource: resource, ExecutedVersion: record.version }, undefined]);
    }
    const throttled = record.status === "throttled";
    for (const [dimensions, concurrent] of sets) {
      if (throttled) {
        this.add("Throttles", dimensions, minute, "Count", 1, 1);
        continue;
      }
      this.add("Invocations", dimensions, minute, "Count", 1, 1);
      this.add("Errors", dimensions, minute, "Count", isError(record) ? 1 : 0, 1);
      this.add("Duration", dimensions, minute, "Milliseconds", record.durationMs, 1, true);
      if (concurrent !== undefined) this.add("ConcurrentExecutions", dimensions, minute, "Count", concurrent, 1);
      // Where the version has provisioned concurrency: which kind of environment ran it, and how busy they were.
      const use = record.provisioned;
      if (use !== undefined && dimensions.FunctionName !== undefined) {
        this.add("ProvisionedConcurrencyInvocations", dimensions, minute, "Count", use.onProvisioned ? 1 : 0, 1);
        this.add("ProvisionedConcurrencySpilloverInvocations", dimensions, minute, "Count", use.onProvisioned ? 0 : 1, 1);
        this.add("ProvisionedConcurrentExecutions", dimensions, minute, "Count", use.busy, 1);
        if (use.allocated > 0) this.add("ProvisionedConcurrencyUtilization", dimensions, minute, "None", use.busy / use.allocated, 1);
      }
    }
    if (!throttled) this.add("UnreservedConcurrentExecutions", {}, minute, "Count", running.unreserved, 1);
  };

  /** The platform's ServiceMetrics sink: the figure counts in the current minute. */
  readonly sink: MetricSink = (namespace, metricName, dimensions, value, unit) => {
    const minute = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
    this.addTo(namespace, metricName, dimensions, minute, unit, value, 1, unit === "Milliseconds");
  };

  private add(metricName: string, dimensions: Record<string, string>, minute: number, unit: string, value: number, count: number, keepValues = false): void {
    this.addTo(LAMBDA, metricName, dimensions, minute, unit, value, count, keepValues);
  }

  private addTo(namespace: string, metricName: string, dimensions: Readonly<Record<string, string>>, minute: number, unit: string, value: number, count: number, keepValues: boolean): void {
    const cell = this.cellFor(namespace, metricName, dimensions, minute, unit);
    // A kept value is stored as its rounded self (so a slot is one value with a count, which percentiles need).
    const slot = keepValues ? threeDigits(value) : 0;
    if (keepValues) value = slot;
    const acc = cell.values.get(slot);
    if (!acc) cell.values.set(slot, { sampleCount: count, sum: value * count, minimum: value, maximum: value });
    else {
      acc.sampleCount += count;
      acc.sum += value * count;
      acc.minimum = Math.min(acc.minimum, value);
      acc.maximum = Math.max(acc.maximum, value);
    }
  }

  private cellFor(namespace: string, metricName: string, dimensions: Readonly<Record<string, string>>, minute: number, unit: string): Cell {
    const recent = this.byDimensions.get(dimensions)?.get(metricName);
    if (recent !== undefined && recent.minute === minute && recent.flush === this.flushes && recent.namespace === namespace) return recent;
    const key = `${namespace}\n${metricName}\n${JSON.stringify(dimensions)}\n${minute}`;
    let cell = this.cells.get(key);
    if (!cell) {
      cell = { namespace, metricName, dimensions, minute, unit, values: new Map(), flush: this.flushes };
      this.cells.set(key, cell);
    }
    if (Object.isFrozen(dimensions)) {
      let byName = this.byDimensions.get(dimensions);
      if (byName === undefined) this.byDimensions.set(dimensions, (byName = new Map<string, Cell>()));
      byName.set(metricName, cell);
    }
    return cell;
  }

  /**
   * Writes what has accumulated and starts afresh. Points of a minute flushed twice are two points
   * of that minute; statistics over a period add them up, so nothing is lost or counted twice.
   */
  async flush(): Promise<void> {
    if (this.cells.size === 0) return;
    const cells = this.cells;
    this.cells = new Map();
    this.flushes++;
    const points: MetricDatum[] = [];
    for (const cell of cells.values()) {
      for (const acc of cell.values.values()) {
        points.push({
          namespace: cell.namespace, metricName: cell.metricName, dimensions: cell.dimensions, timestamp: cell.minute, unit: cell.unit,
          value: acc.sum / acc.sampleCount, statistics: { ...acc },
        });
      }
    }
    await this.store.add(points);
  }
}
