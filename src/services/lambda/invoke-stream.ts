/** The InvokeWithResponseStream operation: the engine's streamed invocation as an AWS event stream. */
import { Readable } from "node:stream";
import { parseFunctionRef } from "../../core/arn.js";
import { invalidParameter, UnkaiError } from "../../core/errors.js";
import { LIMITS } from "../../core/limits.js";
import type { Invoker } from "../../engine/invoker.js";
import type { StreamCompletion, StreamedInvocation } from "../../engine/streamed-invocation.js";
import { eventMessage } from "../../protocol/event-stream.js";
import { empty, type UnkaiRequest, type UnkaiResponse } from "../../protocol/http.js";
import type { FunctionService } from "../../functions/function-service.js";
import { decodeClientContext, eventOf, logTypeOf, syncInvokeRequest } from "./invoke.js";

export async function invokeWithResponseStream(functions: FunctionService, invoker: Invoker, request: UnkaiRequest, rawName: string): Promise<UnkaiResponse> {
  const ref = parseFunctionRef(rawName, request.query.get("Qualifier") ?? undefined, functions.account);
  const record = await functions.resolve(ref.name, ref.qualifier);
  const invocationType = request.headers["x-amz-invocation-type"] ?? "RequestResponse";
  if (invocationType !== "RequestResponse" && invocationType !== "DryRun") {
    throw invalidParameter(`InvocationType '${invocationType}' is invalid for InvokeWithResponseStream: use RequestResponse or DryRun.`);
  }
  const logType = logTypeOf(request);
  if (request.body.length > LIMITS.syncPayloadBytes) {
    throw new UnkaiError("RequestEntityTooLargeException", `Request must be smaller than ${LIMITS.syncPayloadBytes} bytes for the InvokeWithResponseStream operation`);
  }
  const payload = eventOf(request);
  const clientContext = decodeClientContext(request.headers["x-amz-client-context"]);
  if (invocationType === "DryRun") return empty(204, { "X-Amz-Executed-Version": record.version ?? "$LATEST" });

  const streamed = await invoker.invokeStream(syncInvokeRequest(functions, ref, record, request, payload, clientContext, logType));
  return {
    status: 200,
    headers: { "Content-Type": streamed.contentType, "X-Amz-Executed-Version": streamed.executedVersion },
    body: Readable.from(events(streamed), { objectMode: false }),
  };
}

/** `PayloadChunk` per chunk as the function writes it, then one `InvokeComplete`. */
async function* events(streamed: StreamedInvocation): AsyncGenerator<Buffer> {
  let completion: StreamCompletion;
  try {
    for await (const chunk of streamed.body as AsyncIterable<Buffer>) yield eventMessage("PayloadChunk", "application/octet-stream", chunk);
    completion = await streamed.completion;
  } catch {
    completion = { error: { errorType: "ServiceException", errorMessage: "Unkai hit an internal error; the details are in Unkai's own log.", payload: Buffer.alloc(0) }, logResult: undefined };
  }
  const complete: Record<string, string> = {};
  if (completion.error) {
    complete.ErrorCode = completion.error.errorType;
    complete.ErrorDetails = completion.error.errorMessage;
  }
  if (completion.logResult !== undefined) complete.LogResult = completion.logResult;
  yield eventMessage("InvokeComplete", "application/json", Buffer.from(JSON.stringify(complete)));
}
