/**
 * Issue 21, bug 6: SigV4 requests timestamped by a signed `Date` header (botocore's SigV4Auth signs Date
 * instead of X-Amz-Date when one is set) verify, as do requests signing both (boto3's S3 client with a
 * caller's Date header); a Date-signed request replayed outside
 * the 15-minute window is RequestTimeTooSkewed, and a tampered Date fails the signature. boto3/botocore
 * sign every request here.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { boto3S3, s3 } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

/** botocore's own S3 signer with the date headers chosen by `mode`, sending a GET of `path`; prints status, signed headers and body. */
const SIGNED_GET = `
import calendar, datetime, urllib.request, urllib.error
from email.utils import formatdate
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
mode, path = args[0], args[1]
class Signer(S3SigV4Auth):
    def _set_necessary_date_headers(self, request):
        now = datetime.datetime.utcnow() - datetime.timedelta(minutes=20 if mode == "replayed" else 0)
        request.context["timestamp"] = now.strftime("%Y%m%dT%H%M%SZ")
        request.headers["Date"] = formatdate(calendar.timegm(now.timetuple()), usegmt=(mode != "date"))
        if mode == "both":
            request.headers["X-Amz-Date"] = request.context["timestamp"]
request = AWSRequest(method="GET", url=url + path, headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
Signer(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
headers = dict(request.headers.items())
if mode == "tampered":
    headers["Date"] = formatdate(calendar.timegm((datetime.datetime.utcnow() + datetime.timedelta(seconds=5)).timetuple()), usegmt=True)
try:
    with urllib.request.urlopen(urllib.request.Request(url + path, headers=headers)) as r:
        print(json.dumps({"status": r.status, "body": r.read().decode(), "auth": headers["Authorization"]}))
except urllib.error.HTTPError as e:
    print(json.dumps({"status": e.code, "body": e.read().decode(), "auth": headers["Authorization"]}))
`;

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly auth: string;
}

describe("S3 requests timestamped by a signed Date header", () => {
  const suite = unkaiSuite();

  it("verifies boto3 calls that carry a caller's Date header (signed next to X-Amz-Date)", async () => {
    const client = s3(suite.unkai.url);
    await client.send(new CreateBucketCommand({ Bucket: "dated" }));
    await client.send(new PutObjectCommand({ Bucket: "dated", Key: "k", Body: "dated body" }));
    client.destroy();
    const answer = await boto3S3(suite.unkai.url, [
      `from email.utils import formatdate`,
      `s3.meta.events.register("before-sign.s3", lambda request, **kw: request.headers.__setitem__("Date", formatdate(usegmt=True)))`,
      `sent = []`,
      `s3.meta.events.register("before-send.s3", lambda request, **kw: sent.append(dict(request.headers)))`,
      `s3.put_object(Bucket="dated", Key="from-boto3", Body=b"put with Date")`,
      `body = s3.get_object(Bucket="dated", Key="from-boto3")["Body"].read().decode()`,
      `print(json.dumps({"body": body, "signed": sent[0]["Authorization"].decode() if isinstance(sent[0]["Authorization"], bytes) else sent[0]["Authorization"]}))`,
    ].join("\n"));
    const { body, signed } = answer as { body: string; signed: string };
    assert.equal(body, "put with Date");
    assert.match(signed, /SignedHeaders=[^,]*\bdate\b/, "botocore signed the Date header");
  });

  it("verifies Date alone (numeric zone) and Date signed alongside X-Amz-Date", async () => {
    for (const mode of ["date", "date-gmt", "both"]) {
      const answer = (await boto3S3(suite.unkai.url, SIGNED_GET, [mode, "/dated/k"])) as Answer;
      assert.equal(answer.status, 200, `${mode}: ${answer.body}`);
      assert.equal(answer.body, "dated body");
      assert.match(answer.auth, /SignedHeaders=[^,]*\bdate\b/);
    }
  });

  it("refuses a Date-signed request replayed 20 minutes later, and one whose Date was changed", async () => {
    const replayed = (await boto3S3(suite.unkai.url, SIGNED_GET, ["replayed", "/dated/k"])) as Answer;
    assert.equal(replayed.status, 403);
    assert.match(replayed.body, /<Code>RequestTimeTooSkewed<\/Code>/);
    const tampered = (await boto3S3(suite.unkai.url, SIGNED_GET, ["tampered", "/dated/k"])) as Answer;
    assert.equal(tampered.status, 403);
    assert.match(tampered.body, /<Code>SignatureDoesNotMatch<\/Code>/);
  });
});
