/**
 * S3 bucket settings kept as documents (src/services/s3 works on them): the bucket policy, the CORS
 * rules, the bucket tags, the static website configuration and the lifecycle rules. One document per bucket and kind, keyed `<bucket>?<kind>` (a bucket name
 * never holds `?`), so writing one setting never races another's read-modify-write.
 */

export type BucketSettingKind = "policy" | "cors" | "tagging" | "website" | "lifecycle";

export const BUCKET_SETTING_KINDS: readonly BucketSettingKind[] = ["policy", "cors", "tagging", "website", "lifecycle"];

/** Where a website redirect sends the browser (RedirectAllRequestsTo, or a routing rule's Redirect). */
export interface WebsiteRedirect {
  readonly hostName: string | undefined;
  readonly protocol: string | undefined;
  readonly replaceKeyPrefixWith: string | undefined;
  readonly replaceKeyWith: string | undefined;
  readonly httpRedirectCode: string | undefined;
}

/** One RoutingRule: a redirect applied when the key prefix and/or the error code match. */
export interface WebsiteRoutingRule {
  readonly keyPrefixEquals: string | undefined;
  readonly httpErrorCodeReturnedEquals: string | undefined;
  readonly redirect: WebsiteRedirect;
}

/** PutBucketWebsite's configuration: an index document (and error document), or a redirect of everything. */
export interface WebsiteConfiguration {
  readonly indexSuffix: string | undefined;
  readonly errorKey: string | undefined;
  readonly redirectAll: { readonly hostName: string; readonly protocol: string | undefined } | undefined;
  readonly routingRules: readonly WebsiteRoutingRule[];
}

/** One CORS rule as PutBucketCors gave it (names as S3's XML spells them, lists never absent). */
export interface CorsRule {
  readonly id: string | undefined;
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds: number | undefined;
}

/** Which objects a lifecycle rule applies to: all of these that are set must hold. */
export interface LifecycleFilter {
  readonly prefix: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly sizeGreaterThan: number | undefined;
  readonly sizeLessThan: number | undefined;
  /** How the filter was written (`Prefix` outside `Filter`, `Filter` with one condition, `Filter`/`And`), so Get answers it back alike. */
  readonly form: "legacy-prefix" | "filter" | "and";
}

/** A Transition (or NoncurrentVersionTransition): kept and answered back, never acted on (one storage class here). */
export interface LifecycleTransition {
  readonly days: number | undefined;
  readonly date: string | undefined;
  readonly storageClass: string;
  readonly newerNoncurrentVersions: number | undefined;
}

/** One lifecycle rule as PutBucketLifecycleConfiguration gave it (validated). */
export interface LifecycleRule {
  readonly id: string;
  readonly enabled: boolean;
  readonly filter: LifecycleFilter;
  readonly expiration: { readonly days: number | undefined; readonly date: string | undefined; readonly expiredObjectDeleteMarker: boolean | undefined } | undefined;
  readonly noncurrentExpiration: { readonly days: number; readonly newerNoncurrentVersions: number | undefined } | undefined;
  readonly abortIncompleteUploadDays: number | undefined;
  readonly transitions: readonly LifecycleTransition[];
  readonly noncurrentTransitions: readonly LifecycleTransition[];
}

export type BucketSetting =
  | { readonly bucket: string; readonly kind: "policy"; readonly policy: string }
  | { readonly bucket: string; readonly kind: "cors"; readonly rules: readonly CorsRule[] }
  | { readonly bucket: string; readonly kind: "tagging"; readonly tags: Readonly<Record<string, string>> }
  | { readonly bucket: string; readonly kind: "website"; readonly website: WebsiteConfiguration }
  | { readonly bucket: string; readonly kind: "lifecycle"; readonly rules: readonly LifecycleRule[] };

/** The document id of a bucket's setting of one kind. */
export const bucketSettingId = (bucket: string, kind: BucketSettingKind) => `${bucket}?${kind}`;
