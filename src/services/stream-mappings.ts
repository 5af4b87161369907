/** What a service whose streams Lambda maps (DynamoDB, Kinesis) gives its ShardPoller from the platform. */
import type { ShardPollerDeps } from "../sources/shard-poller.js";
import type { Platform } from "./module.js";

export function shardPollerDeps(p: Platform): Omit<ShardPollerDeps, "source" | "logger"> {
  return { mappings: p.store.eventSourceMappings, leases: p.store.shardLeases, owner: p.nodeName, functions: p.functions, invoker: p.invoker, destinations: p.destinations, metrics: p.serviceMetrics };
}
