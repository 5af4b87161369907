/**
 * Event source mappings (Create/Get/List/Update/DeleteEventSourceMapping) for SQS queues and ordered
 * streams (DynamoDB Streams). The mappings are stored here; SQS's module polls the queues and invokes
 * (src/services/sqs/esm-poller.ts); a stream's owner runs a ShardPoller (src/sources/shard-poller.ts).
 */
import { randomUUID } from "node:crypto";
import { z } from "zod/v3";
import { parseFunctionRef } from "../../core/arn.js";
import { conflict, invalidParameter, notFound } from "../../core/errors.js";
import type { EventSourceMapping } from "../../core/event-source-mapping.js";
import { EventSourceFilter, type FilterCriteria } from "../../core/event-pattern/event-source-filter.js";
import { PatternError } from "../../core/event-pattern/index.js";
import { json, type UnkaiResponse } from "../../protocol/http.js";
import type { Router } from "../../protocol/router.js";
import type { DocumentStore, QueueStore } from "../../store/ports.js";
import type { FunctionService } from "../../functions/function-service.js";
import type { Destinations } from "../../async/destinations.js";
import type { ShardSource, ShardSources } from "../../sources/shard-source.js";
import { parseBody } from "./shapes.js";

export interface MappingDeps {
  readonly functions: FunctionService;
  readonly mappings: DocumentStore<EventSourceMapping>;
  readonly queues: QueueStore;
  /** The stream sources other services registered (an ARN none accepts is a queue's or refused). */
  readonly shards: ShardSources;
  /** Checks an OnFailure destination at configuration time. */
  readonly destinations: Pick<Destinations, "canSend">;
  /** Under IAM enforcement: the first action the function's execution role may not perform on a resource. */
  readonly roleDenies?: ((functionName: string, actions: readonly string[], resource: string) => Promise<string | undefined>) | undefined;
}

/** What Lambda needs to read each kind of source with the function's role (its AWS...ExecutionRole policies). */
const QUEUE_READS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"];
const STREAM_READS = ["GetRecords", "GetShardIterator", "DescribeStream", "ListStreams"];

/** A stream's reads in its own service's actions (the ARN's service: `dynamodb:GetRecords`, `kinesis:GetRecords`). */
const streamReads = (arn: string) => STREAM_READS.map((action) => `${arn.split(":")[2] ?? ""}:${action}`);

/** AWS refuses a mapping whose function's role cannot read the source, naming what is missing. */
async function checkRoleReads(deps: MappingDeps, mapping: EventSourceMapping, stream: boolean): Promise<void> {
  const denied = await deps.roleDenies?.(mapping.functionName, stream ? streamReads(mapping.eventSourceArn) : QUEUE_READS, mapping.eventSourceArn);
  if (denied === undefined) return;
  if (stream) {
    throw invalidParameter(`Cannot access stream ${mapping.eventSourceArn}. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.`);
  }
  throw invalidParameter(`The function execution role does not have permissions to call ${denied.slice("sqs:".length)} on SQS`);
}

const filterCriteria = z.object({ Filters: z.array(z.object({ Pattern: z.string().max(4096).optional() })).optional() });
const common = {
  FilterCriteria: filterCriteria.optional(),
  Enabled: z.boolean().optional(),
  BatchSize: z.number().int().min(1).max(10_000).optional(),
  MaximumBatchingWindowInSeconds: z.number().int().min(0).max(300).optional(),
  FunctionResponseTypes: z.array(z.enum(["ReportBatchItemFailures"])).max(1).optional(),
  ScalingConfig: z.object({ MaximumConcurrency: z.number().int().min(2).max(1000).optional() }).optional(),
  MaximumRetryAttempts: z.number().int().min(-1).max(10_000).optional(),
  MaximumRecordAgeInSeconds: z.number().int().min(-1).max(604_800).optional(),
  BisectBatchOnFunctionError: z.boolean().optional(),
  DestinationConfig: z.object({ OnFailure: z.object({ Destination: z.string().max(350).optional() }).optional() }).optional(),
  ParallelizationFactor: z.number().int().min(1).max(10).optional(),
  TumblingWindowInSeconds: z.number().int().min(0).max(900).optional(),
  MetricsConfig: z.object({ Metrics: z.array(z.enum(["EventCount", "ErrorCount", "KafkaMetrics"])).max(3).optional() }).optional(),
};
const createInput = z
  .object({ EventSourceArn: z.string().min(12).max(1024), FunctionName: z.string().min(1).max(140), StartingPosition: z.enum(["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"]).optional(), StartingPositionTimestamp: z.number().nonnegative().optional(), ...common })
  .passthrough();
