/** Seeded request mutation for the protocol fuzz test: a PRNG, valid seed requests, and mutators. */

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface FuzzRequest {
  /** The SigV4 service the request is signed for. */
  readonly service: string;
  readonly method: string;
  /** Path as sent (already percent-encoded), without the query. */
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** Leave the request unsigned, or send this Authorization header as it is. */
  readonly auth?: "none" | { readonly authorization: string };
}

export class Mutator {
  constructor(private readonly random: () => number) {}

  int(max: number): number {
    return Math.floor(this.random() * max);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  /** Values that break parsers: wrong types, huge, empty, odd bytes, deep nesting. */
  oddValue(): unknown {
    return this.pick<() => unknown>([
      () => null, () => -1, () => 0, () => 1e308, () => 2 ** 53 + 1, () => 1.5, () => true, () => "", () => [],
      () => ({}), () => "x".repeat(70_000), () => "\u0000\uFFFF\uD800", () => "../../etc/passwd", () => "%FF%FE",
      () => "arn:aws:lambda:us-east-1:000000000000:function:fz:$LATEST", () => ["a", 1, null], () => ({ nested: { deeper: [1, { x: "y" }] } }),
      () => JSON.parse(`${"[".repeat(1_000)}${"]".repeat(1_000)}`) as unknown, () => "<a>&amp;</a>", () => "2026-13-45T99:99:99Z",
    ])();
  }

  oddText(): string {
    const value = this.oddValue();
    return typeof value === "string" ? value : JSON.stringify(value) ?? "";
  }

  /** A path segment that may be undecodable, encoded oddly, or just long. */
  oddSegment(): string {
    return this.pick(["%FF%FE", "%00", "..", ".", "%2F", "%2e%2e", "a".repeat(300), "%E2%82", "%", "%zz", "%C0%AF", "$LATEST", "fz:prod", "fz%3A1", "%F0%9F%98%80", "~!@$&'()*+,;="]);
  }

  mutateBody(body: Buffer): Buffer {
    const text = body.toString("utf8");
    const choice = this.int(9);
    if (choice === 0) return Buffer.alloc(0);
    if (choice === 1) return body.subarray(0, this.int(body.length + 1));
    if (choice === 2) return Buffer.from(Array.from({ length: this.int(512) }, () => this.int(256)));
    if (choice === 3 || choice === 4) {
      const copy = Buffer.from(body);
      for (let i = 0; i < 1 + this.int(6) && copy.length > 0; i++) copy[this.int(copy.length)] = this.int(256);
      return copy;
    }
    if (choice === 5) {
      try {
        return Buffer.from(JSON.stringify(this.mutateJson(JSON.parse(text) as unknown)));
      } catch {
        return Buffer.concat([body, Buffer.from(this.oddText())]);
      }
    }
    if (choice === 6) return Buffer.from(text.replace(/>[^<]*</, `>${this.oddText().replace(/</g, "&lt;")}<`));
    if (choice === 7) return Buffer.from(this.chance(0.5) ? `${"<a>".repeat(100_000)}${text}` : `${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    return Buffer.concat([body, Buffer.from([0xff, 0xfe, 0x00, 0x80])]);
  }

  /** Replaces one field (at any depth) with an odd value, or drops it, or adds an unknown one. */
  mutateJson(value: unknown): unknown {
    if (typeof value !== "object" || value === null) return this.oddValue();
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    const key = keys.length > 0 ? this.pick(keys) : "Unknown";
    const choice = this.int(4);
    if (choice === 0) {
      const { [key]: _dropped, ...rest } = record;
      return rest;
    }
    if (choice === 1) return { ...record, [this.oddText().slice(0, 40)]: this.oddValue() };
    if (choice === 2 && typeof record[key] === "object" && record[key] !== null) return { ...record, [key]: this.mutateJson(record[key]) };
    return { ...record, [key]: this.oddValue() };
  }

  mutatePath(path: string): string {
    const parts = path.split("/");
    const index = 1 + this.int(Math.max(1, parts.length - 1));
    const choice = this.int(3);
    if (choice === 0) parts[index] = this.oddSegment();
    else if (choice === 1) parts.splice(index, 0, this.oddSegment());
    else parts[index] = `${parts[index] ?? ""}${this.oddSegment()}`;
    return parts.join("/");
  }

  mutateQuery(query: Record<string, string>): Record<string, string> {
    const names = [...Object.keys(query), "Qualifier", "Marker", "MaxItems", "max-keys", "list-type", "prefix", "delimiter", "continuation-token",
      "encoding-type", "uploadId", "partNumber", "limit", "FunctionVersion", "CompatibleRuntime", "position", "versionId", "X-Amz-Expires", "X-Amz-Credential"];
    return { ...query, [this.pick(names)]: this.oddText().slice(0, 2_000) };
  }

  mutateHeaders(headers: Record<string, string>): Record<string, string> {
    const names = ["content-type", "x-amz-invocation-type", "x-amz-log-type", "x-amz-client-context", "x-amz-target", "range", "if-match",
      "if-none-match", "if-modified-since", "content-md5", "x-amz-copy-source", "x-amz-metadata-directive", "x-amz-meta-odd", "content-encoding",
      "x-amz-checksum-crc32", "x-amz-sdk-checksum-algorithm", "x-amz-decoded-content-length", "x-amz-content-sha256", "x-amz-trailer"];
    const value = this.pick(["", "garbage", "bytes=99999999-1", "bytes=-", "0", "-1", "aws-chunked", "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "%FF", "/bkt/%FF", "/missing/key", "Event", "DryRun", "Tail", "e30=", "!!!", "Logs_20140328.Nope", "application/x-amz-json-1.1", "x".repeat(4_000)]);
    return { ...headers, [this.pick(names)]: value };
  }

  /** An Authorization header that is not quite SigV4, to fuzz the signature parser itself. */
  oddAuthorization(): string {
    return this.pick([
      "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256 Credential=", "AWS4-HMAC-SHA256 Credential=test/x/y/z/aws4_request, SignedHeaders=host, Signature=zz",
      `AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/lambda/aws4_request, SignedHeaders=, Signature=${"0".repeat(64)}`,
      `AWS4-HMAC-SHA256 Credential=${"a/".repeat(5_000)}, SignedHeaders=host;${"x;".repeat(2_000)}, Signature=${"f".repeat(64)}`,
      "Bearer token", "AWS test:signature", "AWS4-HMAC-SHA256 ,,,,=,=,=", "\u00ff\u00fe",
    ]);
  }
}
