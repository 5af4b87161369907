/** Unkai's configuration: flags over environment over defaults, parsed once into a frozen object. */
import { totalmem } from "node:os";
import { resolve } from "node:path";
import { z } from "zod/v3";
import { isRetentionDays, RETENTION_DAYS } from "../core/log-limits.js";
import { isPostgresUrl } from "../store/open-store.js";

const MB = 1024 * 1024;
const GIB = 1024 * MB;

/** `s3://bucket` or `s3://bucket/prefix/of/folders` (src/store/blobs/blob-store.ts' key rule). */
const S3_LOCATION = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*\/?$/;

const schema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65_535),
  dataDir: z.string().min(1),
  store: z.string().refine((url) => url === "" || isPostgresUrl(url), "empty (the embedded SQLite file) or a PostgreSQL URL such as postgres://unkai@db.example:5432/unkai"),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "a region such as us-east-1"),
  accountId: z.string().regex(/^\d{12}$/, "12 digits"),
  logLevel: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]),
  accountConcurrency: z.number().int().min(1),
  maxEnvironments: z.number().int().min(1),
  idleTimeoutMs: z.number().int().min(100),
  prestartPerRuntime: z.number().int().min(0).max(16),
  drainTimeoutMs: z.number().int().min(0),
  killGraceMs: z.number().int().min(0),
  initTimeoutMs: z.number().int().min(100),
  memoryPollMs: z.number().int().min(5),
  handoffWaitMs: z.number().int().min(0).max(1_000),
  handoffCpuPercent: z.number().int().min(0).max(100),
  nodePath: z.string().min(1),
  pythonPath: z.string().min(1),
  deployExample: z.boolean(),
  runtimeChannel: z.enum(["auto", "http"]),
  asyncRetryScale: z.number().min(0).max(10),
  asyncConcurrency: z.number().int().min(1).max(10_000),
  /** The most SQS event-source-mapping poll loops one node runs, every mapping together. */
  sqsPollers: z.number().int().min(1).max(10_000),
  /** How long SNS waits for an http/https subscriber's answer before counting the attempt failed (SNS: 15 s). */
  snsHttpTimeoutMs: z.number().int().min(100).max(60_000),
  sandbox: z.enum(["auto", "process", "linux"]),
  /**
   * `enforce`: function session credentials get exactly their execution role's IAM permissions (docs/iam.md);
   * `audit`: every request is evaluated as under `enforce` and none refused, what would be is recorded.
   */
  iam: z.enum(["off", "enforce", "audit"]),
  /** The most IAM denials a node records a second in `/unkai/iam/decisions` (the rest are counted in one summary event); 0 records none. */
  iamDecisionsPerSecond: z.number().int().min(0).max(10_000),
  /** In a cluster, how long the IAM enforcer may use a caller's policies after a write through another node (docs/iam.md, "Caching"). */
  iamClusterStalenessMs: z.number().int().min(0).max(60_000),
  accessKeyId: z.string().regex(/^([A-Za-z0-9]{3,128})?$/, "3 to 128 letters and digits"),
  secretAccessKey: z.string().max(128),
  gatewayTimeoutMs: z.number().int().min(50).max(900_000),
  /** How often CloudWatch alarms are evaluated (CloudWatch: every minute); tests shorten it. */
  alarmEvaluationIntervalMs: z.number().int().min(100).max(3_600_000),
  /** How long a DynamoDB stream's shard stays open before it rolls over to a child (AWS: about four hours); tests shorten it. */
  streamShardLifetimeMs: z.number().int().min(1_000).max(7 * 24 * 3_600_000),
  /** How long DynamoDB stream records, and disabled or deleted tables' streams, are kept (AWS: 24 hours); tests shorten it. */
  streamRetentionMs: z.number().int().min(1_000).max(24 * 3_600_000),
  /** How long a CloudWatch Logs live tail session lasts before SessionTimeoutException (AWS: three hours); tests shorten it. */
  liveTailTimeoutMs: z.number().int().min(1_000).max(3 * 3_600_000),
  /** Live tail sessions (StartLiveTail) open at once on a node; more are LimitExceededException (AWS's default quota: 15 per account). */
  liveTailMaxSessions: z.number().int().min(1).max(10_000),
  /** Kinesis SubscribeToShard subscriptions open at once on a node; more are LimitExceededException. */
  kinesisMaxSubscriptions: z.number().int().min(1).max(100_000),
  /** The length of a day S3 lifecycle rules count in (AWS: 86,400,000); tests shorten it to a second or so. */
  s3LifecycleDayMs: z.number().int().min(100).max(86_400_000),
  /**
   * How long after a change S3 first tries its queue, topic and EventBridge notifications (0: before the
   * request is answered); tests lengthen it to crash Unkai between the commit and the delivery.
   */
  s3NotificationDelayMs: z.number().int().min(0).max(3_600_000),
  /**
   * How often DynamoDB tables' captured changes are forwarded to their Kinesis destinations (AWS: near real
   * time); tests lengthen it to stop Unkai between a write and its forwarding.
   */
  dynamodbKinesisIntervalMs: z.number().int().min(10).max(3_600_000),
  /**
   * Processes serving DynamoDB's own endpoint on `dynamodbPort` (docs/dynamodb-endpoint.md); 0 (the
   * default) opens no such endpoint, and DynamoDB is served on the main port only, as always.
   */
  dynamodbWorkers: z.number().int().min(0).max(64),
  /** DynamoDB's own endpoint (with `dynamodbWorkers` ≥ 1): 8000, DynamoDB Local's port, by default; 0 picks a free one. */
  dynamodbPort: z.number().int().min(0).max(65_535),
  /** Multiplies rate() periods of Scheduler schedules and EventBridge rules; tests shorten `rate(1 minute)` to a second or so. */
  schedulerRateScale: z.number().min(0.001).max(1),
  /** A Scheduler or scheduled-rule firing later than this (Unkai was down) is skipped, as AWS does not replay missed firings. */
  schedulerMissedAfterMs: z.number().int().min(1_000).max(3_600_000),
  logRetentionDays: z.number().int().refine((days) => days === 0 || isRetentionDays(days), `0 (never expire) or one of CloudWatch's periods: ${RETENTION_DAYS.join(", ")}`),
  logGroupMaxBytes: z.number().int().min(64 * 1024),
  recordRetentionDays: z.number().int().min(0),
  logSweepIntervalMs: z.number().int().min(50),
  minFreeDiskBytes: z.number().int().min(0),
  sandboxHostPorts: z.array(z.coerce.number().int().min(1).max(65_535)),
  publicHost: z.array(z.string().regex(/^(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i, "host names such as unkai.example.com or *.unkai.example.com, separated by commas")),
  blobs: z.string().refine((value) => value === "" || S3_LOCATION.test(value) || !/^[a-z0-9+.-]+:\/\//i.test(value), "a directory or s3://bucket/prefix (prefix: names of letters, digits, '.', '_', '-')"),
  blobsEndpoint: z.string().regex(/^(https?:\/\/[^\s/]+\/?)?$/, "an http(s) URL such as http://minio.internal:9000 (empty for AWS S3)"),
  blobsRegion: z.string().regex(/^[a-z0-9-]+$/, "a region such as us-east-1"),
  blobsAccessKeyId: z.string().max(128),
  blobsSecretAccessKey: z.string().max(256),
  blobsSessionToken: z.string().max(4096),
  /** `GET /metrics` for Prometheus (off by default); it always needs `metricsToken` as a bearer token. */
  metrics: z.boolean(),
  metricsToken: z.string().max(256).refine((token) => token === "" || token.length >= 16, "at least 16 characters"),
  allowOrigin: z.array(z.string().regex(/^(\*|https?:\/\/[a-z0-9.-]+(:\d+)?|https?:\/\/\[[0-9a-f:.]+\](:\d+)?)$/i, "origins such as https://app.example.com or http://localhost:3000 (scheme, host, port; no path), or *, separated by commas")),
});

