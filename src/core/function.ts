/** The function domain: configuration, its validation, and the record Unkai stores. */
import { invalidParameter } from "./errors.js";
import { LIMITS } from "./limits.js";
import { isRuntimeId, RUNTIMES, type RuntimeId } from "./runtimes.js";

export interface LoggingConfig {
  readonly logFormat: "Text" | "JSON";
  readonly logGroup: string;
  readonly applicationLogLevel?: string | undefined;
  readonly systemLogLevel?: string | undefined;
}

/** What a user configures on a function (the mutable part of FunctionConfiguration). */
export interface FunctionConfig {
  readonly runtime: RuntimeId;
  readonly handler: string;
  readonly role: string;
  readonly description: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly ephemeralStorageMb: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly architecture: "x86_64" | "arm64";
  readonly logging: LoggingConfig;
  readonly tracingMode: "Active" | "PassThrough";
  /** Layer versions in mount order, resolved when the configuration was saved. */
  readonly layers?: readonly LayerRef[] | undefined;
  /** SQS queue or SNS topic for asynchronous events that fail (DeadLetterConfig.TargetArn). */
  readonly deadLetterTargetArn?: string | undefined;
}

export interface LayerRef {
  readonly arn: string;
  readonly codeSha256: string;
  readonly codeSize: number;
}

/** A function's $LATEST as stored: config, code identity and bookkeeping. */
export interface FunctionRecord {
  readonly name: string;
  readonly config: FunctionConfig;
  readonly codeSha256: string;
  readonly codeSize: number;
  readonly revisionId: string;
  readonly lastModified: string;
  readonly reservedConcurrency: number | undefined;
  readonly tags: Readonly<Record<string, string>>;
  /** `$LATEST` (absent) or a published version number. */
  readonly version?: string | undefined;
  /** On $LATEST: the highest version number ever published (numbers are never reused). */
  readonly lastVersion?: number | undefined;
  /** Resource-based policy statements by qualifier ("" for the unqualified function). */
  readonly policies?: Readonly<Record<string, readonly PolicyStatement[]>> | undefined;
  /** Changes with every policy change (GetPolicy's RevisionId). */
  readonly policyRevisionId?: string | undefined;
  /** Provisioned concurrency by qualifier (a version number or an alias name), on $LATEST's record. */
  readonly provisionedConcurrency?: Readonly<Record<string, ProvisionedConcurrencyConfig>> | undefined;
}

/** PutProvisionedConcurrencyConfig's request, as kept. */
export interface ProvisionedConcurrencyConfig {
  readonly requested: number;
  /** When it was last put (LastModified). */
  readonly lastModified: string;
}

/** One statement of a function's resource-based policy, as GetPolicy returns it. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Principal: string | Readonly<Record<string, string>>;
  readonly Action: string;
  readonly Resource: string;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** Environment variable names Lambda reserves; a function may not set them. */
export const RESERVED_ENV_KEYS: ReadonlySet<string> = new Set([
  "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
]);

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-/]+$/;
const ENV_KEY = /^[a-zA-Z]([a-zA-Z0-9_])+$/;

export function validateFunctionName(name: string): void {
  if (!FUNCTION_NAME.test(name)) {
    throw invalidParameter(`Function name '${name}' is invalid: use 1 to 64 letters, digits, hyphens or underscores.`);
  }
}

export function validateRuntime(runtime: string): RuntimeId {
  if (!isRuntimeId(runtime)) {
    throw invalidParameter(`Runtime '${runtime}' is not supported; choose one of ${Object.keys(RUNTIMES).join(", ")}.`);
  }
  return runtime;
}

export function validateRole(role: string): void {
  if (!ROLE.test(role)) {
    throw invalidParameter(`Role '${role}' is not an IAM role ARN such as arn:aws:iam::123456789012:role/lambda-role.`);
  }
}

export function validateHandler(handler: string): void {
  if (handler.length === 0 || handler.length > LIMITS.handlerLength || /\s/.test(handler)) {
    throw invalidParameter(`Handler '${handler}' must be 1 to ${LIMITS.handlerLength} characters without whitespace, e.g. index.handler.`);
  }
}

function validateRange(field: string, value: number, min: number, max: number, unit: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(`${field} ${value} is out of range: it must be a whole number of ${unit} from ${min} to ${max}.`);
  }
}

export function validateEnvironment(variables: Record<string, string>): void {
  for (const [key, value] of Object.entries(variables)) {
    if (!ENV_KEY.test(key)) {
      throw invalidParameter(`Environment variable name '${key}' is invalid: start with a letter, then one or more letters, digits or underscores.`);
    }
    if (RESERVED_ENV_KEYS.has(key)) {
      throw invalidParameter(`Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${key}`);
    }
    if (typeof value !== "string") {
      throw invalidParameter(`Environment variable '${key}' must be a string.`);
    }
  }
  const measured = JSON.stringify(variables);
  if (Buffer.byteLength(measured) > LIMITS.environmentBytes) {
    throw invalidParameter(`Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`);
  }
}

/** Checks every configurable field against Lambda's rules; throws InvalidParameterValueException. */
export function validateConfig(config: FunctionConfig): void {
  validateHandler(config.handler);
  validateRole(config.role);
  validateRange("MemorySize", config.memoryMb, LIMITS.memoryMinMb, LIMITS.memoryMaxMb, "MB");
  validateRange("Timeout", config.timeoutSeconds, LIMITS.timeoutMinSeconds, LIMITS.timeoutMaxSeconds, "seconds");
  validateRange("EphemeralStorage.Size", config.ephemeralStorageMb, LIMITS.ephemeralMinMb, LIMITS.ephemeralMaxMb, "MB");
  if (config.description.length > LIMITS.descriptionLength) {
    throw invalidParameter(`Description is ${config.description.length} characters long; the limit is ${LIMITS.descriptionLength}.`);
  }
  validateEnvironment(config.environment);
}

export function defaultLogGroup(name: string): string {
  return `/aws/lambda/${name}`;
}
