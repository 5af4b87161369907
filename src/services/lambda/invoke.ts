/** The Invoke operation: header parsing, payload checks, and the engine's answer in Lambda's wire shape. */
import { randomBytes } from "node:crypto";
import { parseFunctionRef, type FunctionRef } from "../../core/arn.js";
import { invalidParameter, UnkaiError } from "../../core/errors.js";
import { LIMITS } from "../../core/limits.js";
import type { AsyncQueue } from "../../async/queue.js";
import { ASYNC_DEFAULTS } from "../../core/event-invoke-config.js";
import type { FunctionRecord } from "../../core/function.js";
import type { InvokeRequest, Invoker } from "../../engine/invoker.js";
import { empty, type UnkaiRequest, type UnkaiResponse } from "../../protocol/http.js";
import type { FreeSpace } from "../../store/disk-space.js";
import type { FunctionService } from "../../functions/function-service.js";
import { decodeUtf8 } from "../../protocol/utf8.js";

const EMPTY_EVENT = Buffer.from("{}");

/** `space`: asynchronous events (stored until they run) are refused while the data directory is low on space. */
export async function invoke(functions: FunctionService, invoker: Invoker, queue: AsyncQueue, space: FreeSpace, request: UnkaiRequest, rawName: string): Promise<UnkaiResponse> {
  const ref = parseFunctionRef(rawName, request.query.get("Qualifier") ?? undefined, functions.account);
  const record = await functions.resolve(ref.name, ref.qualifier);
  const invocationType = request.headers["x-amz-invocation-type"] ?? "RequestResponse";
  if (invocationType !== "RequestResponse" && invocationType !== "DryRun" && invocationType !== "Event") {
    throw invalidParameter(`InvocationType '${invocationType}' is invalid: use RequestResponse, Event or DryRun.`);
  }
  const logType = logTypeOf(request);
  const limit = invocationType === "Event" ? ASYNC_DEFAULTS.payloadBytes : LIMITS.syncPayloadBytes;
  if (request.body.length > limit) {
    throw new UnkaiError("RequestEntityTooLargeException", `Request must be smaller than ${limit} bytes for the InvokeFunction operation`);
  }
  const payload = eventOf(request);
  if (invocationType === "Event") {
    const shortfall = space.shortfall();
    if (shortfall) throw new UnkaiError("ServiceUnavailableException", shortfall);
    // 202 only once the event is committed and fsynced (docs/async.md).
    await queue.enqueue({ id: request.requestId, functionName: ref.name, qualifier: ref.qualifier ?? "$LATEST", payload });
    return empty(202);
  }
  const clientContext = decodeClientContext(request.headers["x-amz-client-context"]);
  if (invocationType === "DryRun") return empty(204, { "X-Amz-Executed-Version": record.version ?? "$LATEST" });

  const result = await invoker.invoke(syncInvokeRequest(functions, ref, record, request, payload, clientContext, logType));
  const headers: Record<string, string> = { "Content-Type": "application/json", "X-Amz-Executed-Version": result.executedVersion };
  if (result.functionError) headers["X-Amz-Function-Error"] = result.functionError;
  if (result.logResult !== undefined) headers["X-Amz-Log-Result"] = result.logResult;
  return { status: 200, headers, body: result.payload };
}

/** Throws InvalidRequestContentException unless the payload is JSON. */
/** X-Amz-Log-Type, checked. */
export function logTypeOf(request: UnkaiRequest): "None" | "Tail" {
  const logType = request.headers["x-amz-log-type"] ?? "None";
  if (logType !== "None" && logType !== "Tail") throw invalidParameter(`LogType '${logType}' is invalid: use None or Tail.`);
  return logType;
}

/** The event a request carries (`{}` when the body is empty), checked to be JSON. */
export function eventOf(request: UnkaiRequest): Buffer {
  const payload = request.body.length === 0 ? EMPTY_EVENT : request.body;
  checkJson(payload);
  return payload;
}

/** The engine's request for a synchronous invocation (Invoke and InvokeWithResponseStream alike). */
export function syncInvokeRequest(
  functions: FunctionService, ref: FunctionRef, record: FunctionRecord, request: UnkaiRequest, payload: Buffer, clientContext: string | undefined, logType: "None" | "Tail",
): InvokeRequest {
  return {
    fn: functions.runnable(record),
    requestId: request.requestId,
    payload,
    invokedArn: functions.arn(ref.name, ref.qualifier),
    clientContext,
    traceId: request.headers["x-amzn-trace-id"] ?? newTraceId(),
    wantLogTail: logType === "Tail",
  };
}

export function checkJson(payload: Buffer): void {
  try {
    JSON.parse(decodeUtf8(payload));
  } catch (error) {
    throw new UnkaiError(
      "InvalidRequestContentException",
      `Could not parse request body into json: Could not parse payload into json: ${(error as Error).message}`,
    );
  }
}

/** The decoded X-Amz-Client-Context JSON text, checked. */
export function decodeClientContext(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const text = Buffer.from(header, "base64").toString("utf8");
  if (Buffer.byteLength(header) > 3583) throw invalidParameter("Client context must be at most 3583 bytes of base64.");
  try {
    JSON.parse(text);
  } catch {
    throw new UnkaiError("InvalidRequestContentException", "Client context must be a base64-encoded JSON object.");
  }
  return text;
}

/** An X-Ray trace header so runtimes can set _X_AMZN_TRACE_ID as on Lambda. */
export function newTraceId(): string {
  const bytes = randomHex(40);
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${bytes.slice(0, 24)};Parent=${bytes.slice(24, 40)};Sampled=0`;
}

/** Random bytes drawn from a pool refilled 4 KB at a time: one kernel call per ~200 trace ids, not one each. */
let pool = Buffer.alloc(0);
let poolAt = 0;
function randomHex(digits: number): string {
  const bytes = digits / 2;
  if (poolAt + bytes > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  poolAt += bytes;
  return pool.toString("hex", poolAt - bytes, poolAt);
}
