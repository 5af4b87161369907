/**
 * Kinesis's stream operations: create and delete, describe and list (streams and shards), retention,
 * tags, and the settings kept and reported as they are (encryption, enhanced monitoring). A stream is
 * ACTIVE as soon as CreateStream answers (AWS takes seconds; waiters and Terraform see ACTIVE at once).
 */
import { UnkaiError } from "../../core/errors.js";
import type { KinesisShard, KinesisStreamRecord } from "../../core/kinesis.js";
import { invalid, loadStream, readToken, streamArn, writeToken, type KinesisContext, type StreamNaming } from "./context.js";
import { consumerTags } from "./consumer-tags.js";
import { describeShard, evenShards, openShards, shardIdOf } from "./shards.js";
import { checkTags, type Tags } from "./tags.js";

/** Shards every stream of the account may have together (AWS's default quota in most regions). */
export const ACCOUNT_SHARD_LIMIT = 500;
/** An on-demand stream's shards (AWS starts one with 4). */
const ON_DEMAND_SHARDS = 4;
const DEFAULT_RETENTION_HOURS = 24;
const MAX_RETENTION_HOURS = 8760;

/** What may change of a stream outside resharding. */
type Settings = Partial<Omit<KinesisStreamRecord, "shards" | "nextShardIndex" | "name" | "arn">>;

function streamMode(stream: KinesisStreamRecord) {
  return { StreamMode: stream.mode };
}

/** The shards listed after `after` (a shard id; none: from the first), at most `count`, and whether more are. */
function shardPage(shards: readonly KinesisShard[], after: string | undefined, count: number) {
  const next = after === undefined ? 0 : shards.findIndex((shard) => shardIdOf(shard.index) > after);
  const from = next === -1 ? shards.length : next;
  const page = shards.slice(from, from + count);
  return { page: page.map(describeShard), more: from + count < shards.length };
}

function encryption(stream: KinesisStreamRecord) {
  return stream.encryption ? { EncryptionType: "KMS", KeyId: stream.encryption.keyId } : { EncryptionType: "NONE" };
}

/** Refuses a change that would open `more` shards past the account's limit (LimitExceededException in AWS's words). */
export async function checkShardLimit(ctx: KinesisContext, more: number): Promise<void> {
  const open = (await ctx.streams.list()).reduce((sum, stream) => sum + openShards(stream).length, 0);
  if (more > 0 && open + more > ACCOUNT_SHARD_LIMIT) {
    throw new UnkaiError("LimitExceededException", `This request would exceed the shard limit for the account ${ctx.account.accountId} in ${ctx.account.region}. Current shard count for the account: ${open}. Limit: ${ACCOUNT_SHARD_LIMIT}. Number of additional shards that would have resulted from this request: ${more}.`);
  }
}


