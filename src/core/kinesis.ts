/**
 * A Kinesis data stream as stored (KinesisStore's documents, by ARN): its shards, open and closed
 * (resharding closes shards and opens their children), and its settings; its records live in
 * KinesisRecordStore.
 */

/** One shard: a range of the 128-bit hash key space, its lineage, and where its records begin and end in the stream's sequence. */
export interface KinesisShard {
  /** `shardId-<index, 12 digits>`. */
  readonly index: number;
  /** Decimal, inclusive. */
  readonly startingHashKey: string;
  readonly endingHashKey: string;
  readonly parent?: number | undefined;
  /** A merged shard's second parent. */
  readonly adjacentParent?: number | undefined;
  /** The stream's sequence number the shard opened after: its records are above it. */
  readonly openedAfter: number;
  /** Set once resharding closed it: no record of it is above `sequence`; listed until its records expire after `time`. */
  readonly closed?: { readonly sequence: number; readonly time: number } | undefined;
}

/** A Kinesis stream's ARN, capturing its region, account and name (every service that names streams reads them with it). */
export const KINESIS_STREAM_ARN = /^arn:aws[a-zA-Z-]*:kinesis:([^:]*):(\d{12}):stream\/([^/]+)$/;

/** An enhanced fan-out consumer's ARN: its stream's ARN (captured), `/consumer/`, its name (captured) and `:` its creation (epoch seconds). */
export const KINESIS_CONSUMER_ARN = /^(arn:aws[a-zA-Z-]*:kinesis:[^:]*:\d{12}:stream\/[^/]+)\/consumer\/([^:]+):\d+$/;

/** The ARN a consumer registered at `createdAtMs` gets (KINESIS_CONSUMER_ARN's form). */
export const consumerArn = (streamArn: string, name: string, createdAtMs: number) => `${streamArn}/consumer/${name}:${Math.floor(createdAtMs / 1000)}`;

/** An enhanced fan-out consumer registered on a stream. */
export interface KinesisConsumer {
  readonly name: string;
  /** `<stream ARN>/consumer/<name>:<creation, epoch seconds>`. */
  readonly arn: string;
  /** Epoch ms. */
  readonly createdAt: number;
  /** PutResourcePolicy's document for the consumer (SubscribeToShard, DescribeStreamConsumer). */
  readonly policy?: string | undefined;
  /** Its tags (RegisterStreamConsumer `Tags`, TagResource on its ARN); absent on consumers registered before they were kept. */
  readonly tags?: Readonly<Record<string, string>> | undefined;
}

export interface KinesisStreamRecord {
  readonly name: string;
  readonly arn: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly mode: "PROVISIONED" | "ON_DEMAND";
  /** Every shard still listed, in index order. */
  readonly shards: readonly KinesisShard[];
  /** The index the next shard opened gets. */
  readonly nextShardIndex: number;
  /** How long records are kept: 24 to 8,760 hours. */
  readonly retentionHours: number;
  /** The largest record's data, 1,024 to 10,240 KiB (1 MiB by default). */
  readonly maxRecordSizeKiB: number;
  readonly tags: Readonly<Record<string, string>>;
  /** StartStreamEncryption's settings, kept and reported (records are stored as they are). */
  readonly encryption?: { readonly type: "KMS"; readonly keyId: string } | undefined;
  /** EnableEnhancedMonitoring's shard-level metrics, kept and reported. */
  readonly shardLevelMetrics: readonly string[];
  /** Enhanced fan-out consumers (RegisterStreamConsumer). */
  readonly consumers?: readonly KinesisConsumer[] | undefined;
  /** PutResourcePolicy's document for the stream: evaluated under IAM enforcement beside callers' own policies. */
  readonly policy?: string | undefined;
}
