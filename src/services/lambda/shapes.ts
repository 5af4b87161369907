/** Lambda's JSON shapes: request bodies parsed with zod, FunctionConfiguration rendered for responses. */
import { z } from "zod/v3";
import { invalidParameter, UnkaiError } from "../../core/errors.js";
import { defaultLogGroup, validateRuntime, type FunctionConfig, type FunctionRecord, type LayerRef } from "../../core/function.js";
import { LIMITS } from "../../core/limits.js";
import { stringMap } from "../../protocol/input.js";
import { decodeUtf8 } from "../../protocol/utf8.js";

const environment = z.object({ Variables: stringMap.optional() });
const loggingConfig = z.object({
  LogFormat: z.enum(["Text", "JSON"]).optional(),
  ApplicationLogLevel: z.enum(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]).optional(),
  SystemLogLevel: z.enum(["DEBUG", "INFO", "WARN"]).optional(),
  LogGroup: z.string().min(1).max(512).optional(),
});
const configFields = {
  Runtime: z.string().optional(),
  Role: z.string().optional(),
  Handler: z.string().optional(),
  Description: z.string().optional(),
  Timeout: z.number().optional(),
  MemorySize: z.number().optional(),
  Environment: environment.optional(),
  EphemeralStorage: z.object({ Size: z.number() }).optional(),
  LoggingConfig: loggingConfig.optional(),
  TracingConfig: z.object({ Mode: z.enum(["Active", "PassThrough"]).optional() }).optional(),
  Layers: z.array(z.string()).optional(),
  RevisionId: z.string().optional(),
  DeadLetterConfig: z.object({ TargetArn: z.string().optional() }).optional(),
  // Accepted and ignored (see docs/compatibility/lambda.md): Unkai has no VPCs, KMS or file systems.
  VpcConfig: z.unknown().optional(),
  KMSKeyArn: z.string().optional(),
};

const code = z.object({
  ZipFile: z.string().optional(),
  S3Bucket: z.string().optional(),
  S3Key: z.string().optional(),
  S3ObjectVersion: z.string().optional(),
  ImageUri: z.string().optional(),
});

export const createFunctionInput = z.object({
  FunctionName: z.string(),
  Code: code,
  Publish: z.boolean().optional(),
  PackageType: z.enum(["Zip", "Image"]).optional(),
  Architectures: z.array(z.enum(["x86_64", "arm64"])).length(1).optional(),
  Tags: stringMap.optional(),
  ...configFields,
});

export const updateCodeInput = code.extend({
  Publish: z.boolean().optional(),
  DryRun: z.boolean().optional(),
  RevisionId: z.string().optional(),
  Architectures: z.array(z.enum(["x86_64", "arm64"])).length(1).optional(),
});

export const updateConfigurationInput = z.object(configFields);
export const putConcurrencyInput = z.object({ ReservedConcurrentExecutions: z.number() });
export const publishVersionInput = z.object({ CodeSha256: z.string().optional(), Description: z.string().max(256).optional(), RevisionId: z.string().optional() });

