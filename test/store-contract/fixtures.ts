/** Plain records for contract cases: valid shapes, fixed times, nothing random. */
import type { AliasRecord } from "../../src/core/alias.js";
import type { EventInvokeConfig } from "../../src/core/event-invoke-config.js";
import type { FunctionRecord } from "../../src/core/function.js";
import type { FunctionUrlConfig } from "../../src/core/api-definitions.js";
import type { InvocationRecord } from "../../src/core/invocation.js";
import type { LayerVersionRecord } from "../../src/core/layer.js";

export function functionRecord(name: string, change: Partial<FunctionRecord> = {}): FunctionRecord {
  return {
    name,
    config: {
      runtime: "nodejs20.x",
      handler: "index.handler",
      role: "arn:aws:iam::123456789012:role/contract",
      description: "",
      memoryMb: 128,
      timeoutSeconds: 3,
      ephemeralStorageMb: 512,
      environment: {},
      architecture: "x86_64",
      logging: { logFormat: "Text", logGroup: `/aws/lambda/${name}` },
      tracingMode: "PassThrough",
    },
    codeSha256: "c2hhMjU2LW9mLXRoZS1jb2Rl",
    codeSize: 100,
    revisionId: "rev-1",
    lastModified: "2026-01-01T00:00:00.000+0000",
    reservedConcurrency: undefined,
    tags: {},
    ...change,
  };
}

export function aliasRecord(functionName: string, name: string, change: Partial<AliasRecord> = {}): AliasRecord {
  return { functionName, name, functionVersion: "1", description: "", additionalVersionWeights: {}, revisionId: "alias-rev-1", ...change };
}

export function eventConfig(functionName: string, qualifier: string, change: Partial<EventInvokeConfig> = {}): EventInvokeConfig {
  return { functionName, qualifier, maximumRetryAttempts: 1, maximumEventAgeSeconds: 600, onSuccess: undefined, onFailure: undefined, lastModified: 1_700_000_000.5, ...change };
}

export function urlConfig(functionName: string, qualifier: string, urlId: string, change: Partial<FunctionUrlConfig> = {}): FunctionUrlConfig {
  const when = "2026-01-01T00:00:00.000Z";
  return { functionName, qualifier, urlId, authType: "NONE", cors: undefined, invokeMode: "BUFFERED", creationTime: when, lastModifiedTime: when, ...change };
}

export function invocation(requestId: string, functionName: string, startedAt: number, change: Partial<InvocationRecord> = {}): InvocationRecord {
  return {
    requestId,
    functionName,
    version: "$LATEST",
    startedAt,
    durationMs: 12.5,
    billedDurationMs: 13,
    initDurationMs: undefined,
    coldStart: false,
    memorySizeMb: 128,
    maxMemoryUsedMb: 40,
    status: "success",
    errorType: undefined,
    logStream: undefined,
    ...change,
  };
}

export function layerDraft(layerName: string, description = ""): Omit<LayerVersionRecord, "version"> {
  return {
    layerName,
    description,
    codeSha256: "bGF5ZXItY29kZQ==",
    codeSize: 10,
    unzippedSize: 20,
    compatibleRuntimes: ["nodejs20.x"],
    compatibleArchitectures: ["x86_64"],
    licenseInfo: undefined,
    createdDate: "2026-01-01T00:00:00.000+0000",
  };
}
