/** InvokeWithResponseStream through SDK v3, with the time each event reached the client. */
import { InvokeWithResponseStreamCommand, type InvokeWithResponseStreamCompleteEvent, type LambdaClient } from "@aws-sdk/client-lambda";

export interface StreamedCall {
  readonly contentType: string | undefined;
  readonly executedVersion: string | undefined;
  readonly requestId: string | undefined;
  /** Each PayloadChunk with the ms since the call was sent. */
  readonly chunks: readonly { readonly atMs: number; readonly text: string; readonly bytes: Buffer }[];
  readonly body: Buffer;
  readonly complete: InvokeWithResponseStreamCompleteEvent | undefined;
  /** The decoded LogResult. */
  readonly log: string;
}

export async function invokeStream(client: LambdaClient, name: string, payload: unknown = {}): Promise<StreamedCall> {
  const sent = Date.now();
  const out = await client.send(new InvokeWithResponseStreamCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), LogType: "Tail" }));
  const chunks: { atMs: number; text: string; bytes: Buffer }[] = [];
  let complete: InvokeWithResponseStreamCompleteEvent | undefined;
  for await (const event of out.EventStream ?? []) {
    if (event.PayloadChunk?.Payload) {
      const bytes = Buffer.from(event.PayloadChunk.Payload);
      chunks.push({ atMs: Date.now() - sent, text: bytes.toString("utf8"), bytes });
    }
    if (event.InvokeComplete) complete = event.InvokeComplete;
  }
  return {
    contentType: out.ResponseStreamContentType,
    executedVersion: out.ExecutedVersion,
    requestId: out.$metadata.requestId,
    chunks,
    body: Buffer.concat(chunks.map((c) => c.bytes)),
    complete,
    log: complete?.LogResult ? Buffer.from(complete.LogResult, "base64").toString("utf8") : "",
  };
}