/** Parses a JSON body against `schema`; says which field was wrong and how. */
export function parseBody<T extends z.ZodType>(schema: T, body: Buffer): z.infer<T> {
  let value: unknown;
  try {
    value = body.length === 0 ? {} : JSON.parse(decodeUtf8(body));
  } catch (error) {
    throw new UnkaiError("InvalidRequestContentException", `Could not parse request body into json: ${(error as Error).message}`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join(".") || "request body";
    throw invalidParameter(`${field}: ${issue?.message ?? "invalid value"}.`);
  }
  return result.data as z.infer<T>;
}

type ConfigInput = z.infer<typeof updateConfigurationInput>;

/** Applies the given fields over `base` (Lambda defaults for a new function). */
export function applyConfig(
  name: string,
  base: FunctionConfig | undefined,
  input: ConfigInput,
  resolveLayers: (arns: readonly string[]) => LayerRef[] = () => [],
): FunctionConfig {
  const layers = input.Layers ? resolveLayers(input.Layers) : base?.layers;
  const required = (field: string, value: string | undefined, fallback: string | undefined): string => {
    const result = value ?? fallback;
    if (result === undefined) throw invalidParameter(`${field} is required.`);
    return result;
  };
  const logging = input.LoggingConfig;
  const deadLetter = input.DeadLetterConfig ? input.DeadLetterConfig.TargetArn || undefined : base?.deadLetterTargetArn;
  if (deadLetter !== undefined && !/^arn:aws[a-zA-Z-]*:(sqs|sns):[a-z0-9-]+:\d{12}:[a-zA-Z0-9_.-]+$/.test(deadLetter)) {
    throw invalidParameter(`DeadLetterConfig.TargetArn '${deadLetter}' must be an SQS queue or SNS topic ARN.`);
  }
  return {
    ...(layers && layers.length > 0 ? { layers } : {}),
    deadLetterTargetArn: deadLetter,
    runtime: validateRuntime(required("Runtime", input.Runtime, base?.runtime)),
    handler: required("Handler", input.Handler, base?.handler),
    role: required("Role", input.Role, base?.role),
    description: input.Description ?? base?.description ?? "",
    memoryMb: input.MemorySize ?? base?.memoryMb ?? LIMITS.memoryDefaultMb,
    timeoutSeconds: input.Timeout ?? base?.timeoutSeconds ?? LIMITS.timeoutDefaultSeconds,
    ephemeralStorageMb: input.EphemeralStorage?.Size ?? base?.ephemeralStorageMb ?? LIMITS.ephemeralMinMb,
    environment: input.Environment ? (input.Environment.Variables ?? {}) : (base?.environment ?? {}),
    architecture: base?.architecture ?? "x86_64",
    tracingMode: input.TracingConfig?.Mode ?? base?.tracingMode ?? "PassThrough",
    logging: {
      logFormat: logging?.LogFormat ?? base?.logging.logFormat ?? "Text",
      logGroup: logging?.LogGroup ?? base?.logging.logGroup ?? defaultLogGroup(name),
      applicationLogLevel: logging?.ApplicationLogLevel ?? base?.logging.applicationLogLevel,
      systemLogLevel: logging?.SystemLogLevel ?? base?.logging.systemLogLevel,
    },
  };
}

/** The zip of `Code.ZipFile`, or a clear refusal of a container image (code from S3: code-from-s3.ts). */
export function zipFrom(input: { readonly ZipFile?: string | undefined; readonly ImageUri?: string | undefined }): Buffer {
  if (input.ImageUri !== undefined) throw invalidParameter("Container image functions are not supported by Unkai; package the function as a zip.");
  if (input.ZipFile === undefined) throw invalidParameter("Code.ZipFile is required, or Code.S3Bucket and Code.S3Key: the function's zip, base64-encoded, or where it is in S3.");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.ZipFile)) throw invalidParameter("Code.ZipFile is not valid base64.");
  return Buffer.from(input.ZipFile, "base64");
}

/** FunctionConfiguration as Lambda returns it. */
export function functionConfiguration(record: FunctionRecord, arn: string): Record<string, unknown> {
  const { config } = record;
  const out: Record<string, unknown> = {
    FunctionName: record.name,
    FunctionArn: arn,
    Runtime: config.runtime,
    Role: config.role,
    Handler: config.handler,
    CodeSize: record.codeSize,
    Description: config.description,
    Timeout: config.timeoutSeconds,
    MemorySize: config.memoryMb,
    LastModified: record.lastModified,
    CodeSha256: record.codeSha256,
    Version: record.version ?? "$LATEST",
    TracingConfig: { Mode: config.tracingMode },
    RevisionId: record.revisionId,
    State: "Active",
    LastUpdateStatus: "Successful",
    PackageType: "Zip",
    Architectures: [config.architecture],
    EphemeralStorage: { Size: config.ephemeralStorageMb },
    SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
    LoggingConfig: {
      LogFormat: config.logging.logFormat,
      LogGroup: config.logging.logGroup,
      ...(config.logging.applicationLogLevel ? { ApplicationLogLevel: config.logging.applicationLogLevel } : {}),
      ...(config.logging.systemLogLevel ? { SystemLogLevel: config.logging.systemLogLevel } : {}),
    },
  };
  if (Object.keys(config.environment).length > 0) out.Environment = { Variables: config.environment };
  if (config.deadLetterTargetArn) out.DeadLetterConfig = { TargetArn: config.deadLetterTargetArn };
  if (config.layers && config.layers.length > 0) out.Layers = config.layers.map((layer) => ({ Arn: layer.arn, CodeSize: layer.codeSize }));
  return out;
}
