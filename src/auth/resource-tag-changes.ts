/**
 * Counts this node's writes to the ports that hold resources' tags, so the enforcer's cache of
 * `aws:ResourceTag/<key>` values (resource-tags.ts) is dropped by the next write that could change them:
 * TagQueue, TagResource on a topic, table, rule, Kinesis stream, API Gateway API or stage or log group, PutBucketTagging,
 * and the creates and deletes that give a name new tags. Only the methods listed here count; item, message and log writes do not, so the hot
 * paths of those services never touch the cache. Lambda functions are not here: their tags are read from
 * the function registry, which keeps itself current (src/functions/function-service.ts).
 */
import type { Store } from "../store/ports.js";
import { WriteCounter, withWritesCounted } from "./write-counter.js";

/** The ports whose records carry tags, with the methods that can change them. */
const TAG_WRITES = {
  queues: ["create", "setAttributes", "setTags", "delete"],
  snsTopics: ["put", "delete"],
  bucketSettings: ["put", "delete"],
  dynamodb: ["createTable", "updateTable", "deleteTable"],
  eventRules: ["put", "delete"],
  eventBuses: ["put", "delete"],
  // Tags live in the stream's and the API's documents, so every put counts: resharding, consumers, stages, routes.
  // None of these is on a data path (PutRecord and GetRecords write records, and serving an API only reads it).
  kinesisStreams: ["put", "delete"],
  restApis: ["put", "delete"],
  httpApis: ["put", "delete"],
  // Log groups' tags are a column of the group: only its creation, the tag writes and its deletion change them.
  logs: ["createGroup", "setGroupTags", "deleteGroup"],
} as const satisfies Partial<{ readonly [P in keyof Store]: readonly (keyof Store[P])[] }>;

/** How many tag-holding writes this node has made; a cached tag set taken at an older generation is stale. */
export class ResourceTagChanges extends WriteCounter {}

/** `store` whose tag-holding ports bump `changes` after each write that can change a resource's tags. */
export function withResourceTagChangeCount(store: Store, changes: ResourceTagChanges): Store {
  const writes = Object.fromEntries(Object.entries(TAG_WRITES).map(([port, methods]) => [port, (method: string) => (methods as readonly string[]).includes(method)]));
  return withWritesCounted(store, writes, changes);
}
