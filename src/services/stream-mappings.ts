/**
 * What a service whose streams Lambda maps (DynamoDB, Kinesis) shares: the ShardPoller's dependencies
 * from the platform, and the service wrapped so that its ShardSource is offered to the mapping API and
 * its poller and background sweep run while the service runs.
 */
import type { Logger } from "pino";
import type { Periodic } from "../core/periodic.js";
import type { Service } from "../protocol/http.js";
import { ShardPoller, type ShardPollerDeps } from "../sources/shard-poller.js";
import type { ShardSource, ShardSources } from "../sources/shard-source.js";
import type { Platform } from "./module.js";

export function shardPollerDeps(p: Platform): Omit<ShardPollerDeps, "source" | "logger"> {
  return { mappings: p.store.eventSourceMappings, leases: p.store.shardLeases, owner: p.nodeName, functions: p.functions, invoker: p.invoker, destinations: p.destinations, metrics: p.serviceMetrics };
}

export interface StreamingDeps {
  /** Where the streams are offered to Lambda's mapping API. */
  readonly shards?: ShardSources | undefined;
  /** Lambda's mappings on the service's streams, run by a ShardPoller while the service runs. */
  readonly streamMappings?: Omit<ShardPollerDeps, "source" | "logger"> | undefined;
  readonly logger: Logger;
}

/** `service` with `source` registered, its mappings polled and `sweep` run between start and close. */
export function streamingService(service: Service, source: ShardSource, sweep: Periodic, deps: StreamingDeps): Service {
  deps.shards?.add(source);
  const poller = deps.streamMappings && new ShardPoller({ ...deps.streamMappings, source, logger: deps.logger });
  return {
    ...service,
    start() {
      poller?.start();
      sweep.start();
    },
    async close() {
      await Promise.all([sweep.stop(), poller?.close()]);
    },
  };
}
