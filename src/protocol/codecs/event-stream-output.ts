/**
 * Operations whose output is an AWS event stream (CloudWatch Logs' StartLiveTail): the operation
 * returns an `EventStreamOutput` naming the output member that holds the stream, and yields the
 * union's members one at a time; each is encoded from the model as the member's shape and framed as
 * one `application/vnd.amazon.eventstream` message. The SDKs raise an `exception` member as an error.
 * On the awsJson wires the stream opens with an `initial-response` event carrying the output's other
 * members (botocore refuses a stream without it; SDK v3 takes it when present). Each message's payload
 * is in the request's own encoding: JSON, or CBOR for a CBOR caller (the Java SDKs and the KCL parse
 * every event of a CBOR call as CBOR).
 * (Our models drop botocore's `eventstream` trait, so the operation, not the model, says which member streams.)
 */
import { Readable } from "node:stream";
import { eventMessage, exceptionMessage } from "../event-stream.js";
import type { UnkaiResponse } from "../http.js";
import { shapeOf, type OperationModel, type Protocol, type ServiceModel } from "./model.js";
import { encodeValue } from "./structured.js";
import { cborContentType, wireOf, writeCbor } from "./wires.js";

/** One member of the stream's union: an event, or an exception that ends the stream. */
export interface StreamedEvent {
  readonly member: string;
  readonly value: object;
}

export class EventStreamOutput {
  /** `events` is returned (its `finally` runs) when the client goes away or the server closes the response. */
  constructor(readonly member: string, readonly events: AsyncGenerator<StreamedEvent, void, undefined>) {}
}

/** How one protocol writes an event's payload: CBOR with its content type on the CBOR protocols, else JSON. */
function payloadEncoding(protocol: Protocol): { readonly contentType: string; readonly write: (value: unknown) => Buffer } {
  const cbor = cborContentType(protocol);
  return cbor ? { contentType: cbor, write: writeCbor } : { contentType: "application/json", write: (value) => Buffer.from(JSON.stringify(value)) };
}

export function eventStreamResponse(model: ServiceModel, operation: OperationModel, output: EventStreamOutput, protocol: Protocol): UnkaiResponse {
  const outputShape = operation.output ? shapeOf(model, operation.output) : undefined;
  const union = outputShape?.members?.[output.member];
  if (!union) throw new Error(`${operation.name}'s output has no member ${output.member}`);
  const members = shapeOf(model, union).members ?? {};
  const { contentType, write } = payloadEncoding(protocol);
  const wire = wireOf(protocol);
  async function* frames(): AsyncGenerator<Buffer> {
    const initial = operation.output ? encodeValue(model, operation.output, {}, wire) : {};
    yield eventMessage("initial-response", contentType, write(initial));
    for await (const event of output.events) {
      const ref = members[event.member];
      if (!ref) throw new Error(`${output.member} has no member ${event.member}`);
      const body = write(encodeValue(model, ref, event.value, wire));
      yield shapeOf(model, ref).exception === true ? exceptionMessage(event.member, body, contentType) : eventMessage(event.member, contentType, body);
    }
  }
  const body = Readable.from(frames(), { objectMode: false });
  // Readable.from returns its generator when destroyed, which returns the operation's generator in turn.
  return { status: 200, headers: { "Content-Type": "application/vnd.amazon.eventstream" }, body };
}
