/** AWS Lambda's quotas, as Unkai enforces them. Sizes in bytes unless the name says otherwise. */
export const LIMITS = {
  memoryMinMb: 128,
  memoryMaxMb: 10_240,
  memoryDefaultMb: 128,
  timeoutMinSeconds: 1,
  timeoutMaxSeconds: 900,
  timeoutDefaultSeconds: 3,
  ephemeralMinMb: 512,
  ephemeralMaxMb: 10_240,
  environmentBytes: 4 * 1024,
  descriptionLength: 256,
  handlerLength: 128,
  functionNameLength: 64,
  /** Synchronous Invoke request body. */
  syncPayloadBytes: 6_291_456,
  /** Response a runtime may post: 6 MiB + 100 bytes, as the Runtime API checks it. */
  responsePayloadBytes: 6 * 1024 * 1024 + 100,
  /** A streamed response (InvokeWithResponseStream, RESPONSE_STREAM Function URLs). */
  streamedResponseBytes: 200 * 1024 * 1024,
  zippedCodeBytes: 52_428_800,
  unzippedCodeBytes: 262_144_000,
  /** Request body cap for CreateFunction / UpdateFunctionCode (base64 of 50 MB plus JSON). */
  codeRequestBytes: 70_167_211,
  /** Unkai's own bound on files in one package. */
  codeFileCount: 20_000,
  /** Log output kept per invocation; the rest is dropped with a marker line. */
  logBytesPerInvocation: 1024 * 1024,
  logTailBytes: 4096,
  /** Init phase limit for on-demand environments. */
  initTimeoutMs: 10_000,
  minimumUnreservedConcurrency: 100,
  listFunctionsPageSize: 50,
} as const;