const updateInput = z.object({ FunctionName: z.string().min(1).max(140).optional(), ...common }).passthrough();

const SQS_ARN = /^arn:aws[a-zA-Z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,80})$/;

function configuration(deps: MappingDeps, mapping: EventSourceMapping, state?: string): Record<string, unknown> {
  const { account } = deps.functions;
  return {
    UUID: mapping.uuid,
    EventSourceMappingArn: `arn:aws:lambda:${account.region}:${account.accountId}:event-source-mapping:${mapping.uuid}`,
    BatchSize: mapping.batchSize,
    MaximumBatchingWindowInSeconds: mapping.maximumBatchingWindowInSeconds,
    EventSourceArn: mapping.eventSourceArn,
    FunctionArn: deps.functions.arn(mapping.functionName, mapping.qualifier),
    LastModified: mapping.lastModified / 1000,
    LastProcessingResult: mapping.lastProcessingResult,
    State: state ?? (mapping.enabled ? "Enabled" : "Disabled"),
    StateTransitionReason: "USER_INITIATED",
    FunctionResponseTypes: [...mapping.functionResponseTypes],
    ...(mapping.maximumConcurrency !== undefined ? { ScalingConfig: { MaximumConcurrency: mapping.maximumConcurrency } } : {}),
    ...(mapping.filterCriteria ? { FilterCriteria: mapping.filterCriteria } : {}),
    ...(mapping.metrics !== undefined ? { MetricsConfig: { Metrics: [...mapping.metrics] } } : {}),
    ...(mapping.startingPosition !== undefined ? streamConfiguration(mapping) : {}),
  };
}

/** What a stream mapping adds to its configuration. */
function streamConfiguration(mapping: EventSourceMapping): Record<string, unknown> {
  return {
    StartingPosition: mapping.startingPosition,
    ...(mapping.startingPositionTimestamp !== undefined ? { StartingPositionTimestamp: mapping.startingPositionTimestamp / 1000 } : {}),
    MaximumRetryAttempts: mapping.maximumRetryAttempts ?? -1,
    MaximumRecordAgeInSeconds: mapping.maximumRecordAgeInSeconds ?? -1,
    BisectBatchOnFunctionError: mapping.bisectBatchOnFunctionError ?? false,
    ParallelizationFactor: mapping.parallelizationFactor ?? 1,
    TumblingWindowInSeconds: mapping.tumblingWindowInSeconds ?? 0,
    DestinationConfig: { OnFailure: mapping.onFailure !== undefined ? { Destination: mapping.onFailure } : {} },
  };
}

/** A stream mapping's rules: the stream must exist in this account, StartingPosition given, the OnFailure target reachable. */
async function checkStream(deps: MappingDeps, mapping: EventSourceMapping, source: ShardSource): Promise<void> {
  if ((await source.shards(mapping.eventSourceArn)) === undefined) throw invalidParameter(`Stream not found: ${mapping.eventSourceArn}`);
  if (mapping.startingPosition === undefined) throw invalidParameter(`StartingPosition is required for stream event sources: TRIM_HORIZON or LATEST${source.positionAt ? " or AT_TIMESTAMP" : ""}.`);
  const age = mapping.maximumRecordAgeInSeconds;
  if (age !== undefined && age !== -1 && age < 60) throw invalidParameter("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800.");
  if (mapping.onFailure !== undefined && !deps.destinations.canSend(mapping.onFailure)) throw invalidParameter(`The provided destination config DestinationConfig.OnFailure.Destination ${mapping.onFailure} is invalid.`);
  await deps.functions.resolve(mapping.functionName, mapping.qualifier);
  await checkRoleReads(deps, mapping, true);
}

