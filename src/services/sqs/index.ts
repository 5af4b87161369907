/**
 * Amazon SQS, built on SQS's published model: the shared codec decodes Query and AWS JSON 1.0
 * requests, validates them and encodes answers and errors in the protocol spoken; the operations
 * (operations.ts) work on plain objects. Background work: the retention sweep, the event source
 * mappings' poller and message move tasks; closing wakes every long poll.
 */
import type { Logger } from "pino";
import type { Account } from "../../core/arn.js";
import type { EventSourceMapping } from "../../core/event-source-mapping.js";
import type { ServiceMetrics } from "../../core/service-metrics.js";
import type { SqsMoveTaskRecord } from "../../core/sqs-move-task.js";
import type { Destinations } from "../../async/destinations.js";
import type { Invoker } from "../../engine/invoker.js";
import { loadModel } from "../../protocol/codecs/model.js";
import { modelService, type OperationContext, type Operations } from "../../protocol/codecs/model-service.js";
import type { Service, UnkaiRequest } from "../../protocol/http.js";
import type { DocumentStore, MessageStore, QueueStore } from "../../store/ports.js";
import { RetentionSweeper } from "../../store/retention-sweeper.js";
import type { FunctionService } from "../../functions/function-service.js";
import type { ServiceModule } from "../module.js";
import type { Caller, SqsContext } from "./context.js";
import { sampleQueueDepths } from "./depth-metrics.js";
import { sqsDestination } from "./destination.js";
import { SQS_ERRORS, sqsParameterError } from "./errors.js";
import { SqsPoller, type PollerDeps } from "./esm-poller.js";
import { MoveTasks } from "./move-tasks.js";
import { sqsOperations } from "./operations.js";
import { guardedOperations } from "../disk-guard.js";
import { UnkaiError } from "../../core/errors.js";
import type { FreeSpace } from "../../store/disk-space.js";
import { sqsRetentionJob } from "./retention.js";
import { WakeSignals } from "../../core/wake-signals.js";
import { sqsAuthorization } from "./authorization.js";

export interface SqsDeps {
  readonly queues: QueueStore;
  readonly messages: MessageStore;
  /** Message move tasks (StartMessageMoveTask), shared by every node. */
  readonly moveTasks: DocumentStore<SqsMoveTaskRecord>;
  readonly mappings: DocumentStore<EventSourceMapping>;
  readonly account: Account;
  /** Unkai's own URL, for a request without a Host header. */
  readonly url: () => string;
  readonly functions: FunctionService;
  readonly invoker: Invoker;
  /** Where SQS adds queues as asynchronous-invocation destinations and dead-letter targets. */
  readonly destinations: Destinations;
  /** The most poll loops this node runs for every SQS mapping together (Platform.sqsPollers). */
  readonly maxPollersPerHost?: number;
  /** The data directory's free space (Platform.space): sends are refused below its threshold. */
  readonly space?: FreeSpace;
  /** AWS/SQS's per-queue metrics go here (Platform.serviceMetrics). */
  readonly metrics?: ServiceMetrics;
  readonly logger: Logger;
  /** Under IAM enforcement: the first action a function's execution role may not perform on a queue. */
  readonly roleDenies?: PollerDeps["roleDenies"];
}

/** The caller's view: queue URLs on the host it reached Unkai by, and the SenderId of what it sends. */
function callerOf(request: UnkaiRequest, deps: SqsDeps): Caller {
  const base = deps.url();
  const scheme = base.startsWith("https:") ? "https" : "http";
  const host = request.headers.host;
  return { baseUrl: host ? `${scheme}://${host}` : base, senderId: request.caller.accessKeyId ?? deps.account.accountId };
}

/** Sends that grow storage, refused below the free-space threshold with SQS's RequestThrottled, which SDKs retry (../disk-guard.ts). */
const GROWING = new Set(["SendMessage", "SendMessageBatch"]);

export function sqsService(deps: SqsDeps): Service {
  const context: SqsContext = { queues: deps.queues, messages: deps.messages, account: deps.account, signals: new WakeSignals(), now: Date.now, purgedAt: new Map(), receiveAttempts: new Map(), metrics: deps.metrics };
  const moves = new MoveTasks(context, deps.moveTasks);
  deps.destinations.add(sqsDestination(context));
  deps.metrics?.addSampler(() => sampleQueueDepths(context));
  const poller = new SqsPoller({ context, mappings: deps.mappings, functions: deps.functions, invoker: deps.invoker, logger: deps.logger, maxPollersPerHost: deps.maxPollersPerHost, roleDenies: deps.roleDenies });
  const sweeper = new RetentionSweeper([sqsRetentionJob(context)], { intervalMs: 60_000 }, deps.logger);
  const operations: Operations = guardedOperations(Object.fromEntries(
    Object.entries(sqsOperations(context, moves)).map(([name, run]) => [name, (input: Readonly<Record<string, unknown>>, ctx: OperationContext) => run(input, callerOf(ctx.request, deps))]),
  ), GROWING, deps.space, (shortfall) => new UnkaiError("RequestThrottled", shortfall));
  // modelService claims by the signing scope `sqs`, `X-Amz-Target: AmazonSQS.*` and a query `Action=` of SQS's model.
  const model = loadModel("sqs");
  const service = modelService({
    name: "sqs", model, errors: SQS_ERRORS, operations, signingNames: ["sqs"], logger: deps.logger, validationError: sqsParameterError, authorization: sqsAuthorization(model, deps.account),
  });
  return {
    ...service,
    start() {
      sweeper.start();
      poller.start();
      moves.startResuming();
    },
    async close() {
      context.signals.close();
      await Promise.all([poller.close(), moves.close(), sweeper.close()]);
    },
  };
}

export const sqsModule: ServiceModule = {
  name: "sqs",
  errors: { kind: "json", table: SQS_ERRORS, heading: "## SQS errors" },
  compatibility: "docs/compatibility/sqs.md",
  create: (p) => sqsService({
    queues: p.store.queues, messages: p.store.messages, moveTasks: p.store.sqsMoveTasks, mappings: p.store.eventSourceMappings, account: p.account, url: () => p.url(),
    functions: p.functions, invoker: p.invoker, destinations: p.destinations, metrics: p.serviceMetrics, logger: p.logger("sqs"), maxPollersPerHost: p.sqsPollers, space: p.space,
    roleDenies: p.iamEnforcer && ((fn, actions, resource) => p.iamEnforcer?.functionRoleDenies(fn, actions, resource) ?? Promise.resolve(undefined)),
  }),
};
