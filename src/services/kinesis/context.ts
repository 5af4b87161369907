/** What Kinesis's operations share: the store's ports, the account, the clock and the iterators; and how a request names its stream. */
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import { KINESIS_STREAM_ARN, type KinesisStreamRecord } from "../../core/kinesis.js";
import type { ServiceMetrics } from "../../core/service-metrics.js";
import type { ShardIterators } from "../../core/shard-iterators.js";
import type { WakeSignals } from "../../core/wake-signals.js";
import type { FreeSpace } from "../../store/disk-space.js";
import type { DocumentStore, KinesisRecordStore } from "../../store/ports.js";

export interface KinesisContext {
  readonly streams: DocumentStore<KinesisStreamRecord>;
  readonly records: KinesisRecordStore;
  readonly account: Account;
  readonly now: () => number;
  readonly iterators: ShardIterators;
  /** Whether the data directory has room: writes are refused below the free-space threshold. */
  readonly space?: FreeSpace | undefined;
  /** AWS/Kinesis's metrics go here (Platform.serviceMetrics; metrics.ts). */
  readonly metrics?: ServiceMetrics | undefined;
  /** Woken by stream ARN whenever records arrive or the stream's shards or consumers change (SubscribeToShard waits on it). */
  readonly signals: WakeSignals;
  /**
   * How long an idle subscription waits before it reads its shard again: writes on this node wake it
   * at once, so this only bounds how late it sees another node's writes (a cluster) and its heartbeat.
   */
  readonly subscriptionPollMs: number;
  /** SubscribeToShard subscriptions this node keeps open at once (`--kinesis-max-subscriptions`). */
  readonly maxSubscriptions: number;
  /** Settles once the interrupted reshardings found at start are undone (index.ts): a resharding waits for it. */
  readonly repaired: () => Promise<void>;
}

/** Kinesis's error for a bad argument. */
export const invalid = (message: string) => new UnkaiError("InvalidArgumentException", message);

/** What a NextToken says a page continues after (Unkai's tokens: base64url JSON of a string); refused when it is none of Unkai's. */
export function readToken(token: string): string {
  try {
    const value = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
    if (typeof value === "string") return value;
  } catch {
    // falls through to the refusal
  }
  throw invalid(`NextToken ${token} is not valid.`);
}

/** The NextToken of a page that ended at `after`. */
export const writeToken = (after: string) => Buffer.from(JSON.stringify(after)).toString("base64url");

/** Most operations name their stream by StreamName or StreamARN. */
export interface StreamNaming {
  readonly StreamName?: string;
  readonly StreamARN?: string;
}

export function streamArn(ctx: KinesisContext, name: string): string {
  return `arn:aws:kinesis:${ctx.account.region}:${ctx.account.accountId}:stream/${name}`;
}

export const notFound = (ctx: KinesisContext, name: string) =>
  new UnkaiError("ResourceNotFoundException", `Stream ${name} under account ${ctx.account.accountId} not found.`);

/** The stream's name and ARN in this account, from either member (both must agree). */
export function namedStream(ctx: KinesisContext, input: StreamNaming): { name: string; arn: string } {
  if (input.StreamARN !== undefined) {
    const match = KINESIS_STREAM_ARN.exec(input.StreamARN);
    if (!match) throw invalid(`StreamARN ${input.StreamARN} is not a Kinesis stream ARN.`);
    const name = match[3] as string;
    if (input.StreamName !== undefined && input.StreamName !== name) throw invalid("StreamARN and StreamName name different streams.");
    if (match[1] !== ctx.account.region || match[2] !== ctx.account.accountId) throw notFound(ctx, name);
    return { name, arn: input.StreamARN };
  }
  if (input.StreamName === undefined) throw new UnkaiError("ValidationException", "Either StreamName or StreamARN should be provided.");
  return { name: input.StreamName, arn: streamArn(ctx, input.StreamName) };
}

/** The stream a request names; ResourceNotFoundException when there is none. */
export async function loadStream(ctx: KinesisContext, input: StreamNaming): Promise<KinesisStreamRecord> {
  const { name, arn } = namedStream(ctx, input);
  const stream = await ctx.streams.get(arn);
  if (!stream) throw notFound(ctx, name);
  return stream;
}
