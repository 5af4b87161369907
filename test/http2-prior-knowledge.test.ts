/**
 * HTTP/2 cleartext with prior knowledge on Unkai's one port (the SDK v3 Kinesis client's default):
 * signed Lambda and S3 calls over node:http2 answer as over HTTP/1.1, and a hostile HTTP/2 client
 * (garbage after the preface, a huge header list) is refused without disturbing anyone else.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { connect, type ClientHttp2Session } from "node:http2";
import { connect as connectTcp } from "node:net";
import { describe, it } from "node:test";
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { KinesisClient, ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { NodeHttp2Handler } from "@smithy/node-http-handler";
import { DEFAULT_CREDENTIALS, signedFetch } from "./helpers/clients.js";
import { rawRequest, signedRaw, type RawRequest } from "./helpers/raw-http.js";
import { unkaiSuite } from "./helpers/suite.js";

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
const FRAME = { headers: 0x1, rstStream: 0x3, settings: 0x4, goAway: 0x7, continuation: 0x9 } as const;

interface H2Response {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** One request on an HTTP/2 session; `authorityOnly` sends the Host as `:authority` alone, as HTTP/2 clients may. */
function h2Request(session: ClientHttp2Session, request: RawRequest, authorityOnly = false): Promise<H2Response> {
  const { host, ...rest } = request.headers ?? {};
  const headers = { ":method": request.method ?? "GET", ":path": request.path, ...(authorityOnly ? { ":authority": host } : { host }), ...rest };
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: request.body === undefined });
    let status = 0;
    let responseHeaders: H2Response["headers"] = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => {
      status = Number(h[":status"]);
      responseHeaders = h;
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve({ status, headers: responseHeaders, body: Buffer.concat(chunks) }));
    stream.on("error", reject);
    if (request.body !== undefined) stream.end(request.body);
  });
}

function withSession<T>(url: string, use: (session: ClientHttp2Session) => Promise<T>): Promise<T> {
  const session = connect(url);
  session.on("error", () => undefined);
  return use(session).finally(() => session.close());
}

/** A frame's 9-byte header and payload (RFC 9113 §4.1). */
function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head.writeUInt8(type, 3);
  head.writeUInt8(flags, 4);
  head.writeUInt32BE(streamId, 5);
  return Buffer.concat([head, payload]);
}

/** HPACK integer with a 7-bit prefix (RFC 7541 §5.1). */
function hpackInt(value: number): Buffer {
  if (value < 127) return Buffer.from([value]);
  const bytes = [127];
  let rest = value - 127;
  while (rest >= 128) {
    bytes.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** "Literal header field without indexing, new name", plain strings (RFC 7541 §6.2.2). */
function literal(name: string, value: string): Buffer {
  return Buffer.concat([Buffer.from([0]), hpackInt(name.length), Buffer.from(name), hpackInt(value.length), Buffer.from(value)]);
}

/** Sends `bytes` on a fresh TCP connection and collects what comes back until the server closes or `waitMs` passes. */
function rawExchange(url: string, bytes: Buffer, waitMs: number): Promise<{ received: Buffer; closedByServer: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connectTcp(Number(port), hostname, () => {
      if (bytes.length > 0) socket.write(bytes);
    });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ received: Buffer.concat(chunks), closedByServer });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("close", () => finish(true));
    socket.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" ? finish(true) : reject(error)));
  });
}

/** The frames in `bytes`, as type and stream id (a trailing partial frame is ignored). */
function framesIn(bytes: Buffer): { type: number; streamId: number; payload: Buffer }[] {
  const frames = [];
  for (let at = 0; at + 9 <= bytes.length;) {
    const length = bytes.readUIntBE(at, 3);
    frames.push({ type: bytes.readUInt8(at + 3), streamId: bytes.readUInt32BE(at + 5) & 0x7fffffff, payload: bytes.subarray(at + 9, at + 9 + length) });
    at += 9 + length;
  }
  return frames;
}

async function listFunctionsOverHttp1(url: string): Promise<number> {
  const response = await signedFetch(`${url}/2015-03-31/functions/`);
  await response.arrayBuffer();
  return response.status;
}

