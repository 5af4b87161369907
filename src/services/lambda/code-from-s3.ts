/**
 * `Code.S3Bucket`/`S3Key`/`S3ObjectVersion` (CreateFunction, UpdateFunctionCode, PublishLayerVersion's
 * `Content`): the zip is read from Unkai's own S3, as Lambda reads it from S3 — how SAM, the Serverless
 * Framework and CloudFormation-style deploys hand over code. Under IAM enforcement the caller also needs
 * s3:GetObject (s3:GetObjectVersion with a version) on the object (authorization.ts). A missing bucket,
 * key or version is Lambda's `InvalidParameterValueException` with S3's code, as Lambda words it.
 */
import { invalidParameter } from "../../core/errors.js";
import { LIMITS } from "../../core/limits.js";
import type { ObjectBodies } from "../../store/objects/object-bodies.js";
import type { ObjectStore } from "../../store/ports.js";
import { readWhole } from "../../store/read-whole.js";
import { zipFrom } from "./shapes.js";

export interface S3CodeSource {
  readonly objects: ObjectStore;
  readonly bodies: ObjectBodies;
}

export interface S3CodeLocation {
  readonly S3Bucket?: string | undefined;
  readonly S3Key?: string | undefined;
  readonly S3ObjectVersion?: string | undefined;
}

const getObjectError = (code: string, message: string) =>
  invalidParameter(`Error occurred while GetObject. S3 Error Code: ${code}. S3 Error Message: ${message}`);

/** The zip the location names, whole (at most the 50 MB a ZipFile may have). */
export async function zipFromS3(source: S3CodeSource, location: S3CodeLocation): Promise<Buffer> {
  const { S3Bucket: bucket, S3Key: key, S3ObjectVersion: version } = location;
  if (!bucket || !key) throw invalidParameter("Code from S3 needs both S3Bucket and S3Key.");
  if (!(await source.objects.bucket(bucket))) throw getObjectError("NoSuchBucket", "The specified bucket does not exist");
  const object = version === undefined
    ? await source.objects.object(bucket, key)
    : await source.objects.objectVersion(bucket, key, version === "null" ? undefined : version);
  if (!object || object.deleteMarker) {
    throw version === undefined ? getObjectError("NoSuchKey", "The specified key does not exist.") : getObjectError("NoSuchVersion", "The specified version does not exist.");
  }
  if (object.size > LIMITS.zippedCodeBytes) throw invalidParameter(`Zipped size must be smaller than ${LIMITS.zippedCodeBytes} bytes`);
  if (object.size === 0) return Buffer.alloc(0);
  // An overwrite may delete the body between the row and the read: then the key is as good as gone.
  const body = await source.bodies.reader(object.blob);
  if (!body) throw getObjectError("NoSuchKey", "The specified key does not exist.");
  return readWhole(body, LIMITS.zippedCodeBytes, () => invalidParameter(`Zipped size must be smaller than ${LIMITS.zippedCodeBytes} bytes`));
}

/** A function's or layer's code as the request gives it: `ZipFile`, or the S3 object it names (never both). */
export async function packageZip(input: S3CodeLocation & { readonly ZipFile?: string | undefined; readonly ImageUri?: string | undefined }, s3: S3CodeSource): Promise<Buffer> {
  const fromS3 = input.S3Bucket !== undefined || input.S3Key !== undefined || input.S3ObjectVersion !== undefined;
  if (!fromS3) return zipFrom(input);
  if (input.ZipFile !== undefined) throw invalidParameter("Give the code either as ZipFile or as S3Bucket and S3Key, not both.");
  return zipFromS3(s3, input);
}