export type Config = Readonly<z.infer<typeof schema>>;

/** Flags as the CLI parsed them (strings), keyed like the schema. */
export type ConfigFlags = Partial<Record<keyof Config, string>>;

const ENV_NAMES: Record<keyof Config, string> = {
  host: "UNKAI_HOST",
  port: "UNKAI_PORT",
  dataDir: "UNKAI_DATA_DIR",
  store: "UNKAI_STORE",
  region: "UNKAI_REGION",
  accountId: "UNKAI_ACCOUNT_ID",
  logLevel: "UNKAI_LOG_LEVEL",
  accountConcurrency: "UNKAI_ACCOUNT_CONCURRENCY",
  maxEnvironments: "UNKAI_MAX_ENVIRONMENTS",
  idleTimeoutMs: "UNKAI_IDLE_TIMEOUT_MS",
  prestartPerRuntime: "UNKAI_PRESTART",
  drainTimeoutMs: "UNKAI_DRAIN_TIMEOUT_MS",
  killGraceMs: "UNKAI_KILL_GRACE_MS",
  initTimeoutMs: "UNKAI_INIT_TIMEOUT_MS",
  memoryPollMs: "UNKAI_MEMORY_POLL_MS",
  handoffWaitMs: "UNKAI_HANDOFF_WAIT_MS",
  handoffCpuPercent: "UNKAI_HANDOFF_CPU_PERCENT",
  nodePath: "UNKAI_NODE",
  pythonPath: "UNKAI_PYTHON",
  deployExample: "UNKAI_EXAMPLE",
  runtimeChannel: "UNKAI_RUNTIME_CHANNEL",
  asyncRetryScale: "UNKAI_ASYNC_RETRY_SCALE",
  asyncConcurrency: "UNKAI_ASYNC_CONCURRENCY",
  sqsPollers: "UNKAI_SQS_POLLERS",
  snsHttpTimeoutMs: "UNKAI_SNS_HTTP_TIMEOUT_MS",
  sandbox: "UNKAI_SANDBOX",
  iam: "UNKAI_IAM",
  iamDecisionsPerSecond: "UNKAI_IAM_DECISIONS_PER_SECOND",
  iamClusterStalenessMs: "UNKAI_IAM_CLUSTER_STALENESS_MS",
  accessKeyId: "UNKAI_ACCESS_KEY_ID",
  secretAccessKey: "UNKAI_SECRET_ACCESS_KEY",
  gatewayTimeoutMs: "UNKAI_GATEWAY_TIMEOUT_MS",
  alarmEvaluationIntervalMs: "UNKAI_ALARM_EVALUATION_INTERVAL_MS",
  streamShardLifetimeMs: "UNKAI_STREAM_SHARD_LIFETIME_MS",
  streamRetentionMs: "UNKAI_STREAM_RETENTION_MS",
  liveTailTimeoutMs: "UNKAI_LIVE_TAIL_TIMEOUT_MS",
  liveTailMaxSessions: "UNKAI_LIVE_TAIL_MAX_SESSIONS",
  kinesisMaxSubscriptions: "UNKAI_KINESIS_MAX_SUBSCRIPTIONS",
  s3LifecycleDayMs: "UNKAI_S3_LIFECYCLE_DAY_MS",
  s3NotificationDelayMs: "UNKAI_S3_NOTIFICATION_DELAY_MS",
  dynamodbKinesisIntervalMs: "UNKAI_DYNAMODB_KINESIS_INTERVAL_MS",
  dynamodbWorkers: "UNKAI_DYNAMODB_WORKERS",
  dynamodbPort: "UNKAI_DYNAMODB_PORT",
  schedulerRateScale: "UNKAI_SCHEDULER_RATE_SCALE",
  schedulerMissedAfterMs: "UNKAI_SCHEDULER_MISSED_AFTER_MS",
  logRetentionDays: "UNKAI_LOG_RETENTION_DAYS",
  logGroupMaxBytes: "UNKAI_LOG_GROUP_MAX_BYTES",
  recordRetentionDays: "UNKAI_RECORD_RETENTION_DAYS",
  logSweepIntervalMs: "UNKAI_LOG_SWEEP_INTERVAL_MS",
  minFreeDiskBytes: "UNKAI_MIN_FREE_DISK_BYTES",
  sandboxHostPorts: "UNKAI_SANDBOX_HOST_PORTS",
  publicHost: "UNKAI_PUBLIC_HOST",
  allowOrigin: "UNKAI_ALLOW_ORIGIN",
  metrics: "UNKAI_METRICS",
  metricsToken: "UNKAI_METRICS_TOKEN",
  blobs: "UNKAI_BLOBS",
  blobsEndpoint: "UNKAI_BLOBS_ENDPOINT",
  blobsRegion: "UNKAI_BLOBS_REGION",
  blobsAccessKeyId: "UNKAI_BLOBS_ACCESS_KEY_ID",
  blobsSecretAccessKey: "UNKAI_BLOBS_SECRET_ACCESS_KEY",
  blobsSessionToken: "UNKAI_BLOBS_SESSION_TOKEN",
};

