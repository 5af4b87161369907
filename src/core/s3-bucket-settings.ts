/**
 * S3 bucket settings kept as documents (src/services/s3 works on them): the bucket policy, the CORS
 * rules and the bucket tags. One document per bucket and kind, keyed `<bucket>?<kind>` (a bucket name
 * never holds `?`), so writing one setting never races another's read-modify-write.
 */

export type BucketSettingKind = "policy" | "cors" | "tagging";

export const BUCKET_SETTING_KINDS: readonly BucketSettingKind[] = ["policy", "cors", "tagging"];

/** One CORS rule as PutBucketCors gave it (names as S3's XML spells them, lists never absent). */
export interface CorsRule {
  readonly id: string | undefined;
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds: number | undefined;
}

export type BucketSetting =
  | { readonly bucket: string; readonly kind: "policy"; readonly policy: string }
  | { readonly bucket: string; readonly kind: "cors"; readonly rules: readonly CorsRule[] }
  | { readonly bucket: string; readonly kind: "tagging"; readonly tags: Readonly<Record<string, string>> };

/** The document id of a bucket's setting of one kind. */
export const bucketSettingId = (bucket: string, kind: BucketSettingKind) => `${bucket}?${kind}`;
