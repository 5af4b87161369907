/**
 * Decodes `Content-Encoding: aws-chunked` bodies as they stream: `<hex size>[;chunk-signature=<sig>]\r\n
 * <data>\r\n` … a zero-size chunk, then optional trailers (`x-amz-checksum-crc32:<base64>`) and an empty line.
 * Used for STREAMING-AWS4-HMAC-SHA256-PAYLOAD (signed chunks) and STREAMING-UNSIGNED-PAYLOAD-TRAILER.
 */
import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { S3Error } from "./errors.js";

/** One decoded chunk as signed: its signature (signed payloads only) and the SHA-256 (hex) of its bytes. */
export interface SignedChunk {
  readonly signature: string | undefined;
  readonly sha256: string;
}

/**
 * A per-chunk SigV4 check (the previous signature chains into each chunk's string to sign).
 * Throwing an S3Error (SignatureDoesNotMatch) aborts the upload before anything is committed.
 */
export type ChunkSignatureCheck = (chunk: SignedChunk) => void;
export const acceptEveryChunk: ChunkSignatureCheck = () => undefined;

const MAX_LINE = 4096;
const EMPTY_SHA256 = createHash("sha256").digest("hex");
type State = "header" | "data" | "data-end" | "trailer" | "done";

const incomplete = (why: string) => new S3Error("IncompleteBody", `The aws-chunked request body is malformed: ${why}.`);

export class AwsChunkedDecoder extends Transform {
  /** Trailer headers, lower-cased names, available once the stream has ended. */
  readonly trailers = new Map<string, string>();
  private state: State = "header";
  private line = Buffer.alloc(0);
  private remaining = 0;
  private signature: string | undefined;
  private digest: Hash = createHash("sha256");
  /** Chunk bytes are hashed for the signature check only when one is plugged in. */
  private readonly keepData: boolean;

  constructor(private readonly checkChunk: ChunkSignatureCheck = acceptEveryChunk) {
    super();
    this.keepData = checkChunk !== acceptEveryChunk;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    callback(this.state === "done" ? undefined : incomplete("the body ended before its final zero-size chunk"));
  }

  private consume(input: Buffer): void {
    let at = 0;
    while (at < input.length) {
      if (this.state === "data") {
        const take = Math.min(this.remaining, input.length - at);
        const slice = input.subarray(at, at + take);
        if (this.keepData) this.digest.update(slice);
        this.push(slice);
        this.remaining -= take;
        at += take;
        if (this.remaining === 0) this.state = "data-end";
        continue;
      }
      if (this.state === "done") {
        if (input.subarray(at).toString("latin1").trim() !== "") throw incomplete("bytes follow the final chunk");
        return;
      }
      const newline = input.indexOf(0x0a, at);
      const end = newline < 0 ? input.length : newline + 1;
      this.line = Buffer.concat([this.line, input.subarray(at, end)]);
      at = end;
      if (this.line.length > MAX_LINE) throw incomplete("a chunk header or trailer line is too long");
      if (newline < 0) return;
      const text = this.line.toString("latin1").replace(/\r?\n$/, "");
      this.line = Buffer.alloc(0);
      this.onLine(text);
    }
  }

  private onLine(text: string): void {
    if (this.state === "data-end") {
      if (text !== "") throw incomplete("a chunk's data is longer than its declared size");
      this.checkChunk({ signature: this.signature, sha256: this.digest.digest("hex") });
      this.digest = createHash("sha256");
      this.state = "header";
      return;
    }
    if (this.state === "trailer") {
      if (text === "") {
        this.state = "done";
        return;
      }
      const colon = text.indexOf(":");
      if (colon <= 0) throw incomplete(`the trailer line "${text}" is not name:value`);
      this.trailers.set(text.slice(0, colon).trim().toLowerCase(), text.slice(colon + 1).trim());
      return;
    }
    const [sizeText = "", ...extensions] = text.split(";");
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) throw incomplete(`the chunk header "${text.slice(0, 80)}" has no hex size`);
    this.signature = extensions.find((e) => e.startsWith("chunk-signature="))?.slice("chunk-signature=".length);
    this.remaining = Number.parseInt(sizeText, 16);
    if (this.remaining === 0) {
      this.checkChunk({ signature: this.signature, sha256: EMPTY_SHA256 });
      this.state = "trailer";
    } else {
      this.state = "data";
    }
  }
}
