/** Policy documents as IAM takes and returns them: validated with IAM's messages, size-limited, URL-encoded on the way out. */
import { UnkaiError } from "../../core/errors.js";
import { MalformedPolicyError, parsePolicy, type PolicyKind } from "../../core/iam-policy/index.js";

/** IAM's quotas on policy size, counted without whitespace (IAM User Guide, "IAM and AWS STS quotas"). */
export const POLICY_SIZE_LIMITS = { userInline: 2_048, roleInline: 10_240, groupInline: 5_120, managed: 6_144, trust: 2_048 } as const;

/** Validates `document` as a policy of `kind` and within `limit` characters; IAM's errors otherwise. */
export function checkDocument(document: string, kind: PolicyKind, limit: number, over: string): void {
  try {
    parsePolicy(document, kind);
  } catch (error) {
    if (error instanceof MalformedPolicyError) throw new UnkaiError("MalformedPolicyDocument", error.message);
    throw error;
  }
  if (document.replace(/\s/g, "").length > limit) throw new UnkaiError("LimitExceeded", over);
}

/** IAM returns policy documents URL-encoded (RFC 3986); the AWS CLI and SDK customisations decode them. */
export const encodeDocument = (document: string) => encodeURIComponent(document);
