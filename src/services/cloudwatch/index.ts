/**
 * CloudWatch metrics (signing name `monitoring`), built on CloudWatch's model: the AWS CLI 2.9.19 speaks
 * Query/XML to it, newer SDKs AWS JSON 1.0 (awsQueryCompatible) and RPC v2 CBOR; modelService answers
 * all three. The data points live in the shared MetricDataStore, where CloudWatch Logs' metric filters
 * write theirs. docs/compatibility/cloudwatch.md says what is answered.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { loadModel } from "../../protocol/codecs/model.js";
import { modelService, type Operations } from "../../protocol/codecs/model-service.js";
import type { Service } from "../../protocol/http.js";
import type { Platform, ServiceModule } from "../module.js";
import { AlarmEvaluator } from "./alarm-evaluator.js";
import { alarmOperations } from "./alarms.js";
import { cloudWatchAuthorization } from "./authorization.js";
import { dashboardOperations } from "./dashboards.js";
import { tagOperations } from "./resource-tags.js";
import { CLOUDWATCH_ERRORS } from "./errors.js";
import { getMetricData, getMetricStatistics, listMetrics, type GetMetricDataInput, type GetMetricStatisticsInput, type ListMetricsInput } from "./metric-reads.js";
import { ServiceMetricMinutes } from "./service-metric-minutes.js";
import { cloudWatchParameterError } from "./parameters.js";
import { putMetricData, type PutMetricDataInput } from "./put-metric-data.js";

export function cloudWatchService(platform: Platform): Service {
  const logger = platform.logger("cloudwatch");
  const store = platform.store.metricData;
  const minutes = new ServiceMetricMinutes(store);
  const alarmDeps = { alarms: platform.store.alarms, dashboards: platform.store.cloudwatchDashboards, destinations: platform.destinations, account: platform.account, logger };
  const owner = platform.store.cluster?.nodeId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const evaluator = new AlarmEvaluator({ ...alarmDeps, metrics: store }, { owner, intervalMs: platform.alarmEvaluationIntervalMs, beforeEvaluation: () => sampleAndFlush() });
  platform.invoker.observe(minutes.observe);
  platform.serviceMetrics.attach(minutes.sink);
  // Gauges (SQS queue depths) are sampled by the node evaluating alarms, so a shared store's queues are counted once.
  async function sampleAndFlush(): Promise<void> {
    await platform.serviceMetrics.sample();
    await minutes.flush();
  }
  // Reads on this node see its own invocations at once (another node's arrive with its next flush).
  const flushed = async () => {
    await minutes.flush();
    return store;
  };
  const operations: Operations = {
    PutMetricData: (input: PutMetricDataInput) => putMetricData(input, store, Date.now()),
    ListMetrics: async (input: ListMetricsInput) => listMetrics(input, await flushed(), Date.now()),
    GetMetricStatistics: async (input: GetMetricStatisticsInput) => getMetricStatistics(input, await flushed()),
    GetMetricData: async (input: GetMetricDataInput) => getMetricData(input, await flushed()),
    ...alarmOperations(alarmDeps),
    ...dashboardOperations(alarmDeps),
    ...tagOperations(alarmDeps),
  };
  const model = loadModel("monitoring");
  const service = modelService({
    name: "cloudwatch", model, errors: CLOUDWATCH_ERRORS, operations, signingNames: ["monitoring"], logger,
    validationError: cloudWatchParameterError, authorization: cloudWatchAuthorization(model, platform.account),
  });
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, work: () => Promise<unknown>, what: string) => {
    const run = () => void work().catch((error: unknown) => logger.warn({ err: error }, `cloudwatch: ${what} failed`));
    const timer = setInterval(run, ms);
    timer.unref();
    timers.push(timer);
    return run;
  };
  return {
    ...service,
    start: () => {
      every(PRUNE_EVERY_MS, () => store.prune(Date.now() - RETENTION_MS), "pruning old data points")();
      every(FLUSH_EVERY_MS, () => minutes.flush(), "writing AWS/Lambda metrics");
      evaluator.start();
    },
    // After the invoker drained: the last minutes of AWS/Lambda are written before the store closes.
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      await evaluator.close();
      await minutes.flush().catch((error: unknown) => logger.warn({ err: error }, "cloudwatch: writing AWS/Lambda metrics at shutdown failed"));
    },
  };
}

/** CloudWatch keeps 1-minute data 15 days; Unkai keeps every point that long, and no longer. */
const RETENTION_MS = 15 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;
/** How often this node writes its AWS/Lambda minutes (CloudWatch's own metrics lag about as much). */
const FLUSH_EVERY_MS = 60_000;

export const cloudWatchModule: ServiceModule = {
  name: "cloudwatch",
  errors: { kind: "json", table: CLOUDWATCH_ERRORS, heading: "## CloudWatch errors" },
  compatibility: "docs/compatibility/cloudwatch.md",
  create: (p) => cloudWatchService(p),
};
