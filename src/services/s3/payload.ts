/**
 * An upload's body as it streams to disk: aws-chunked decoding when the client used it, and the
 * payload checks S3 makes (Content-MD5, a hex x-amz-content-sha256, x-amz-checksum-* headers or
 * trailers, the declared length), each answered with S3's error when it fails.
 */
import { createHash, type Hash } from "node:crypto";
import { PassThrough, Transform, type Readable, type TransformCallback } from "node:stream";
import type { UnkaiRequest } from "../../protocol/http.js";
import { AwsChunkedDecoder, type ChunkSignatureCheck } from "./aws-chunked.js";
import { CHECKSUM_ALGORITHMS, RunningChecksum, type ChecksumAlgorithm } from "./checksums.js";
import { S3Error } from "./errors.js";

/** S3's largest single PUT (and part): 5 GiB. */
export const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;

/** What the body turned out to be, once it has streamed through. */
export interface PayloadDigest {
  readonly size: number;
  readonly md5: Buffer;
  /** The body's checksum (base64): the one the client sent, verified, or else the fallback algorithm's. */
  readonly checksum?: { readonly algorithm: ChecksumAlgorithm; readonly value: string };
}

/** Counts and hashes the bytes that pass; `verify()` after the stream ended applies every check. */
export interface Payload {
  readonly body: Readable;
  verify(): PayloadDigest;
}

class Digester extends Transform {
  size = 0;
  readonly md5 = createHash("md5");
  constructor(
    private readonly limit: number,
    readonly sha256: Hash | undefined,
    readonly checksum: RunningChecksum | undefined,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limit) {
      callback(new S3Error("EntityTooLarge", `Your proposed upload exceeds the maximum allowed size of ${this.limit} bytes.`));
      return;
    }
    this.md5.update(chunk);
    this.sha256?.update(chunk);
    this.checksum?.update(chunk);
    callback(null, chunk);
  }
}

function expectedMd5(request: UnkaiRequest): Buffer | undefined {
  const header = request.headers["content-md5"];
  if (header === undefined) return undefined;
  const bytes = Buffer.from(header, "base64");
  if (bytes.length !== 16 || bytes.toString("base64") !== header.trim()) {
    throw new S3Error("InvalidDigest", "The Content-MD5 you specified is not valid: it must be the base64 of a 16-byte MD5.");
  }
  return bytes;
}

/** The x-amz-checksum-* algorithm the client announced, in a header or as a trailer (one at most, as on S3). */
export function announcedChecksum(request: UnkaiRequest): ChecksumAlgorithm | undefined {
  const trailer = request.headers["x-amz-trailer"]?.toLowerCase();
  const announced = CHECKSUM_ALGORITHMS.filter((a) => request.headers[`x-amz-checksum-${a}`] !== undefined || trailer === `x-amz-checksum-${a}`);
  if (announced.length > 1) throw new S3Error("InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
  return announced[0];
}

/**
 * Opens the body of a streamed upload; `limit` is the largest size accepted. `fallback` is the checksum
 * computed when the request sends none (S3 adds CRC64NVME to every new object).
 */
export function openPayload(request: UnkaiRequest, limit = MAX_UPLOAD_BYTES, checkChunk?: ChunkSignatureCheck, fallback?: ChecksumAlgorithm): Payload {
  const source = request.bodyStream ?? new PassThrough().end(request.body);
  const contentSha = request.headers["x-amz-content-sha256"] ?? "UNSIGNED-PAYLOAD";
  // The payload hash says whether the body is aws-chunked framing: a `Content-Encoding: aws-chunked`
  // on a plain body (UNSIGNED-PAYLOAD or a hex hash) is only a label, as on S3.
  const chunked = contentSha.startsWith("STREAMING-");
  const declaredText = chunked ? request.headers["x-amz-decoded-content-length"] : request.headers["content-length"];
  if (declaredText === undefined && request.headers["transfer-encoding"] === undefined) {
    throw new S3Error("MissingContentLength", "You must provide the Content-Length HTTP header.");
  }
  const declared = declaredText === undefined ? undefined : Number(declaredText);
  if (declared !== undefined && (!Number.isSafeInteger(declared) || declared < 0)) {
    throw new S3Error("InvalidArgument", `The declared content length ${declaredText} is not a whole number of bytes.`);
  }
  if (declared !== undefined && declared > limit) {
    throw new S3Error("EntityTooLarge", `Your proposed upload exceeds the maximum allowed size of ${limit} bytes.`, undefined, {
      ProposedSize: String(declared),
      MaxSizeAllowed: String(limit),
    });
  }
  const md5 = expectedMd5(request);
  const sha256 = /^[0-9a-f]{64}$/i.test(contentSha) ? contentSha.toLowerCase() : undefined;
  const announced = announcedChecksum(request);
  const algorithm = announced ?? fallback;
  const digester = new Digester(limit, sha256 ? createHash("sha256") : undefined, algorithm ? new RunningChecksum(algorithm) : undefined);
  const decoder = chunked ? new AwsChunkedDecoder(checkChunk) : undefined;
  // A client that goes away mid-body is an incomplete body, not Unkai's fault.
  const forward = (error: Error) =>
    digester.destroy(error instanceof S3Error ? error : new S3Error("IncompleteBody", "The request body ended before the declared length was received."));
  // The body may fail (a bad chunk, a client gone) before its consumer starts reading it: the error
  // is kept on the stream for the consumer, and must not count as unhandled until then.
  digester.on("error", () => undefined);
  if (decoder) {
    source.once("error", forward);
    decoder.once("error", forward);
    source.pipe(decoder).pipe(digester);
  } else {
    source.once("error", forward);
    source.pipe(digester);
  }

  return {
    body: digester,
    verify() {
      const value = digester.checksum?.digest().toString("base64");
      const digest = { size: digester.size, md5: digester.md5.digest(), ...(algorithm && value !== undefined ? { checksum: { algorithm, value } } : {}) };
      if (declared !== undefined && digest.size !== declared) {
        throw new S3Error("IncompleteBody", `You did not provide the number of bytes specified by the Content-Length HTTP header (${declared}; got ${digest.size}).`);
      }
      if (md5 && !md5.equals(digest.md5)) throw new S3Error("BadDigest", "The Content-MD5 you specified did not match what we received.");
      if (sha256 && digester.sha256?.digest("hex") !== sha256) {
        throw new S3Error("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");
      }
      if (announced) {
        const name = `x-amz-checksum-${announced}`;
        const expected = request.headers[name] ?? decoder?.trailers.get(name);
        if (expected === undefined) throw new S3Error("InvalidRequest", `The ${name} trailer the request announced was not sent.`);
        if (value !== expected) throw new S3Error("BadDigest", `The ${announced.toUpperCase()} you specified did not match the calculated checksum.`);
      }
      return digest;
    },
  };
}
