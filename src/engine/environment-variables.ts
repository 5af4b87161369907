/** The environment a function's runtime process sees: Lambda's reserved variables over the user's. */
import { dirname } from "node:path";
import type { Account } from "../core/arn.js";
import type { RuntimeFamily } from "../core/runtimes.js";
import type { FunctionVersion } from "./function-version.js";

/** Temporary credentials one execution environment's AWS SDK signs with. */
export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** Issues each environment its own session credentials and revokes them when it ends. */
export interface CredentialIssuer {
  issue(functionName: string, environmentId: string): SessionCredentials;
  revoke(environmentId: string): void;
}

export interface EnvironmentContext {
  readonly account: Account;
  /** Variables that point the runtime at its channel (AWS_LAMBDA_RUNTIME_API or _UNKAI_CHANNEL_FD). */
  readonly channel: Readonly<Record<string, string>>;
  readonly logStream: string;
  readonly tmpDir: string;
  readonly family: RuntimeFamily;
  /** Unkai's own URL: the AWS SDKs inside functions talk to Unkai through AWS_ENDPOINT_URL. */
  readonly endpointUrl: string | undefined;
  /** DynamoDB's own endpoint when its workers run (`--dynamodb-workers`): AWS_ENDPOINT_URL_DYNAMODB, so functions' DynamoDB calls use them. */
  readonly dynamodbEndpointUrl?: string | undefined;
  readonly nodePath: string;
  readonly credentials: SessionCredentials;
  /** Where the function sees the AWS SDK for JavaScript (Lambda: /var/runtime/node_modules). */
  readonly sdkModules: string | undefined;
  /** AWS_LAMBDA_INITIALIZATION_TYPE: started for a waiting request, or kept ready by provisioned concurrency. */
  readonly initializationType: InitializationType;
}

export type InitializationType = "on-demand" | "provisioned-concurrency";

/** Variables whose effect is fixed at process start, so a pre-started process cannot honour them. */
const START_TIME_VARIABLES = /^(NODE_OPTIONS|NODE_PATH|PYTHON[A-Z_]*|AWS_LAMBDA_EXEC_WRAPPER|LD_PRELOAD|LD_LIBRARY_PATH)$/;

export function canUsePrestarted(fn: FunctionVersion): boolean {
  return !Object.keys(fn.config.environment).some((key) => START_TIME_VARIABLES.test(key));
}

/**
 * Where Lambda's Node runtime finds layer packages (/opt/nodejs/node20/node_modules, then
 * /opt/nodejs/node_modules); the plain-process driver has no /opt, so the merged layer
 * directory stands in for it.
 */
function nodePath(optDir: string | undefined, sdkModules: string | undefined): string {
  const opt = optDir ?? "/opt";
  return [`${opt}/nodejs/node20/node_modules`, `${opt}/nodejs/node22/node_modules`, `${opt}/nodejs/node_modules`, ...(sdkModules ? [sdkModules] : [])].join(":");
}

/** Python finds layer packages in /opt/python and /opt/python/lib/python3.X/site-packages. */
function pythonPath(optDir: string, runtime: string): string {
  return [`${optDir}/python`, `${optDir}/python/lib/${runtime}/site-packages`].join(":");
}

export function functionEnvironment(fn: FunctionVersion, ctx: EnvironmentContext): Record<string, string> {
  const { config } = fn;
  const taskRoot = fn.codeDir;
  const path = [...new Set([dirname(ctx.nodePath), "/usr/local/bin", "/usr/bin", "/bin", "/opt/bin"])].join(":");
  const env: Record<string, string> = {
    PATH: path,
    LANG: "en_US.UTF-8",
    LD_LIBRARY_PATH: `/lib64:/usr/lib64:${taskRoot}:${taskRoot}/lib:/opt/lib`,
    AWS_XRAY_CONTEXT_MISSING: "LOG_ERROR",
    HOME: ctx.tmpDir,
    ...(ctx.family === "node" ? { NODE_PATH: nodePath(fn.optDir, ctx.sdkModules) } : {}),
    ...(ctx.family === "python" ? { PYTHONUNBUFFERED: "1", ...(fn.optDir ? { PYTHONPATH: pythonPath(fn.optDir, config.runtime) } : {}) } : {}),
    ...(fn.optDir ? { UNKAI_OPT_DIR: fn.optDir } : {}),
    ...(ctx.endpointUrl ? { AWS_ENDPOINT_URL: ctx.endpointUrl } : {}),
    // Not over an endpoint of the function's own choosing (its AWS_ENDPOINT_URL would otherwise lose to this).
    ...(ctx.dynamodbEndpointUrl && config.environment.AWS_ENDPOINT_URL === undefined ? { AWS_ENDPOINT_URL_DYNAMODB: ctx.dynamodbEndpointUrl } : {}),
    ...config.environment,
    _HANDLER: config.handler,
    ...ctx.channel,
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: taskRoot,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: fn.version,
    AWS_LAMBDA_INITIALIZATION_TYPE: ctx.initializationType,
    AWS_LAMBDA_LOG_GROUP_NAME: config.logging.logGroup,
    AWS_LAMBDA_LOG_STREAM_NAME: ctx.logStream,
    AWS_REGION: ctx.account.region,
    AWS_DEFAULT_REGION: ctx.account.region,
    // This environment's own session credentials, revoked when it ends (docs/auth.md).
    AWS_ACCESS_KEY_ID: ctx.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ctx.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: ctx.credentials.sessionToken,
    TZ: ":UTC",
    TMPDIR: ctx.tmpDir,
  };
  if (ctx.family !== "provided") env.AWS_EXECUTION_ENV = `AWS_Lambda_${config.runtime}`;
  if (config.logging.logFormat === "JSON") {
    env.AWS_LAMBDA_LOG_FORMAT = "JSON";
    if (config.logging.applicationLogLevel) env.AWS_LAMBDA_LOG_LEVEL = config.logging.applicationLogLevel;
  }
  return env;
}