/** Environments the host can hold: half the memory at 128 MB each, at most 256. */
function defaultMaxEnvironments(): number {
  return Math.max(4, Math.min(256, Math.floor((totalmem() * 0.5) / (128 * MB))));
}

const DEFAULTS: { [K in keyof Config]: Config[K] } = {
  host: "127.0.0.1",
  port: 4566,
  dataDir: ".unkai",
  // The embedded SQLite file in the data directory; a postgres:// URL shares one database between nodes.
  store: "",
  region: "us-east-1",
  accountId: "000000000000",
  logLevel: "info",
  accountConcurrency: 1000,
  maxEnvironments: defaultMaxEnvironments(),
  idleTimeoutMs: 10 * 60_000,
  prestartPerRuntime: 1,
  drainTimeoutMs: 10_000,
  killGraceMs: 500,
  initTimeoutMs: 10_000,
  memoryPollMs: 50,
  // While the CPUs are saturated (handoffCpuPercent busy, every process on the host counted), a request
  // waits for a busy environment of its function, and starts another only once none has freed up for
  // handoffWaitMs (docs/lifecycle.md has the figures behind the values); 0 turns the wait off.
  handoffWaitMs: 10,
  handoffCpuPercent: 90,
  nodePath: process.execPath,
  pythonPath: "/usr/bin/python3",
  deployExample: true,
  runtimeChannel: "auto",
  asyncRetryScale: 1,
  asyncConcurrency: 64,
  sqsPollers: 100,
  snsHttpTimeoutMs: 15_000,
  sandbox: "auto",
  iam: "enforce",
  // A denial event is ~600 bytes: 100 a second is 60 KB/s per node at most, in a group capped by logGroupMaxBytes.
  iamDecisionsPerSecond: 100,
  iamClusterStalenessMs: 1_000,
  accessKeyId: "",
  secretAccessKey: "",
  gatewayTimeoutMs: 30_000,
  alarmEvaluationIntervalMs: 60_000,
  streamShardLifetimeMs: 4 * 3_600_000,
  streamRetentionMs: 24 * 3_600_000,
  liveTailTimeoutMs: 3 * 3_600_000,
  liveTailMaxSessions: 15,
  kinesisMaxSubscriptions: 1_000,
  s3LifecycleDayMs: 86_400_000,
  s3NotificationDelayMs: 0,
  dynamodbKinesisIntervalMs: 250,
  dynamodbWorkers: 0,
  dynamodbPort: 8000,
  schedulerRateScale: 1,
  // AWS: a schedule "may lag by up to a minute"; a firing later than that was missed.
  schedulerMissedAfterMs: 60_000,
  // Groups Unkai creates keep a month: enough history for a development box, and a bound on age
  // next to the bound on size below. 0 keeps them forever, as CloudWatch does by default.
  logRetentionDays: 30,
  // Per log group (a function's, by default): 64 flooding invocations' worth at 1 MiB each.
  logGroupMaxBytes: 64 * MB,
  // Invocation records (the console's monitoring) age out with the logs they point at; 0 keeps them.
  recordRetentionDays: 30,
  logSweepIntervalMs: 60_000,
  // Headroom for SQLite's WAL and a 250 MB unzipped package; 0 turns the watch off.
  minFreeDiskBytes: GIB,
  // Host-loopback ports functions may reach besides Unkai's own (a local database, say); none by default.
  sandboxHostPorts: [],
  publicHost: [],
  allowOrigin: [],
  metrics: false,
  metricsToken: "",
  // Code packages and S3 object bodies: "" keeps them in the data directory (code/, objects/).
  blobs: "",
  blobsEndpoint: "",
  blobsRegion: "us-east-1",
  // Empty: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else the SDK's own chain.
  blobsAccessKeyId: "",
  blobsSecretAccessKey: "",
  blobsSessionToken: "",
};

