/**
 * The credential scope's region and service, checked against the endpoint the request reached, as
 * AWS checks them: a key signed for one service (or a made-up region) is no signature for another.
 * Unkai serves every region on one port, so any real AWS region name is accepted; the service must
 * be the endpoint's signing name.
 */
import type { SignatureParts } from "./sigv4.js";

/** What an endpoint accepts in a credential scope. */
export interface ScopeRule {
  /** Signing names the endpoint answers to (`lambda`, `s3`, `logs`, `apigateway`, …); undefined accepts any (no service matched). */
  readonly services: readonly string[] | undefined;
  /** Unkai's configured region: always valid, whatever its spelling. */
  readonly defaultRegion: string;
}

/** Why a scope was refused, for services that word it their own way (S3's XML). */
export interface ScopeMismatch {
  readonly part: "region" | "service";
  readonly got: string;
  readonly expected: string;
}

/**
 * AWS region names: a geography, an optional isolated partition, a direction and a number
 * (us-east-1, us-gov-west-1, us-isob-east-1, cn-northwest-1, ap-southeast-7, il-central-1, mx-central-1).
 * Regions AWS opens later keep this shape, so the rule does not need a list of them.
 */
const AWS_REGION = /^(af|ap|ca|cn|eu|il|me|mx|sa|us)(-(gov|iso|isob|isoe|isof))?-(central|north|south|east|west|northeast|northwest|southeast|southwest)-\d{1,2}$/;

export function isAwsRegionName(region: string): boolean {
  return AWS_REGION.test(region);
}

/** The first part of the scope the endpoint does not accept, or undefined when it does. */
export function scopeMismatch(parts: Pick<SignatureParts, "region" | "service">, rule: ScopeRule): ScopeMismatch | undefined {
  const expected = rule.services?.[0];
  if (rule.services && expected !== undefined && !rule.services.includes(parts.service)) return { part: "service", got: parts.service, expected };
  if (parts.region !== rule.defaultRegion && !isAwsRegionName(parts.region)) return { part: "region", got: parts.region, expected: rule.defaultRegion };
  return undefined;
}

/** AWS's JSON services' wording (InvalidSignatureException). */
export function scopeMessage(mismatch: ScopeMismatch): string {
  return mismatch.part === "service"
    ? `Credential should be scoped to correct service: '${mismatch.expected}'.`
    : `Credential should be scoped to a valid region, not '${mismatch.got}'.`;
}
