/**
 * A Kinesis data stream as stored (KinesisStore's documents, by ARN): its shards are fixed at
 * creation (they split the 128-bit hash key space evenly), its records live in KinesisRecordStore.
 */
export interface KinesisStreamRecord {
  readonly name: string;
  readonly arn: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly mode: "PROVISIONED" | "ON_DEMAND";
  readonly shardCount: number;
  /** How long records are kept: 24 to 8,760 hours. */
  readonly retentionHours: number;
  /** The largest record's data, 1,024 to 10,240 KiB (1 MiB by default). */
  readonly maxRecordSizeKiB: number;
  readonly tags: Readonly<Record<string, string>>;
  /** StartStreamEncryption's settings, kept and reported (records are stored as they are). */
  readonly encryption?: { readonly type: "KMS"; readonly keyId: string } | undefined;
  /** EnableEnhancedMonitoring's shard-level metrics, kept and reported. */
  readonly shardLevelMetrics: readonly string[];
}
