/**
 * ACLs as a bucket with S3 Object Ownership `BucketOwnerEnforced` answers them (every new AWS bucket
 * since April 2023): ACLs are disabled, reads answer the owner with FULL_CONTROL, and writes are
 * accepted only where they grant exactly that (canned `private`, for objects also
 * `bucket-owner-full-control`, or the same grant written out); anything else is refused with
 * AccessControlListNotSupported ("The bucket does not allow ACLs"), or on CreateBucket with
 * InvalidBucketAclWithObjectOwnership, as S3 refuses them. Nothing is stored: there is nothing to keep.
 */
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { requireBucket, requireObject, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { ownerOf } from "./list-ops.js";
import { requestedVersion, versionHeader } from "./versions.js";
import { parseXml, text, xmlResponse } from "./xml.js";

const CANNED = new Set(["private", "public-read", "public-read-write", "aws-exec-read", "authenticated-read", "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write"]);
const GRANT_HEADERS = ["x-amz-grant-full-control", "x-amz-grant-read", "x-amz-grant-read-acp", "x-amz-grant-write", "x-amz-grant-write-acp"];
const NOT_SUPPORTED = "The bucket does not allow ACLs";

export type AclTarget = "bucket" | "object";

const notSupported = () => new S3Error("AccessControlListNotSupported", NOT_SUPPORTED);

/** Whether a grant header names only the owner (`id="<account>"`), which is FULL_CONTROL's equivalent form. */
function ownerOnly(context: S3Context, value: string): boolean {
  return value.split(",").every((grantee) => /^\s*id\s*=\s*"?([^"]*)"?\s*$/i.exec(grantee)?.[1] === context.accountId);
}

/**
 * Whether the request's `x-amz-acl` and `x-amz-grant-*` headers ask for no more than owner
 * FULL_CONTROL; an unknown canned ACL is InvalidArgument. False means "refuse".
 */
function headersAllowed(context: S3Context, request: UnkaiRequest, target: AclTarget): boolean {
  const canned = request.headers["x-amz-acl"];
  if (canned !== undefined && !CANNED.has(canned)) throw new S3Error("InvalidArgument", `${canned} is not a canned ACL.`, undefined, { ArgumentName: "x-amz-acl", ArgumentValue: canned });
  if (canned !== undefined && canned !== "private" && !(target === "object" && canned === "bucket-owner-full-control")) return false;
  return GRANT_HEADERS.every((name) => {
    const value = request.headers[name];
    return value === undefined || (name === "x-amz-grant-full-control" && ownerOnly(context, value));
  });
}

/** Refuses a PutObject, CopyObject, CreateMultipartUpload or CreateBucket whose ACL headers grant more than owner FULL_CONTROL. */
export function checkAclHeaders(context: S3Context, request: UnkaiRequest, target: AclTarget, creatingBucket = false): void {
  if (headersAllowed(context, request, target)) return;
  if (creatingBucket) throw new S3Error("InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting");
  throw notSupported();
}

/** The one policy there is: the owner, with FULL_CONTROL. */
function ownerPolicy(context: S3Context, headers: Record<string, string> = {}): UnkaiResponse {
  const owner = ownerOf(context);
  const grant = { Grantee: { "@_xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@_xsi:type": "CanonicalUser", ...owner }, Permission: "FULL_CONTROL" };
  return xmlResponse("AccessControlPolicy", { Owner: owner, AccessControlList: { Grant: [grant] } }, headers);
}

/** An `AccessControlPolicy` body: accepted only when its one grant is FULL_CONTROL to the owner. */
function bodyAllowed(context: S3Context, request: UnkaiRequest): boolean {
  const policy = parseXml(request.body, "AccessControlPolicy");
  const list = policy.AccessControlList as { Grant?: unknown } | undefined;
  const grants = Array.isArray(list?.Grant) ? (list.Grant as unknown[]) : list?.Grant === undefined ? [] : [list.Grant];
  if (grants.length === 0) throw new S3Error("MalformedACLError", "The XML you provided was not well-formed or did not validate against our published schema");
  return grants.length === 1 && grants.every((raw) => {
    const grant = (raw ?? {}) as { Grantee?: { ID?: unknown }; Permission?: unknown };
    return text(grant.Grantee?.ID) === context.accountId && text(grant.Permission) === "FULL_CONTROL";
  });
}

/** PutBucketAcl / PutObjectAcl: headers or a body that grant only owner FULL_CONTROL are accepted (and change nothing). */
function checkAclWrite(context: S3Context, request: UnkaiRequest, target: AclTarget): void {
  const viaHeaders = request.headers["x-amz-acl"] !== undefined || GRANT_HEADERS.some((name) => request.headers[name] !== undefined);
  if (viaHeaders ? !headersAllowed(context, request, target) : request.body.length === 0 || !bodyAllowed(context, request)) {
    if (!viaHeaders && request.body.length === 0) throw new S3Error("MalformedACLError", "The XML you provided was not well-formed or did not validate against our published schema");
    throw notSupported();
  }
}

export async function getBucketAcl(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  return ownerPolicy(context);
}

export async function putBucketAcl(context: S3Context, request: UnkaiRequest, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  checkAclWrite(context, request, "bucket");
  return { status: 200 };
}

export async function getObjectAcl(context: S3Context, request: UnkaiRequest, bucketName: string, key: string): Promise<UnkaiResponse> {
  const bucket = await requireBucket(context, bucketName);
  const version = requestedVersion(request.query);
  const object = await requireObject(context, bucketName, key, version);
  return ownerPolicy(context, versionHeader(bucket, object, version !== undefined));
}

export async function putObjectAcl(context: S3Context, request: UnkaiRequest, bucketName: string, key: string): Promise<UnkaiResponse> {
  const bucket = await requireBucket(context, bucketName);
  const version = requestedVersion(request.query);
  const object = await requireObject(context, bucketName, key, version);
  checkAclWrite(context, request, "object");
  return { status: 200, headers: versionHeader(bucket, object, version !== undefined) };
}

export async function getOwnershipControls(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  return xmlResponse("OwnershipControls", { Rule: { ObjectOwnership: "BucketOwnerEnforced" } });
}

/** PutBucketOwnershipControls: BucketOwnerEnforced is what every bucket here is; the other settings (ACLs on) are not offered. */
export async function putOwnershipControls(context: S3Context, request: UnkaiRequest, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const rule = parseXml(request.body, "OwnershipControls").Rule as { ObjectOwnership?: unknown } | undefined;
  const ownership = text(rule?.ObjectOwnership);
  if (!["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"].includes(ownership)) throw new S3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
  if (ownership !== "BucketOwnerEnforced") throw new S3Error("NotImplemented", `Unkai does not implement ACLs: every bucket is BucketOwnerEnforced (asked for ${ownership}).`);
  return { status: 200 };
}