/** Reads flags, then `env`, then defaults; throws a readable error naming the bad setting. */
export function loadConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(DEFAULTS) as (keyof Config)[]) {
    const given = flags[key] ?? env[ENV_NAMES[key]];
    raw[key] = given === undefined ? DEFAULTS[key] : coerce(given, DEFAULTS[key]);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = String(issue?.path[0] ?? "?") as keyof Config;
    // A store URL may carry a password: never echo it.
    const got = key === "store" ? "" : `, got '${String(raw[key])}'`;
    throw new Error(`Invalid setting ${key} (--${kebab(key)} or ${ENV_NAMES[key]}): ${issue?.message ?? "invalid"}${got}.`);
  }
  if ((result.data.accessKeyId === "") !== (result.data.secretAccessKey === "")) {
    throw new Error("Set both UNKAI_ACCESS_KEY_ID and UNKAI_SECRET_ACCESS_KEY (or --access-key-id and --secret-access-key), or neither.");
  }
  if (result.data.metrics && result.data.metricsToken === "") {
    throw new Error("--metrics needs a bearer token for /metrics: set UNKAI_METRICS_TOKEN (or --metrics-token), at least 16 characters.");
  }
  return Object.freeze({ ...result.data, ...blobSettings(result.data, env), dataDir: resolve(result.data.dataDir) });
}

