/**
 * A streaming reader of `multipart/form-data` bodies for browser-based uploads (POST Object). No
 * multipart parser is installed, so this is a small one: the fields before the `file` part are read
 * whole (bounded by `maxFieldBytes` in all), and the file part is handed on as a stream that ends at
 * its closing boundary, so the object's bytes never collect in memory. S3 ignores fields after `file`.
 */
import { Readable } from "node:stream";
import { S3Error } from "./errors.js";

export interface FormFile {
  readonly filename: string;
  readonly contentType: string | undefined;
  /** The part's bytes; consume it fully (or destroy it) before answering. */
  readonly body: Readable;
}

export interface Form {
  /** Field names lower-cased (S3 matches them case-insensitively), values as sent. */
  readonly fields: ReadonlyMap<string, string>;
  readonly file: FormFile | undefined;
}

function malformed(detail: string): S3Error {
  return new S3Error("MalformedPOSTRequest", `The body of your POST request is not well-formed multipart/form-data. ${detail}`);
}

function tooLarge(): S3Error {
  return new S3Error("MaxPostPreDataLengthExceeded", "Your POST request fields preceding the upload file were too large.");
}

/** The boundary of a `multipart/form-data` Content-Type, or undefined when it is not one. */
export function formBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/**
 * Reads chunks from a stream on demand, keeping the unread rest. It pulls with `read()` and one-shot
 * listeners (not an async iterator, which would stay attached): when the form is refused early, the
 * unread rest of the body can still be drained with `resume()` so the answer reaches the client.
 */
class Cursor {
  buffer: Buffer = Buffer.alloc(0);
  constructor(private readonly stream: Readable) {}
  /** Adds the next chunk to the buffer; false at the end of the stream. */
  async more(): Promise<boolean> {
    for (;;) {
      const chunk = this.stream.read() as Buffer | null;
      if (chunk !== null) {
        this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
        return true;
      }
      if (this.stream.readableEnded || this.stream.destroyed) return false;
      await this.readable();
    }
  }
  private readable(): Promise<void> {
    const stream = this.stream;
    return new Promise((resolve, reject) => {
      const done = () => {
        cleanup();
        resolve();
      };
      const fail = (error: Error) => {
        cleanup();
        reject(error);
      };
      const cleanup = () => {
        for (const event of ["readable", "end", "close"]) stream.off(event, done);
        stream.off("error", fail);
      };
      for (const event of ["readable", "end", "close"]) stream.on(event, done);
      stream.on("error", fail);
    });
  }
  /** Index of `needle` in the buffer, reading more until found or `limit` buffered bytes pass without it. */
  async find(needle: Buffer, limit: number): Promise<number> {
    for (;;) {
      const at = this.buffer.indexOf(needle);
      if (at >= 0) return at;
      if (this.buffer.length > limit) throw tooLarge();
      if (!(await this.more())) throw malformed("The body ended before its closing boundary.");
    }
  }
  take(length: number, skip = 0): Buffer {
    const taken = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length + skip);
    return taken;
  }
}

interface PartHead {
  readonly name: string;
  readonly filename: string | undefined;
  readonly contentType: string | undefined;
}

function parsePartHead(text: string): PartHead {
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name === "content-disposition") disposition = line.slice(colon + 1);
    if (name === "content-type") contentType = line.slice(colon + 1).trim();
  }
  const field = disposition === undefined ? undefined : /(?:^|;)\s*name="([^"]*)"/i.exec(disposition);
  if (!disposition || !field) throw malformed("A part has no Content-Disposition name.");
  const filename = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1];
  return { name: field[1] as string, filename, contentType };
}

/**
 * Reads the form's fields up to and including the head of its `file` part. Whatever follows the file
 * part is drained and ignored, as S3 does.
 */
export async function readForm(stream: Readable, boundary: string, maxFieldBytes: number): Promise<Form> {
  const cursor = new Cursor(stream);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // The body starts with the first boundary (no CRLF before it); treat it as if it had one.
  cursor.buffer = Buffer.from("\r\n");
  const fields = new Map<string, string>();
  let read = 0;
  const budget = () => Math.max(0, maxFieldBytes - read) + delimiter.length + 4;
  for (;;) {
    const at = await cursor.find(delimiter, budget());
    read += at;
    cursor.take(at, delimiter.length);
    while (cursor.buffer.length < 2 && (await cursor.more()));
    if (cursor.buffer.subarray(0, 2).toString() === "--") break;
    const headEnd = await cursor.find(Buffer.from("\r\n\r\n"), budget());
    read += headEnd;
    const head = parsePartHead(cursor.take(headEnd, 4).toString("utf8"));
    if (head.name.toLowerCase() === "file") {
      return { fields, file: { filename: head.filename ?? "", contentType: head.contentType, body: Readable.from(fileBytes(cursor, delimiter)) } };
    }
    const end = await cursor.find(delimiter, budget());
    fields.set(head.name.toLowerCase(), cursor.take(end).toString("utf8"));
    read += end;
    if (read > maxFieldBytes) throw tooLarge();
  }
  stream.resume();
  return { fields, file: undefined };
}

/** The file part's bytes up to the next boundary, holding back only what could be the start of one. */
async function* fileBytes(cursor: Cursor, delimiter: Buffer): AsyncGenerator<Buffer> {
  for (;;) {
    const at = cursor.buffer.indexOf(delimiter);
    if (at >= 0) {
      if (at > 0) yield cursor.take(at);
      // Drain what follows the file (later fields, the closing boundary) without keeping it.
      cursor.buffer = Buffer.alloc(0);
      while (await cursor.more()) cursor.buffer = Buffer.alloc(0);
      return;
    }
    const safe = cursor.buffer.length - (delimiter.length - 1);
    if (safe > 0) yield cursor.take(safe);
    if (!(await cursor.more())) throw malformed("The file part has no closing boundary.");
  }
}
