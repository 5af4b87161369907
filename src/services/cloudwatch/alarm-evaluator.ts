/**
 * Evaluates every alarm each interval (`--alarm-evaluation-interval-ms`, a minute by default). In a
 * cluster, only the node holding the AlarmStore's evaluator lease evaluates; the lease outlives three
 * intervals, so another node takes over once the holder stops renewing it.
 */
import type { Logger } from "pino";
import type { MetricDataStore } from "../../store/ports.js";
import { evaluate, type StoredAlarm } from "./alarm-model.js";
import { changeState, loadAlarms, type AlarmDeps } from "./alarms.js";
import { evaluateComposites } from "./composite-alarms.js";
import { statisticSeries } from "./metric-reads.js";
import { dimensionRecord } from "./parameters.js";

export interface EvaluatorOptions {
  readonly owner: string;
  readonly intervalMs: number;
  /** Writes this node's buffered metrics first (AWS/Lambda), so an alarm sees them. */
  readonly beforeEvaluation: () => Promise<void>;
}

export class AlarmEvaluator {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly deps: AlarmDeps & { readonly metrics: MetricDataStore; readonly logger: Logger }, private readonly options: EvaluatorOptions) {}

  start(): void {
    this.schedule();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().then(() => undefined, (error: unknown) => this.deps.logger.error({ err: error }, "cloudwatch: evaluating alarms failed")).finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** One round: takes (or renews) the lease, then evaluates every alarm; resolves to how many changed state. */
  async tick(): Promise<number> {
    const now = Date.now();
    if (!(await this.deps.alarms.claimEvaluator(this.options.owner, now, now + 3 * this.options.intervalMs))) return 0;
    await this.options.beforeEvaluation();
    let changed = 0;
    for (const alarm of await loadAlarms(this.deps.alarms)) {
      if (this.closed) break;
      if (alarm.AlarmRule !== undefined) continue;
      try {
        if (await this.evaluateOne(alarm, Date.now())) changed++;
      } catch (error) {
        this.deps.logger.error({ err: error, alarm: alarm.AlarmName }, "cloudwatch: evaluating an alarm failed");
      }
    }
    if (!this.closed) changed += await evaluateComposites(this.deps, Date.now());
    return changed;
  }

  private async evaluateOne(alarm: StoredAlarm, now: number): Promise<boolean> {
    const periodMs = alarm.Period * 1000;
    const end = Math.floor(now / periodMs) * periodMs + periodMs;
    const current = end - periodMs;
    const selection = { namespace: alarm.Namespace, metricName: alarm.MetricName, dimensions: dimensionRecord(alarm.Dimensions, "Dimensions"), unit: alarm.Unit };
    const series = new Map(await statisticSeries(this.deps.metrics, selection, alarm.Statistic ?? alarm.ExtendedStatistic ?? "Average", periodMs, end - (alarm.EvaluationPeriods + 1) * periodMs, end));
    // The period in progress with no point yet is not missing data: a point for the period just ended
    // may still be arriving (a function's log lines are written behind), so the window then ends at the
    // last complete period, as CloudWatch evaluates the most recent datapoints rather than an empty one.
    const last = series.has(current) ? end : current;
    const starts = Array.from({ length: alarm.EvaluationPeriods }, (_, i) => last - (alarm.EvaluationPeriods - i) * periodMs);
    const result = evaluate(alarm, series, starts);
    if (result.state === undefined || result.state === alarm.StateValue) return false;
    await changeState(this.deps, alarm, result.state, result.reason, result.reasonData, now);
    return true;
  }
}