/**
 * The blob store's location (a directory made absolute) and credentials: Unkai's own settings, else
 * the standard AWS_* variables (read here, as every setting is). Both halves of a key, or neither.
 */
function blobSettings(config: z.infer<typeof schema>, env: NodeJS.ProcessEnv): Partial<Config> {
  const blobs = config.blobs === "" || config.blobs.startsWith("s3://") ? config.blobs : resolve(config.blobs);
  if (config.blobsAccessKeyId !== "" || config.blobsSecretAccessKey !== "") {
    if (config.blobsAccessKeyId === "" || config.blobsSecretAccessKey === "") {
      throw new Error("Set both UNKAI_BLOBS_ACCESS_KEY_ID and UNKAI_BLOBS_SECRET_ACCESS_KEY (or --blobs-access-key-id and --blobs-secret-access-key), or neither.");
    }
    return { blobs };
  }
  const accessKeyId = env.AWS_ACCESS_KEY_ID ?? "";
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY ?? "";
  if (accessKeyId === "" || secretAccessKey === "") return { blobs };
  return { blobs, blobsAccessKeyId: accessKeyId, blobsSecretAccessKey: secretAccessKey, blobsSessionToken: env.AWS_SESSION_TOKEN ?? "" };
}

function coerce(value: string, like: unknown): unknown {
  if (typeof like === "number") return value.trim() === "" ? Number.NaN : Number(value.replaceAll("_", ""));
  if (typeof like === "boolean") return !/^(0|false|no|off)$/i.test(value);
  // Lists are comma-separated: --public-host a.example,b.example
  if (Array.isArray(like)) return value.split(",").map((item) => item.trim()).filter((item) => item !== "");
  return value;
}

export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export const CONFIG_KEYS = Object.keys(DEFAULTS) as (keyof Config)[];