/** The queue a mapping reads, which must exist in this account and region. */
async function queueOf(deps: MappingDeps, arn: string): Promise<{ fifo: boolean; visibilitySeconds: number }> {
  const match = SQS_ARN.exec(arn);
  const { account } = deps.functions;
  if (!match) throw invalidParameter(`EventSourceArn ${arn} is not supported: Unkai maps SQS queues (arn:aws:sqs:<region>:<account>:<queue>).`);
  const queue = match[1] === account.region && match[2] === account.accountId ? await deps.queues.get(match[3] ?? "") : undefined;
  if (!queue) throw invalidParameter(`Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue ${arn} does not exist.`);
  return { fifo: queue.fifo, visibilitySeconds: Number(queue.attributes.VisibilityTimeout ?? 30) };
}

/** SQS's rules for a mapping's numbers, and the queue's visibility against the function's timeout. */
async function check(deps: MappingDeps, mapping: EventSourceMapping): Promise<void> {
  const source = deps.shards.sourceFor(mapping.eventSourceArn);
  if (source !== undefined) return checkStream(deps, mapping, source);
  if (mapping.startingPosition !== undefined) throw invalidParameter("StartingPosition is only for stream event sources.");
  const queue = await queueOf(deps, mapping.eventSourceArn);
  if (queue.fifo && mapping.batchSize > 10) throw invalidParameter("BatchSize must be at most 10 for FIFO queues.");
  if (queue.fifo && mapping.maximumBatchingWindowInSeconds > 0) throw invalidParameter("MaximumBatchingWindowInSeconds is not supported for FIFO queues.");
  if (mapping.batchSize > 10 && mapping.maximumBatchingWindowInSeconds < 1) {
    throw invalidParameter("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
  }
  const fn = await deps.functions.resolve(mapping.functionName, mapping.qualifier);
  if (queue.visibilitySeconds < fn.config.timeoutSeconds) {
    throw invalidParameter(`Queue visibility timeout: ${queue.visibilitySeconds} seconds is less than Function timeout: ${fn.config.timeoutSeconds} seconds`);
  }
  await checkRoleReads(deps, mapping, false);
}

async function find(deps: MappingDeps, uuid: string): Promise<EventSourceMapping> {
  const mapping = await deps.mappings.get(uuid);
  if (!mapping) throw notFound(`The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: ${uuid})`);
  return mapping;
}

/** FilterCriteria checked with the shared pattern engine (Lambda answers a bad pattern with its reason). */
function filtersOf(input: { FilterCriteria?: FilterCriteria | undefined }): FilterCriteria | undefined {
  if (input.FilterCriteria === undefined) return undefined;
  try {
    EventSourceFilter.compile(input.FilterCriteria);
  } catch (error) {
    if (error instanceof PatternError) throw invalidParameter(`Invalid filter pattern definition: ${error.message}`);
    throw error;
  }
  return (input.FilterCriteria.Filters ?? []).length > 0 ? input.FilterCriteria : undefined;
}

type StreamSettings = Pick<EventSourceMapping, "startingPosition" | "maximumRetryAttempts" | "maximumRecordAgeInSeconds" | "bisectBatchOnFunctionError" | "parallelizationFactor" | "tumblingWindowInSeconds" | "onFailure">;

/** A stream mapping's settings from Create or Update input (Update keeps what it does not name). */
function streamSettings(input: z.infer<typeof updateInput> & { StartingPosition?: string }, current: EventSourceMapping | undefined): StreamSettings {
  const onFailure = input.DestinationConfig?.OnFailure === undefined ? current?.onFailure : input.DestinationConfig.OnFailure.Destination;
  return {
    startingPosition: (input.StartingPosition as "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP" | undefined) ?? current?.startingPosition,
    maximumRetryAttempts: input.MaximumRetryAttempts ?? current?.maximumRetryAttempts,
    maximumRecordAgeInSeconds: input.MaximumRecordAgeInSeconds ?? current?.maximumRecordAgeInSeconds,
    bisectBatchOnFunctionError: input.BisectBatchOnFunctionError ?? current?.bisectBatchOnFunctionError,
    parallelizationFactor: input.ParallelizationFactor ?? current?.parallelizationFactor,
    tumblingWindowInSeconds: input.TumblingWindowInSeconds ?? current?.tumblingWindowInSeconds,
    ...(onFailure !== undefined && onFailure !== "" ? { onFailure } : { onFailure: undefined }),
  };
}

/** MetricsConfig.Metrics: ErrorCount and KafkaMetrics are Kafka's, which Unkai does not map. */
function metricsOf(input: { MetricsConfig?: { Metrics?: string[] | undefined } | undefined }, current: EventSourceMapping | undefined): readonly string[] | undefined {
  if (input.MetricsConfig === undefined) return current?.metrics;
  const metrics = [...new Set(input.MetricsConfig.Metrics ?? [])];
  const kafka = metrics.find((m) => m !== "EventCount");
  if (kafka !== undefined) throw invalidParameter(`MetricsConfig.Metrics ${kafka} is only supported for Amazon MSK and self-managed Apache Kafka event sources.`);
  return metrics;
}

/** Settings only stream mappings have, refused on a queue's. */
function refuseStreamOnly(input: z.infer<typeof updateInput>): void {
  if ((input.TumblingWindowInSeconds ?? 0) > 0) throw invalidParameter("TumblingWindowInSeconds is only for Kinesis and DynamoDB stream event sources.");
  if ((input.ParallelizationFactor ?? 1) > 1) throw invalidParameter("ParallelizationFactor is only for Kinesis and DynamoDB stream event sources.");
}

async function create(deps: MappingDeps, body: Buffer): Promise<UnkaiResponse> {
  const input = parseBody(createInput, body);
  const ref = parseFunctionRef(input.FunctionName, undefined, deps.functions.account);
  const stream = deps.shards.sourceFor(input.EventSourceArn) !== undefined;
  if (!stream) refuseStreamOnly(input);
  if (input.StartingPosition === "AT_TIMESTAMP" && deps.shards.sourceFor(input.EventSourceArn)?.positionAt === undefined) throw invalidParameter("StartingPosition AT_TIMESTAMP is only for Kinesis streams.");
  if ((input.StartingPosition === "AT_TIMESTAMP") !== (input.StartingPositionTimestamp !== undefined)) {
    throw invalidParameter("StartingPositionTimestamp is required with StartingPosition AT_TIMESTAMP, and only with it.");
  }
  const mapping: EventSourceMapping = {
    uuid: randomUUID(), functionName: ref.name, qualifier: ref.qualifier, eventSourceArn: input.EventSourceArn,
    ...(stream ? streamSettings(input, undefined) : {}),
    ...(input.StartingPositionTimestamp !== undefined ? { startingPositionTimestamp: Math.round(input.StartingPositionTimestamp * 1000) } : {}),
    batchSize: input.BatchSize ?? (stream ? 100 : 10), maximumBatchingWindowInSeconds: input.MaximumBatchingWindowInSeconds ?? 0, enabled: input.Enabled ?? true,
    functionResponseTypes: input.FunctionResponseTypes ?? [], maximumConcurrency: input.ScalingConfig?.MaximumConcurrency, filterCriteria: filtersOf(input),
    metrics: metricsOf(input, undefined), lastModified: Date.now(), lastProcessingResult: "No records processed",
  };
  await check(deps, mapping);
  const existing = (await deps.mappings.list()).find((m) => m.eventSourceArn === mapping.eventSourceArn && m.functionName === mapping.functionName && m.qualifier === mapping.qualifier);
  if (existing) {
    throw conflict(`An event source mapping with SQS arn (" ${mapping.eventSourceArn} ") and function (" ${mapping.functionName} ") already exists. Please update or delete the existing mapping with UUID ${existing.uuid}`);
  }
  await deps.mappings.put(mapping.uuid, mapping);
  return json(202, configuration(deps, mapping, "Creating"));
}

async function update(deps: MappingDeps, uuid: string, body: Buffer): Promise<UnkaiResponse> {
  const current = await find(deps, uuid);
  const input = parseBody(updateInput, body);
  if (current.startingPosition === undefined) refuseStreamOnly(input);
  const ref = input.FunctionName === undefined ? undefined : parseFunctionRef(input.FunctionName, undefined, deps.functions.account);
  const next: EventSourceMapping = {
    ...current,
    ...(current.startingPosition !== undefined ? streamSettings(input, current) : {}),
    ...(ref ? { functionName: ref.name, qualifier: ref.qualifier } : {}),
    batchSize: input.BatchSize ?? current.batchSize,
    maximumBatchingWindowInSeconds: input.MaximumBatchingWindowInSeconds ?? current.maximumBatchingWindowInSeconds,
    enabled: input.Enabled ?? current.enabled,
    functionResponseTypes: input.FunctionResponseTypes ?? current.functionResponseTypes,
    maximumConcurrency: input.ScalingConfig ? input.ScalingConfig.MaximumConcurrency : current.maximumConcurrency,
    filterCriteria: input.FilterCriteria !== undefined ? filtersOf(input) : current.filterCriteria,
    metrics: metricsOf(input, current),
    lastModified: Date.now(),
  };
  await check(deps, next);
  await deps.mappings.put(uuid, next);
  return json(202, configuration(deps, next, "Updating"));
}

export function eventSourceMappingRoutes(router: Router, deps: MappingDeps): void {
  for (const base of ["/2015-03-31/event-source-mappings", "/2015-03-31/event-source-mappings/"]) {
    router.on("POST", base, (request) => create(deps, request.body));
    router.on("GET", base, async (request) => {
      const arn = request.query.get("EventSourceArn");
      const fn = request.query.get("FunctionName");
      const name = fn ? parseFunctionRef(fn, undefined, deps.functions.account) : undefined;
      const all = (await deps.mappings.list()).filter((m) => (!arn || m.eventSourceArn === arn) && (!name || (m.functionName === name.name && (name.qualifier === undefined || m.qualifier === name.qualifier))));
      const marker = request.query.get("Marker");
      const start = marker ? Math.max(0, all.findIndex((m) => m.uuid === marker) + 1) : 0;
      const maxItems = Math.min(Number(request.query.get("MaxItems") ?? 100) || 100, 10_000);
      const page = all.slice(start, start + maxItems);
      const next = start + maxItems < all.length ? page.at(-1)?.uuid : undefined;
      return json(200, { EventSourceMappings: page.map((m) => configuration(deps, m)), ...(next ? { NextMarker: next } : {}) });
    });
  }
  router.on("GET", "/2015-03-31/event-source-mappings/{uuid}", async (_request, [uuid = ""]) => json(200, configuration(deps, await find(deps, uuid))));
  router.on("PUT", "/2015-03-31/event-source-mappings/{uuid}", (request, [uuid = ""]) => update(deps, uuid, request.body));
  router.on("DELETE", "/2015-03-31/event-source-mappings/{uuid}", async (_request, [uuid = ""]) => {
    const mapping = await find(deps, uuid);
    await deps.mappings.delete(uuid);
    return json(202, configuration(deps, mapping, "Deleting"));
  });
}
