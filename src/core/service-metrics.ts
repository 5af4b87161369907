/**
 * The metrics CloudWatch keeps for Unkai's own services (AWS/Lambda's async and stream figures,
 * AWS/SQS, AWS/SNS): services and lower layers report a figure here and CloudWatch's module, when it
 * is loaded, attaches the sink that accumulates them per minute. Without it a report does nothing,
 * so reporting is cheap and never needs the cloudwatch module imported.
 */
export type MetricUnit = "Count" | "Milliseconds" | "Bytes";

export type MetricSink = (namespace: string, metricName: string, dimensions: Readonly<Record<string, string>>, value: number, unit: MetricUnit) => void;

export class ServiceMetrics {
  private sink: MetricSink | undefined;

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

  /** A figure per dimension set and in total (no dimension), the way AWS publishes most of its own. */
  addWithTotal(namespace: string, metricName: string, dimensions: Readonly<Record<string, string>>, value: number, unit: MetricUnit = "Count"): void {
    this.add(namespace, metricName, dimensions, value, unit);
    this.add(namespace, metricName, {}, value, unit);
  }
}
