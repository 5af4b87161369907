/** Bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation. */
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { validateBucketName } from "./addressing.js";
import { isoTime, requireBucket, type S3Context } from "./context.js";
import { forgetBucketSettings } from "./bucket-settings.js";
import { S3Error } from "./errors.js";
import { parseXml, xmlResponse } from "./xml.js";

const MAX_BUCKETS = 10000;

function maxBucketsOf(request: UnkaiRequest): number | undefined {
  const text = request.query.get("max-buckets");
  if (text === null) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > MAX_BUCKETS) {
    throw new S3Error("InvalidArgument", `max-buckets must be a whole number from 1 to ${MAX_BUCKETS}.`, undefined, { ArgumentName: "max-buckets", ArgumentValue: text });
  }
  return value;
}

/** ListBuckets, with the paginated form's prefix, max-buckets and continuation-token (the last name returned). */
export async function listBuckets(context: S3Context, request: UnkaiRequest): Promise<UnkaiResponse> {
  const prefix = request.query.get("prefix") ?? "";
  const maxBuckets = maxBucketsOf(request);
  const token = request.query.get("continuation-token") ?? "";
  const after = token === "" ? "" : Buffer.from(token, "base64url").toString("utf8");
  const matching = (await context.store.buckets()).filter((b) => b.name.startsWith(prefix) && b.name > after);
  const page = maxBuckets === undefined ? matching : matching.slice(0, maxBuckets);
  const buckets = page.map((b) => ({ Name: b.name, CreationDate: isoTime(b.createdAt), BucketRegion: request.caller.region }));
  const more = page.length < matching.length;
  return xmlResponse("ListAllMyBucketsResult", {
    Owner: { ID: context.accountId, DisplayName: "unkai" },
    Buckets: buckets.length > 0 ? { Bucket: buckets } : "",
    ...(more ? { ContinuationToken: Buffer.from(page.at(-1)!.name, "utf8").toString("base64url") } : {}),
    ...(prefix !== "" ? { Prefix: prefix } : {}),
  });
}

export async function createBucket(context: S3Context, request: UnkaiRequest, name: string): Promise<UnkaiResponse> {
  validateBucketName(name);
  // The body, when sent, only names a LocationConstraint: Unkai serves one region, so it is checked and set aside.
  if (request.body.length > 0) parseXml(request.body, "CreateBucketConfiguration");
  if (!await context.store.createBucket(name, Date.now())) {
    // us-east-1 answers a repeated create by the owner with success; every other region refuses it.
    if (request.caller.region === "us-east-1") return { status: 200, headers: { Location: `/${name}` } };
    throw new S3Error("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", `/${name}`, { BucketName: name });
  }
  // A bucket of this name deleted while its settings were being removed must not lend them to this one.
  await forgetBucketSettings(context, name);
  return { status: 200, headers: { Location: `/${name}` } };
}

export async function headBucket(context: S3Context, request: UnkaiRequest, name: string): Promise<UnkaiResponse> {
  await requireBucket(context, name);
  return { status: 200, headers: { "x-amz-bucket-region": request.caller.region } };
}

export async function deleteBucket(context: S3Context, name: string): Promise<UnkaiResponse> {
  const result = await context.store.deleteBucket(name);
  if (result === "missing") await requireBucket(context, name);
  if (result === "not-empty") {
    throw new S3Error("BucketNotEmpty", "The bucket you tried to delete is not empty", `/${name}`, { BucketName: name });
  }
  if (typeof result === "object") for (const upload of result.uploads) await context.bodies.removeParts(upload);
  await forgetBucketSettings(context, name);
  return { status: 204 };
}

export async function bucketLocation(context: S3Context, name: string, region: string): Promise<UnkaiResponse> {
  await requireBucket(context, name);
  // us-east-1 is written as an empty constraint, as S3 does.
  return xmlResponse("LocationConstraint", region === "us-east-1" ? {} : { "#text": region });
}
