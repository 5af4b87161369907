/**
 * A streamed function response as an HTTP response (Function URLs with InvokeMode RESPONSE_STREAM):
 * `awslambda.HttpResponseStream.from` sends a JSON prelude `{statusCode, headers, cookies}`, eight
 * NUL bytes, then the body (contracts §1.3 "Response streaming").
 */
import { Readable } from "node:stream";
import type { UnkaiResponse } from "./http.js";

export const HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
const DELIMITER = Buffer.alloc(8);
/** A prelude is a few headers; anything this large without its delimiter is not one. */
const MAX_PRELUDE_BYTES = 1024 * 1024;

export interface HttpStreamedResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: readonly string[];
  /** The body after the prelude, still streaming. */
  readonly body: Readable;
}

/**
 * The function's stream gave no usable HTTP response (no readable prelude, or it failed before
 * sending a byte): the gateway answers it as it answers a function error (502).
 */
export class NoHttpResponse extends Error {
  override readonly name = "NoHttpResponse";
}

/**
 * Splits a streamed response into its HTTP prelude and the rest of the body. A stream of any other
 * content type is a 200 with that content type and the stream as the body.
 */
export async function readHttpIntegrationResponse(contentType: string, stream: Readable): Promise<HttpStreamedResponse> {
  if (contentType !== HTTP_INTEGRATION_CONTENT_TYPE) return { statusCode: 200, headers: { "content-type": contentType }, cookies: [], body: stream };
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let seen = Buffer.alloc(0);
  for (;;) {
    const next = await chunks.next();
    if (next.done) throw new NoHttpResponse("The function's response stream ended before the end of its HTTP prelude (8 NUL bytes).");
    seen = Buffer.concat([seen, next.value]);
    const at = seen.indexOf(DELIMITER);
    if (at >= 0) return { ...parsePrelude(seen.subarray(0, at)), body: Readable.from(rest(seen.subarray(at + DELIMITER.length), chunks), { objectMode: false }) };
    if (seen.length > MAX_PRELUDE_BYTES) throw new NoHttpResponse(`The function's HTTP prelude is over ${MAX_PRELUDE_BYTES} bytes without its 8 NUL bytes.`);
  }
}

/** What a streamed invocation hands the gateway: `Invoker.invokeStream`'s result, structurally. */
export interface StreamedBody {
  readonly contentType: string;
  readonly body: Readable;
  readonly completion: Promise<{ readonly error: unknown }>;
}

/**
 * The UnkaiResponse for a RESPONSE_STREAM Function URL: the prelude's status, headers and cookies,
 * then the body as the function writes it. A function that fails mid-stream cuts the response
 * off (the chunked body never ends cleanly), as Lambda does. Throws NoHttpResponse when the
 * function failed before sending anything or sent no readable prelude.
 */
export async function streamedHttpResponse(streamed: StreamedBody): Promise<UnkaiResponse> {
  const chunks = streamed.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await chunks.next();
  if (first.done && (await streamed.completion).error) throw new NoHttpResponse("The function failed before it sent any response.");
  const whole = Readable.from(rest(first.done ? Buffer.alloc(0) : first.value, chunks), { objectMode: false });
  const response = await readHttpIntegrationResponse(streamed.contentType, whole);
  const body = Readable.from(cutOnFailure(response.body, streamed.completion), { objectMode: false });
  return toUnkaiResponse({ ...response, body });
}

/** A UnkaiResponse for the gateway: prelude headers, one Set-Cookie per cookie, the streaming body. */
export function toUnkaiResponse(response: HttpStreamedResponse): UnkaiResponse {
  const headers: Record<string, string | readonly string[]> = { ...response.headers };
  if (response.cookies.length > 0) headers["Set-Cookie"] = response.cookies;
  return { status: response.statusCode, headers, body: response.body };
}

async function* cutOnFailure(body: Readable, completion: StreamedBody["completion"]): AsyncGenerator<Buffer> {
  for await (const chunk of body as AsyncIterable<Buffer>) yield chunk;
  const { error } = await completion;
  if (error) throw new Error("The function failed mid-stream; the response is cut off.");
}

async function* rest(first: Buffer, chunks: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (first.length > 0) yield first;
  for (;;) {
    const next = await chunks.next();
    if (next.done) return;
    yield next.value;
  }
}

function parsePrelude(bytes: Buffer): Omit<HttpStreamedResponse, "body"> {
  let prelude: unknown;
  try {
    prelude = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new NoHttpResponse(`The function's HTTP prelude is not JSON: ${(error as Error).message}`);
  }
  if (prelude === null || typeof prelude !== "object" || Array.isArray(prelude)) throw new NoHttpResponse("The function's HTTP prelude must be a JSON object.");
  const { statusCode = 200, headers = {}, cookies = [] } = prelude as Record<string, unknown>;
  if (typeof statusCode !== "number" || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new NoHttpResponse(`The function's HTTP prelude has statusCode ${JSON.stringify(statusCode)}; it must be a whole number from 100 to 599.`);
  }
  if (headers === null || typeof headers !== "object" || Array.isArray(headers)) throw new NoHttpResponse("The function's HTTP prelude has headers that are not an object.");
  if (!Array.isArray(cookies)) throw new NoHttpResponse("The function's HTTP prelude has cookies that are not an array.");
  const headerValues = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
  return { statusCode, headers: headerValues, cookies: cookies.map(String) };
}
