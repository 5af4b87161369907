/**
 * The metrics CloudWatch keeps for Unkai's own services (AWS/Lambda's async and stream figures,
 * AWS/SQS, AWS/SNS): services and lower layers report a figure here and CloudWatch's module, when it
 * is loaded, attaches the sink that accumulates them per minute. Without it a report does nothing,
 * so reporting is cheap and never needs the cloudwatch module imported.
 */
export type MetricUnit = "Count" | "Milliseconds" | "Bytes" | "Seconds";

export type MetricSink = (namespace: string, metricName: string, dimensions: Readonly<Record<string, string>>, value: number, unit: MetricUnit) => void;

/** Reports gauges (a queue's depth) through `add` when asked; sampling must not throw for one bad item. */
export type MetricSampler = () => Promise<void>;

export class ServiceMetrics {
  private sink: MetricSink | undefined;
  private readonly samplers: MetricSampler[] = [];

  /** CloudWatch's module attaches its accumulator; there is one per process. */
  attach(sink: MetricSink): void {
    this.sink = sink;
  }

  /** Synchronous and never throws: a metric must not fail the request that reports it. */
  add(namespace: string, metricName: string, dimensions: Readonly<Record<string, string>>, value: number, unit: MetricUnit = "Count"): void {
    try {
      this.sink?.(namespace, metricName, dimensions, value, unit);
    } catch {
      // A broken sink loses a figure, never the caller's work.
    }
  }

  /** A gauge a service samples: CloudWatch asks for it once per alarm evaluation, on the one node that evaluates. */
  addSampler(sampler: MetricSampler): void {
    this.samplers.push(sampler);
  }

  /** Runs every sampler; one that fails loses its figures, not the others'. */
  async sample(): Promise<void> {
    if (!this.sink) return;
    await Promise.all(this.samplers.map((sampler) => sampler().catch(() => undefined)));
  }

  /** A figure per dimension set and in total (no dimension), the way AWS publishes most of its own. */
  addWithTotal(namespace: string, metricName: string, dimensions: Readonly<Record<string, string>>, value: number, unit: MetricUnit = "Count"): void {
    this.add(namespace, metricName, dimensions, value, unit);
    this.add(namespace, metricName, {}, value, unit);
  }

  /**
   * An AWS/Lambda figure about a function's events (async, stream mappings): in total, per function and,
   * when an alias or version was the target, per `Resource` (`name:qualifier`), as AWS publishes them.
   * `$LATEST` is the unqualified function: no Resource of its own.
   */
  addForFunction(metricName: string, functionName: string, qualifier: string | undefined, value: number, unit: MetricUnit = "Count"): void {
    this.addWithTotal("AWS/Lambda", metricName, { FunctionName: functionName }, value, unit);
    if (qualifier !== undefined && qualifier !== "$LATEST") this.add("AWS/Lambda", metricName, { FunctionName: functionName, Resource: `${functionName}:${qualifier}` }, value, unit);
  }
}