describe("HTTP/2 with prior knowledge", () => {
  const suite = unkaiSuite();

  it("answers a signed Lambda ListFunctions over h2c as over HTTP/1.1, Host given as :authority", async () => {
    const request = await signedRaw(suite.unkai.url, { path: "/2015-03-31/functions/" });
    const overH2 = await withSession(suite.unkai.url, (session) => h2Request(session, request, true));
    assert.equal(overH2.status, 200, overH2.body.toString());
    assert.ok(Array.isArray((JSON.parse(overH2.body.toString()) as { Functions?: unknown }).Functions));
    assert.match(String(overH2.headers["x-amzn-requestid"]), /^[0-9a-f-]{36}$/);
    assert.equal(await listFunctionsOverHttp1(suite.unkai.url), 200);
  });

  it("refuses an unsigned call and a foreign Host over h2c exactly as over HTTP/1.1", async () => {
    const host = new URL(suite.unkai.url).host;
    for (const headers of [{ host }, { host: "attacker.example" }]) {
      const request = { path: "/2015-03-31/functions/", headers };
      const overH1 = await rawRequest(suite.unkai.url, request);
      const overH2 = await withSession(suite.unkai.url, (session) => h2Request(session, request));
      assert.equal(overH2.status, overH1.status);
      assert.ok(overH1.status >= 400 && overH1.status < 500, `refused: ${overH1.status}`);
      assert.equal(overH2.headers["x-amzn-errortype"], overH1.headers["x-amzn-errortype"]);
      assert.equal((JSON.parse(overH2.body.toString()) as { message: string }).message, (JSON.parse(overH1.body) as { message: string }).message);
    }
  });

  it("round-trips an S3 object over one h2c session (CreateBucket, PutObject, GetObject)", async () => {
    const url = suite.unkai.url;
    const body = Buffer.from("hello over HTTP/2\n".repeat(5000));
    const sha = createHash("sha256").update(body).digest("hex");
    await withSession(url, async (session) => {
      const bucket = await h2Request(session, await signedRaw(url, { method: "PUT", path: "/h2-bucket", service: "s3", headers: { "x-amz-content-sha256": createHash("sha256").update("").digest("hex") } }));
      assert.equal(bucket.status, 200, bucket.body.toString());
      const put = await h2Request(session, await signedRaw(url, {
        method: "PUT", path: "/h2-bucket/greeting.txt", service: "s3", body,
        headers: { "x-amz-content-sha256": sha, "content-length": String(body.length), "content-type": "text/plain" },
      }));
      assert.equal(put.status, 200, put.body.toString());
      const get = await h2Request(session, await signedRaw(url, { path: "/h2-bucket/greeting.txt", service: "s3", headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } }));
      assert.equal(get.status, 200, get.body.toString());
      assert.ok(get.body.equals(body), "the object comes back byte for byte");
      assert.equal(get.headers["content-type"], "text/plain");
    });
    const overH1 = await rawRequest(url, await signedRaw(url, { path: "/h2-bucket/greeting.txt", service: "s3", headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } }));
    assert.equal(overH1.status, 200);
    assert.equal(overH1.body, body.toString());
  });

  it("serves the SDK v3 Kinesis client's default HTTP/2 transport (an answer, not a protocol error)", async () => {
    const client = new KinesisClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    try {
      // No Kinesis service is registered yet: Unkai's answer (any HTTP status) proves the transport.
      const outcome = await client.send(new ListStreamsCommand({})).then(
        (output) => output.$metadata.httpStatusCode,
        (error: { $metadata?: { httpStatusCode?: number }; message?: string }) => error.$metadata?.httpStatusCode ?? `no HTTP answer: ${error.message}`,
      );
      assert.equal(typeof outcome, "number", String(outcome));
    } finally {
      client.destroy();
    }
  });

  it("verifies the SDK v3's HTTP/2 signatures, which sign :authority instead of Host (CloudWatch Logs over NodeHttp2Handler)", async () => {
    const logs = (credentials: { accessKeyId: string; secretAccessKey: string } = DEFAULT_CREDENTIALS) => new CloudWatchLogsClient({
      endpoint: suite.unkai.url, region: "us-east-1", credentials, maxAttempts: 1, requestHandler: new NodeHttp2Handler(),
    });
    const signedWith: string[] = [];
    const client = logs();
    client.middlewareStack.add((next) => async (args) => {
      const authorization = (args.request as { headers: Record<string, string> }).headers.authorization ?? "";
      signedWith.push(/SignedHeaders=([^,]+)/.exec(authorization)?.[1] ?? "");
      return next(args);
    }, { step: "finalizeRequest", priority: "low" });
    const forged = logs({ accessKeyId: DEFAULT_CREDENTIALS.accessKeyId, secretAccessKey: "not-the-secret" });
    try {
      await client.send(new CreateLogGroupCommand({ logGroupName: "over-h2" }));
      const { logGroups = [] } = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "over-h2" }));
      assert.deepEqual(logGroups.map((g) => g.logGroupName), ["over-h2"]);
      assert.ok(signedWith.every((names) => names.split(";").includes(":authority") && !names.split(";").includes("host")), signedWith.join(" | "));
      await assert.rejects(forged.send(new DescribeLogGroupsCommand({})), { name: "InvalidSignatureException" });
    } finally {
      client.destroy();
      forged.destroy();
    }
  });

  it("ends a connection that sends garbage after the preface with GOAWAY, and keeps serving", async () => {
    const garbage = Buffer.from("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n" + "\u0000\u00ff".repeat(200), "latin1");
    const { received, closedByServer } = await rawExchange(suite.unkai.url, Buffer.concat([PREFACE, garbage]), 15_000);
    assert.ok(closedByServer, "the server closes the connection");
    const frames = framesIn(received);
    assert.ok(frames.some((f) => f.type === FRAME.goAway), `a GOAWAY frame comes back (got types ${frames.map((f) => f.type).join(",")})`);
    assert.ok(!received.toString("latin1").includes("HTTP/1.1"), "no HTTP/1.1 answer to an HTTP/2 connection");
    assert.equal(await listFunctionsOverHttp1(suite.unkai.url), 200);
  });

  it("closes connections that never finish the preface (silent, or stalled half-way) within the headers deadline", async () => {
    const started = Date.now();
    const [silent, halfPreface] = await Promise.all([
      rawExchange(suite.unkai.url, Buffer.alloc(0), 30_000),
      rawExchange(suite.unkai.url, PREFACE.subarray(0, 14), 30_000),
    ]);
    assert.ok(silent.closedByServer && halfPreface.closedByServer, "both are closed by the server");
    assert.ok(Date.now() - started < 25_000, `closed after ${Date.now() - started} ms (deadline 10 s, checked loosely under load)`);
    assert.equal(halfPreface.received.length, 0, "nothing is answered to an unfinished preface");
  });

  it("refuses a huge header list (HEADERS + CONTINUATION, 400 KB) without answering it, and keeps serving both protocols", async () => {
    const host = new URL(suite.unkai.url).host;
    const fields = [literal(":method", "GET"), literal(":scheme", "http"), literal(":path", "/2015-03-31/functions/"), literal(":authority", host)];
    for (let i = 0; i < 400; i++) fields.push(literal(`x-padding-${i}`, "p".repeat(1000)));
    const block = Buffer.concat(fields);
    const pieces: Buffer[] = [];
    for (let at = 0; at < block.length; at += 16_384) pieces.push(block.subarray(at, at + 16_384));
    const END_STREAM = 0x1;
    const END_HEADERS = 0x4;
    const frames = pieces.map((piece, i) => frame(i === 0 ? FRAME.headers : FRAME.continuation, (i === 0 ? END_STREAM : 0) | (i === pieces.length - 1 ? END_HEADERS : 0), 1, piece));
    const { received } = await rawExchange(suite.unkai.url, Buffer.concat([PREFACE, frame(FRAME.settings, 0, 0, Buffer.alloc(0)), ...frames]), 5_000);
    const answered = framesIn(received);
    assert.ok(answered.some((f) => (f.type === FRAME.rstStream && f.streamId === 1) || f.type === FRAME.goAway), `the stream is reset or the session ended (got types ${answered.map((f) => f.type).join(",")})`);
    assert.ok(!answered.some((f) => f.type === FRAME.headers && f.streamId === 1), "no response headers for the oversized request");

    assert.equal(await listFunctionsOverHttp1(suite.unkai.url), 200);
    const request = await signedRaw(suite.unkai.url, { path: "/2015-03-31/functions/" });
    await withSession(suite.unkai.url, async (session) => {
      assert.equal((await h2Request(session, request)).status, 200);
      // Settings acknowledged now: 20 KB of headers (over HTTP/1.1's 16 KiB head) resets that stream alone.
      const padded = { ...request, headers: { ...request.headers, "x-padding": "p".repeat(20_000) } };
      await assert.rejects(h2Request(session, padded), /ENHANCE_YOUR_CALM|REFUSED_STREAM/);
      assert.equal((await h2Request(session, request)).status, 200, "the connection's next request is served");
    });
  });
});