export function streamOperations(ctx: KinesisContext) {
  /**
   * Changes a stream's settings, never its shards (resharding writes those): the stream is read again
   * just before it is written, so a resharding between the two is kept.
   */
  const update = async (input: StreamNaming, change: (stream: KinesisStreamRecord) => Settings): Promise<void> => {
    const patch = change(await loadStream(ctx, input));
    const fresh = await loadStream(ctx, input);
    await ctx.streams.put(fresh.arn, { ...fresh, ...patch });
  };
  /** AddTagsToStream and TagResource: at most 50 in all. */
  const addTags = (input: StreamNaming, tags: Tags) => update(input, (stream) => (checkTags(tags, stream.tags, "stream"), { tags: { ...stream.tags, ...tags } }));
  const consumers = consumerTags(ctx);
  /** RemoveTagsFromStream and UntagResource. */
  const removeTags = (input: StreamNaming, keys: readonly string[]) =>
    update(input, (stream) => ({ tags: Object.fromEntries(Object.entries(stream.tags).filter(([key]) => !keys.includes(key))) }));
  return {
    async CreateStream(input: { StreamName: string; ShardCount?: number; StreamModeDetails?: { StreamMode: "PROVISIONED" | "ON_DEMAND" }; Tags?: Tags; MaxRecordSizeInKiB?: number }) {
      const mode = input.StreamModeDetails?.StreamMode ?? "PROVISIONED";
      if (mode === "PROVISIONED" && input.ShardCount === undefined) throw invalid("ShardCount is required for a PROVISIONED stream.");
      if (mode === "ON_DEMAND" && input.ShardCount !== undefined) throw invalid("ShardCount is not accepted for an ON_DEMAND stream.");
      const shardCount = input.ShardCount ?? ON_DEMAND_SHARDS;
      const arn = streamArn(ctx, input.StreamName);
      if (await ctx.streams.get(arn)) throw new UnkaiError("ResourceInUseException", `Stream ${input.StreamName} under account ${ctx.account.accountId} already exists.`);
      await checkShardLimit(ctx, shardCount);
      checkTags(input.Tags ?? {}, {}, "stream");
      await ctx.streams.put(arn, {
        name: input.StreamName, arn, createdAt: ctx.now(), mode, shards: evenShards(shardCount, 0, 0), nextShardIndex: shardCount, retentionHours: DEFAULT_RETENTION_HOURS,
        maxRecordSizeKiB: input.MaxRecordSizeInKiB ?? 1024, tags: { ...input.Tags }, shardLevelMetrics: [],
      });
      return {};
    },

    async DeleteStream(input: StreamNaming) {
      const stream = await loadStream(ctx, input);
      await ctx.streams.delete(stream.arn);
      await ctx.records.forget(stream.arn);
      ctx.signals.wake(stream.arn);
      return {};
    },

    async DescribeStream(input: StreamNaming & { Limit?: number; ExclusiveStartShardId?: string }) {
      const stream = await loadStream(ctx, input);
      const { page, more } = shardPage(stream.shards, input.ExclusiveStartShardId, input.Limit ?? 100);
      return {
        StreamDescription: {
          StreamName: stream.name, StreamARN: stream.arn, StreamStatus: "ACTIVE", StreamModeDetails: streamMode(stream),
          Shards: page, HasMoreShards: more,
          RetentionPeriodHours: stream.retentionHours, StreamCreationTimestamp: new Date(stream.createdAt),
          EnhancedMonitoring: [{ ShardLevelMetrics: stream.shardLevelMetrics }], ...encryption(stream),
        },
      };
    },

    async DescribeStreamSummary(input: StreamNaming) {
      const stream = await loadStream(ctx, input);
      return {
        StreamDescriptionSummary: {
          StreamName: stream.name, StreamARN: stream.arn, StreamStatus: "ACTIVE", StreamModeDetails: streamMode(stream),
          RetentionPeriodHours: stream.retentionHours, StreamCreationTimestamp: new Date(stream.createdAt),
          EnhancedMonitoring: [{ ShardLevelMetrics: stream.shardLevelMetrics }], ...encryption(stream),
          OpenShardCount: openShards(stream).length, ConsumerCount: 0, MaxRecordSizeInKiB: stream.maxRecordSizeKiB,
        },
      };
    },

    async ListStreams(input: { Limit?: number; ExclusiveStartStreamName?: string; NextToken?: string }) {
      const after = input.NextToken !== undefined ? readToken(input.NextToken) : input.ExclusiveStartStreamName;
      const limit = input.Limit ?? 100;
      const all = (await ctx.streams.list()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).filter((s) => after === undefined || s.name > after);
      const page = all.slice(0, limit);
      const more = all.length > limit;
      return {
        StreamNames: page.map((s) => s.name), HasMoreStreams: more, ...(more ? { NextToken: writeToken(page.at(-1)?.name ?? "") } : {}),
        StreamSummaries: page.map((s) => ({ StreamName: s.name, StreamARN: s.arn, StreamStatus: "ACTIVE", StreamModeDetails: streamMode(s), StreamCreationTimestamp: new Date(s.createdAt) })),
      };
    },

    async ListShards(input: StreamNaming & { NextToken?: string; ExclusiveStartShardId?: string; MaxResults?: number; ShardFilter?: { Type: string; ShardId?: string } }) {
      let naming: StreamNaming = input;
      let after = input.ExclusiveStartShardId;
      if (input.NextToken !== undefined) {
        if (input.StreamName !== undefined || input.StreamARN !== undefined) throw invalid("NextToken and StreamName or StreamARN cannot be provided together.");
        const [arn, shardId] = readToken(input.NextToken).split(" ");
        if (arn === undefined || shardId === undefined) throw invalid(`NextToken ${input.NextToken} is not valid.`);
        naming = { StreamARN: arn };
        after = shardId;
      }
      const filter = input.ShardFilter?.Type;
      if (filter === "AFTER_SHARD_ID") after = input.ShardFilter?.ShardId;
      const stream = await loadStream(ctx, naming);
      // AT_LATEST: the open shards; the other filters (trim horizon, timestamps): every shard still listed.
      const shards = filter === "AT_LATEST" ? openShards(stream) : stream.shards;
      const { page, more } = shardPage(shards, after, input.MaxResults ?? 1000);
      return { Shards: page, ...(more ? { NextToken: writeToken(`${stream.arn} ${page.at(-1)?.ShardId ?? ""}`) } : {}) };
    },

    async IncreaseStreamRetentionPeriod(input: StreamNaming & { RetentionPeriodHours: number }) {
      await update(input, (stream) => {
        if (input.RetentionPeriodHours > MAX_RETENTION_HOURS) throw invalid(`Minimum allowed retention period is ${DEFAULT_RETENTION_HOURS} hours. Maximum allowed retention period is ${MAX_RETENTION_HOURS} hours.`);
        if (input.RetentionPeriodHours < stream.retentionHours) {
          throw invalid(`Requested retention period (${input.RetentionPeriodHours} hours) for stream ${stream.name} can not be shorter than existing retention period (${stream.retentionHours} hours). Use DecreaseRetentionPeriod API.`);
        }
        return { retentionHours: input.RetentionPeriodHours };
      });
      return {};
    },

    async DecreaseStreamRetentionPeriod(input: StreamNaming & { RetentionPeriodHours: number }) {
      await update(input, (stream) => {
        if (input.RetentionPeriodHours < DEFAULT_RETENTION_HOURS) throw invalid(`Minimum allowed retention period is ${DEFAULT_RETENTION_HOURS} hours. Maximum allowed retention period is ${MAX_RETENTION_HOURS} hours.`);
        if (input.RetentionPeriodHours > stream.retentionHours) {
          throw invalid(`Requested retention period (${input.RetentionPeriodHours} hours) for stream ${stream.name} can not be longer than existing retention period (${stream.retentionHours} hours). Use IncreaseRetentionPeriod API.`);
        }
        return { retentionHours: input.RetentionPeriodHours };
      });
      return {};
    },

    async UpdateStreamMode(input: StreamNaming & { StreamModeDetails: { StreamMode: "PROVISIONED" | "ON_DEMAND" } }) {
      await update(input, () => ({ mode: input.StreamModeDetails.StreamMode }));
      return {};
    },

    async UpdateMaxRecordSize(input: StreamNaming & { MaxRecordSizeInKiB: number }) {
      await update(input, () => ({ maxRecordSizeKiB: input.MaxRecordSizeInKiB }));
      return {};
    },

    async AddTagsToStream(input: StreamNaming & { Tags: Tags }) {
      await addTags(input, input.Tags);
      return {};
    },

    async RemoveTagsFromStream(input: StreamNaming & { TagKeys: readonly string[] }) {
      await removeTags(input, input.TagKeys);
      return {};
    },

    async ListTagsForStream(input: StreamNaming & { ExclusiveStartTagKey?: string; Limit?: number }) {
      const stream = await loadStream(ctx, input);
      const keys = Object.keys(stream.tags).sort().filter((key) => input.ExclusiveStartTagKey === undefined || key > input.ExclusiveStartTagKey);
      const limit = input.Limit ?? 50;
      return { Tags: keys.slice(0, limit).map((Key) => ({ Key, Value: stream.tags[Key] })), HasMoreTags: keys.length > limit };
    },

    // On a stream's ARN or a consumer's (consumer-tags.ts).
    async TagResource(input: { ResourceARN: string; Tags: Tags }) {
      if (consumers.names(input.ResourceARN)) await consumers.add(input.ResourceARN, input.Tags);
      else await addTags({ StreamARN: input.ResourceARN }, input.Tags);
      return {};
    },

    async UntagResource(input: { ResourceARN: string; TagKeys: readonly string[] }) {
      if (consumers.names(input.ResourceARN)) await consumers.remove(input.ResourceARN, input.TagKeys);
      else await removeTags({ StreamARN: input.ResourceARN }, input.TagKeys);
      return {};
    },

    async ListTagsForResource(input: { ResourceARN: string }) {
      const tags = consumers.names(input.ResourceARN) ? await consumers.list(input.ResourceARN) : (await loadStream(ctx, { StreamARN: input.ResourceARN })).tags;
      return { Tags: Object.keys(tags).sort().map((Key) => ({ Key, Value: tags[Key] })) };
    },

    async StartStreamEncryption(input: StreamNaming & { EncryptionType: string; KeyId: string }) {
      if (input.EncryptionType !== "KMS") throw invalid(`EncryptionType ${input.EncryptionType} is not supported: KMS is.`);
      await update(input, () => ({ encryption: { type: "KMS", keyId: input.KeyId } }));
      return {};
    },

    async StopStreamEncryption(input: StreamNaming & { EncryptionType: string; KeyId: string }) {
      await update(input, () => ({ encryption: undefined }));
      return {};
    },

    async EnableEnhancedMonitoring(input: StreamNaming & { ShardLevelMetrics: readonly string[] }) {
      return monitoring(input, (current) => [...new Set([...current, ...expandMetrics(input.ShardLevelMetrics)])]);
    },

    async DisableEnhancedMonitoring(input: StreamNaming & { ShardLevelMetrics: readonly string[] }) {
      const removed = expandMetrics(input.ShardLevelMetrics);
      return monitoring(input, (current) => current.filter((metric) => !removed.includes(metric)));
    },

    async DescribeLimits() {
      const streams = await ctx.streams.list();
      return {
        ShardLimit: ACCOUNT_SHARD_LIMIT, OpenShardCount: streams.reduce((sum, s) => sum + openShards(s).length, 0),
        OnDemandStreamCount: streams.filter((s) => s.mode === "ON_DEMAND").length, OnDemandStreamCountLimit: 50,
      };
    },
  };

  async function monitoring(input: StreamNaming, change: (current: readonly string[]) => string[]) {
    const stream = await loadStream(ctx, input);
    const desired = change(stream.shardLevelMetrics);
    await update(input, () => ({ shardLevelMetrics: desired }));
    return { StreamName: stream.name, StreamARN: stream.arn, CurrentShardLevelMetrics: stream.shardLevelMetrics, DesiredShardLevelMetrics: desired };
  }
}

const SHARD_METRICS = ["IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords", "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds"];

function expandMetrics(metrics: readonly string[]): string[] {
  return metrics.includes("ALL") ? SHARD_METRICS : [...metrics];
}

