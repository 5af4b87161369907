/** AWS event-stream messages (`application/vnd.amazon.eventstream`), framed by Smithy's codec. */
import { EventStreamCodec } from "@smithy/core/event-streams";

const codec = new EventStreamCodec(
  (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"),
  (text) => Buffer.from(text, "utf8"),
);

/** One `event` message of a modelled event stream: `:event-type` names the union member. */
export function eventMessage(eventType: string, contentType: string, body: Uint8Array): Buffer {
  const bytes = codec.encode({
    headers: {
      ":event-type": { type: "string", value: eventType },
      ":content-type": { type: "string", value: contentType },
      ":message-type": { type: "string", value: "event" },
    },
    body,
  });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A modelled exception ending an event stream: `:exception-type` names the union member the SDKs raise. */
export function exceptionMessage(exceptionType: string, body: Uint8Array, contentType = "application/json"): Buffer {
  const bytes = codec.encode({
    headers: {
      ":exception-type": { type: "string", value: exceptionType },
      ":content-type": { type: "string", value: contentType },
      ":message-type": { type: "string", value: "exception" },
    },
    body,
  });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
